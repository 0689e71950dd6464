import { BrowserWindow, Menu, Notification, Tray, app, dialog, ipcMain, nativeImage, net, powerMonitor, protocol, screen, session, shell } from 'electron';
import { networkInterfaces } from 'node:os';
import { join } from 'node:path';
import type { ConnectLink, Settings } from '../../src-shared/bridge';
import { createMdnsTransport } from '../discovery';
import { createAppCore } from './app-core';
import type { AppCore } from './app-core';
import { APP_ID, PRODUCT_NAME } from './app-id';
import { createClientSocket } from './client-socket';
import { LINK_SCHEME, linkFromArgs, parseConnectLink } from './deep-link';
import { aboutText, applicationMenuTemplate } from './menu';
import { dotPng } from './png';
import { startRoomServer } from './room-server';
import { electronSqliteBinding, roomStorage } from './room-storage';
import { RENDERER_SCHEME, createRendererFileHandler } from './security';
import { ElectronStoreSettings } from './settings-electron-store';
import type { SettingsStore } from './settings-store';
import { spellcheckLanguages } from './spellcheck';
import { AppTray, closeToTray } from './tray';
import { createMainWindow, lockDownContents, lockDownPermissions } from './window';
import { restoreBounds } from './window-state';

/*
 * The Electron entry: only Electron's own objects are made and handed over here; what
 * the app does lives in app-core.ts and below, tested without Electron.
 */

/** How often the network state is looked at; main gets no online event of its own. */
const ONLINE_POLL_MS = 3_000;
/** Quitting waits this long at most for the room to close everyone's connection. */
const SHUTDOWN_GRACE_MS = 3_000;
const UNREAD_DOT_RGB = [0xe5, 0x39, 0x35] as const;

const log = (line: string): void => console.log(`[simplechat] ${line}`);

// Must happen before 'ready': our scheme is a standard, secure origin, like https.
protocol.registerSchemesAsPrivileged([{ scheme: RENDERER_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } }]);

if (process.platform === 'win32') app.setAppUserModelId(APP_ID);

