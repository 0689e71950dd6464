import { BrowserWindow, Notification, app, ipcMain, net, powerMonitor, protocol, screen, session, shell } from 'electron';
import { networkInterfaces } from 'node:os';
import { join } from 'node:path';
import { WebSocket } from 'ws';
import { createAppCore } from './app-core';
import type { AppCore } from './app-core';
import { APP_ID } from './app-id';
import { startRoomServer } from './room-server';
import { RENDERER_SCHEME, createRendererFileHandler } from './security';
import { ElectronStoreSettings } from './settings-electron-store';
import { createMainWindow, lockDownContents, lockDownPermissions } from './window';
import { restoreBounds } from './window-state';

/*
 * The Electron entry: only Electron's own objects are made and handed over here; what
 * the app does lives in app-core.ts and below, tested without Electron.
 */

/** Largest frame we accept from a server: History can be long, but not unbounded. */
const MAX_INCOMING_FRAME_BYTES = 16 * 1024 * 1024;
const CONNECT_TIMEOUT_MS = 10_000;
/** How often the network state is looked at; main gets no online event of its own. */
const ONLINE_POLL_MS = 3_000;
/** Quitting waits this long at most for the room to close everyone's connection. */
const SHUTDOWN_GRACE_MS = 3_000;

const log = (line: string): void => console.log(`[simplechat] ${line}`);

// Must happen before 'ready': our scheme is a standard, secure origin, like https.
protocol.registerSchemesAsPrivileged([{ scheme: RENDERER_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } }]);

if (process.platform === 'win32') app.setAppUserModelId(APP_ID);

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  run().catch((error: unknown) => {
    log(`could not start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    app.exit(1);
  });
}

async function run(): Promise<void> {
  await app.whenReady();
  const root = app.getAppPath();
  const webRoot = join(root, 'dist', 'renderer');
  const preloadPath = join(root, 'dist', 'preload', 'preload.cjs');

  const settings = new ElectronStoreSettings({ cwd: app.getPath('userData') });
  if (settings.report.error) log(`settings: ${settings.report.error}`);
  if (settings.report.backupPath) log(`settings: the unreadable file was kept as ${settings.report.backupPath}`);
  if (settings.report.repaired.length > 0) log(`settings: reset to defaults: ${settings.report.repaired.join(', ')}`);

  protocol.handle(RENDERER_SCHEME, createRendererFileHandler(webRoot));

  let window: BrowserWindow | null = null;
  lockDownPermissions(session.defaultSession, (contents) => contents !== null && window !== null && !window.isDestroyed() && contents === window.webContents);

  const core: AppCore = createAppCore({
    ipcMain,
    settings,
    startServer: (config) => startRoomServer(config, { log: (line) => log(`room: ${line}`) }),
    createSocket: (url) => new WebSocket(url, { maxPayload: MAX_INCOMING_FRAME_BYTES, handshakeTimeout: CONNECT_TIMEOUT_MS }),
    webRoot,
    networkInterfaces,
    attention: {
      beep: () => shell.beep(),
      notificationsSupported: () => Notification.isSupported(),
      createNotification: (options) => new Notification(options),
      setBadgeCount: (count) => {
        app.setBadgeCount(count);
      },
    },
    log,
  });

  const openWindow = (): BrowserWindow => {
    const workAreas = screen.getAllDisplays().map((display) => display.workArea);
    const created = createMainWindow({
      BrowserWindow,
      openExternal: (url) => shell.openExternal(url),
      preloadPath,
      bounds: restoreBounds(settings.get().window, workAreas),
      log,
    });
    created.on('closed', () => {
      if (window === created) window = null;
    });
    window = created;
    core.attachWindow(created);
    return created;
  };

  // Any other webContents (devtools aside, there should be none) gets the same locks.
  app.on('web-contents-created', (_event, contents) => {
    if (contents.getType() === 'webview') lockDownContents(contents, (url) => shell.openExternal(url), log);
  });

  app.on('second-instance', () => {
    if (window === null) openWindow();
    else core.attention.focusWindow();
  });
  app.on('activate', () => {
    if (window === null) openWindow();
  });
  app.on('window-all-closed', () => {
    // macOS keeps the app (and a hosted room) alive until Quit, as its users expect.
    if (process.platform !== 'darwin') app.quit();
  });

  let shutDown = false;
  app.on('before-quit', (event) => {
    if (shutDown) return;
    event.preventDefault();
    const grace = new Promise<void>((resolve) => setTimeout(resolve, SHUTDOWN_GRACE_MS));
    Promise.race([core.close(), grace])
      .catch((error: unknown) => log(`shutdown: ${String(error)}`))
      .finally(() => {
        shutDown = true;
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
}