/** Links that arrive before the window can take them (macOS sends open-url before ready). */
const earlyLinks: string[] = [];
let takeLink: (raw: string) => void = (raw) => void earlyLinks.push(raw);

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  app.on('open-url', (event, url) => {
    event.preventDefault();
    takeLink(url);
  });
  const fromCommandLine = linkFromArgs(process.argv);
  if (fromCommandLine !== undefined) earlyLinks.push(fromCommandLine);
  run().catch((error: unknown) => {
    log(`could not start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    app.exit(1);
  });
}

/** Tells `onChange` about every settings change (language → spellchecker). */
function observed(store: SettingsStore, onChange: (settings: Settings) => void): SettingsStore {
  return {
    get: () => store.get(),
    update: (patch) => {
      const settings = store.update(patch);
      onChange(settings);
      return settings;
    },
  };
}

async function run(): Promise<void> {
  await app.whenReady();
  const root = app.getAppPath();
  const webRoot = join(root, 'dist', 'renderer');
  const preloadPath = join(root, 'dist', 'preload', 'preload.cjs');
  const iconPath = join(root, 'assets', 'icon.png');
  const isDevelopment = !app.isPackaged;

  //! eng-disable PROTOCOL_HANDLER_JS_CHECK — simplechat:// links are parsed strictly by parseConnectLink and only prefill the connect dialog; nothing connects without the user
  if (app.isPackaged && process.platform !== 'linux') app.setAsDefaultProtocolClient(LINK_SCHEME);

  const stored = new ElectronStoreSettings({ cwd: app.getPath('userData') });
  if (stored.report.error) log(`settings: ${stored.report.error}`);
  if (stored.report.backupPath) log(`settings: the unreadable file was kept as ${stored.report.backupPath}`);
  if (stored.report.repaired.length > 0) log(`settings: reset to defaults: ${stored.report.repaired.join(', ')}`);

  const applySpellcheck = (settings: Settings): void => {
    const languages = spellcheckLanguages(settings.language, app.getPreferredSystemLanguages(), session.defaultSession.availableSpellCheckerLanguages);
    if (process.platform !== 'darwin' && languages.length > 0) session.defaultSession.setSpellCheckerLanguages(languages);
  };
  const settings = observed(stored, applySpellcheck);
  applySpellcheck(settings.get());

  // A line's file is fetched by main for the page, as the session's user (created below).
  protocol.handle(RENDERER_SCHEME, createRendererFileHandler(webRoot, (fileId, range, method) => core.controller.serveFile(fileId, range, method)));

  let window: BrowserWindow | null = null;
  let quitting = false;
  lockDownPermissions(session.defaultSession, (contents) => contents !== null && window !== null && !window.isDestroyed() && contents === window.webContents);

  const unreadDot = nativeImage.createFromBuffer(dotPng(16, UNREAD_DOT_RGB));
  let tray: AppTray | null = null;

  // The database (or, without Electron's build of better-sqlite3, the state file) keeps the
  // room's history and sessions across a restart of the app, so the others resume as the
  // same people with no gap.
  const sqliteBinding = electronSqliteBinding(app.isPackaged, root, process.resourcesPath);
  const storage = roomStorage({ userData: app.getPath('userData'), sqliteBinding });
  if (storage.dbFile === null) log(`room: no better-sqlite3 build for Electron at ${sqliteBinding} (npm run electron-native); history in ${storage.stateFile}`);
  const core: AppCore = createAppCore({
    ipcMain,
    settings,
    // With history off, nothing of the room is written: it lives in memory only.
    startServer: (config) =>
      startRoomServer(config, { log: (line) => log(`room: ${line}`), ...(settings.get().roomHistory ? storage : { dbFile: null, stateFile: null }) }),
    createSocket: createClientSocket,
    webRoot,
    networkInterfaces,
    mdns: createMdnsTransport,
    attention: {
      beep: () => shell.beep(),
      notificationsSupported: () => Notification.isSupported(),
      createNotification: (options) => new Notification({ ...options, icon: iconPath }),
      setBadgeCount: (count) => {
        app.setBadgeCount(count);
      },
      onUnreadCount: (count) => {
        tray?.setUnread(count);
        // Windows has no badge: a dot over the taskbar button says the same.
        if (process.platform === 'win32' && window !== null && !window.isDestroyed()) {
          window.setOverlayIcon(count > 0 ? unreadDot : null, count > 0 ? `${count} unread` : '');
        }
      },
    },
    onEvent: (event) => {
      if (event === 'hosting') refreshMenu();
    },
    idle: { systemIdleSeconds: () => powerMonitor.getSystemIdleTime() },
    downloads: { dir: () => app.getPath('downloads'), showItemInFolder: (path) => shell.showItemInFolder(path) },
    log,
  });
  // Only our window's downloads, and only of lines' files (downloads.ts); never opened by the app.
  session.defaultSession.on('will-download', (_event, item, contents) => {
    if (window === null || window.isDestroyed() || contents !== window.webContents || core.downloads === null) item.cancel();
    else core.downloads.take(item);
  });

  const showWindow = (): void => {
    if (window === null) openWindow();
    else core.attention.focusWindow();
  };

  const quit = (): void => {
    quitting = true;
    app.quit();
  };

  /** A link only prefills the connect dialog: nothing connects until the user confirms. */
  const openLink = (raw: string): void => {
    const parsed = parseConnectLink(raw);
    if (!parsed.ok) {
      log(`link refused (${parsed.reason})`);
      return;
    }
    core.events.emit('connectLink', parsed.link);
    showWindow();
  };

  const openConnectDialog = (): void => {
    const { server, port, userName } = settings.get();
    const link: ConnectLink = { server, port };
    if (userName !== '') link.userName = userName;
    core.events.emit('connectLink', link);
    showWindow();
  };

  const toggleHosting = (): void => {
    const task =
      core.host.status.state === 'running'
        ? core.controller.stopHosting()
        : core.controller.hostSaved();
    task.catch((error: unknown) => log(`hosting: ${String(error)}`));
  };

  const showAbout = (): void => {
    if (process.platform === 'win32') {
      const text = aboutText(PRODUCT_NAME, app.getVersion(), process.versions);
      const options = { type: 'info' as const, buttons: ['OK'], ...text };
      void (window !== null && !window.isDestroyed() ? dialog.showMessageBox(window, options) : dialog.showMessageBox(options));
    } else {
      app.showAboutPanel();
    }
  };
  app.setAboutPanelOptions({ applicationName: PRODUCT_NAME, applicationVersion: app.getVersion(), iconPath });

  function refreshMenu(): void {
    const template = applicationMenuTemplate({
      platform: process.platform,
      isDevelopment,
      appName: PRODUCT_NAME,
      hosting: core.host.status.state === 'running',
      actions: { openConnectDialog, toggleHosting, showAbout },
    });
    Menu.setApplicationMenu(Menu.buildFromTemplate(template));
  }
  refreshMenu();

  tray = new AppTray({
    createTray: () => new Tray(nativeImage.createFromPath(iconPath).resize({ width: 22, height: 22 })),
    buildMenu: (template) => Menu.buildFromTemplate(template),
    showWindow,
    quit,
    platform: process.platform,
    appName: PRODUCT_NAME,
  });

  function openWindow(): BrowserWindow {
    const workAreas = screen.getAllDisplays().map((display) => display.workArea);
    const created = createMainWindow({
      BrowserWindow,
      //! eng-disable OPEN_EXTERNAL_JS_CHECK — only called through openLinkExternally, which passes http(s) URLs without credentials (externalLinkTarget)
      openExternal: (url) => shell.openExternal(url),
      preloadPath,
      bounds: restoreBounds(settings.get().window, workAreas),
      extraOptions: process.platform === 'linux' ? { icon: iconPath } : {},
      log,
    });
    closeToTray(created, {
      closeToTray: () => settings.get().closeToTray,
      quitting: () => quitting,
      noticeShown: () => settings.get().trayNoticeShown,
      showNotice: () => {
        settings.update({ trayNoticeShown: true });
        if (!Notification.isSupported()) return;
        new Notification({
          title: `${PRODUCT_NAME} is still running`,
          body: 'It keeps you in the chat from the tray. Quit it from the tray menu, or turn off "close to tray" in the settings.',
          icon: iconPath,
        }).show();
      },
    });
    created.on('closed', () => {
      if (window === created) window = null;
    });
    window = created;
    core.attachWindow(created);
    return created;
  }

  app.on('web-contents-created', (_event, contents) => {
    //! eng-disable OPEN_EXTERNAL_JS_CHECK — lockDownContents opens links only through openLinkExternally (http(s), no credentials)
    if (contents.getType() === 'webview') lockDownContents(contents, (url) => shell.openExternal(url), log);
  });

  app.on('second-instance', (_event, argv) => {
    const link = linkFromArgs(argv);
    if (link !== undefined) openLink(link);
    else showWindow();
  });
  app.on('activate', () => {
    if (window === null) openWindow();
    else core.attention.focusWindow();
  });
  app.on('window-all-closed', () => {
    // macOS keeps the app (and a hosted room) alive until Quit, as its users expect.
    if (process.platform !== 'darwin') quit();
  });

  let shutDown = false;
  app.on('before-quit', (event) => {
    quitting = true;
    if (shutDown) return;
    event.preventDefault();
    const grace = new Promise<void>((resolve) => setTimeout(resolve, SHUTDOWN_GRACE_MS));
    Promise.race([core.close(), grace])
      .catch((error: unknown) => log(`shutdown: ${String(error)}`))
      .finally(() => {
        shutDown = true;
        tray?.destroy();
        app.quit();
      });
  });

  // Sleep, wake and network changes: try to reconnect at once rather than after the backoff.
  powerMonitor.on('resume', () => core.controller.wake());
  powerMonitor.on('unlock-screen', () => core.controller.wake());
  let online = net.isOnline();
  const onlinePoll = setInterval(() => {
    const now = net.isOnline();
    if (now && !online) core.controller.wake();
    online = now;
  }, ONLINE_POLL_MS);
  onlinePoll.unref();

  openWindow();
  takeLink = openLink;
  for (const raw of earlyLinks.splice(0)) openLink(raw);
}
