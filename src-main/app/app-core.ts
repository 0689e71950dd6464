import type { IpcMain, WebContents } from 'electron';
import { ClientSession } from '../../src-shared/session';
import type { ClientSessionOptions, CreateSocket } from '../../src-shared/session';
import { startBrowsing } from '../discovery';
import type { Browsing, CreateMdnsTransport } from '../discovery';
import { RoomAnnouncer } from './announcer';
import { Attention } from './attention';
import type { AttentionDeps, AttentionWindow } from './attention';
import { ChatController } from './controller';
import { Downloads } from './downloads';
import { RoomHost } from './hosting';
import { IdleAway } from './idle-away';
import type { IdleAwayOptions } from './idle-away';
import type { StartServer } from './hosting';
import { RendererEvents, isOwnRendererEvent, registerCommands } from './ipc';
import type { EventSink, TrustedWindow } from './ipc';
import type { NetworkInterfaces } from './lan-addresses';
import { isRendererUrl } from './security';
import type { SettingsStore } from './settings-store';
import { trackWindowState } from './window-state';
import type { TrackedWindow } from './window-state';

/*
 * Everything the app is, minus Electron's own objects: the session, the hosted room,
 * the IPC wiring, attention and the window's life. main.ts hands in Electron's pieces;
 * tests hand in fakes and drive two of these against a real server.
 */

/** The parts of our BrowserWindow the core uses. */
export interface CoreWindow extends TrustedWindow, AttentionWindow, TrackedWindow {
  webContents: WebContents;
  on(event: 'focus' | 'move' | 'resize' | 'maximize' | 'unmaximize' | 'close', listener: () => void): unknown;
}

export interface AppCoreOptions {
  ipcMain: Pick<IpcMain, 'handle' | 'removeHandler'>;
  settings: SettingsStore;
  startServer: StartServer;
  createSocket: CreateSocket;
  /** dist/renderer: the page the window shows and the hosted room serves to browsers. */
  webRoot: string;
  networkInterfaces: () => NetworkInterfaces;
  attention: AttentionDeps;
  /** Where the room listens; every interface unless a test narrows it. */
  listenHosts?: readonly string[];
  session?: Omit<ClientSessionOptions, 'createSocket'>;
  /** Sees every event on its way to the page (main rebuilds its menu on hosting changes). */
  onEvent?: EventSink;
  log?: (line: string) => void;
  /** Finds rooms on the local network and announces the hosted one; none: no discovery. */
  mdns?: CreateMdnsTransport;
  /** Where lines' files are saved (app.getPath('downloads')) and how one is shown (shell.showItemInFolder); none: no downloads. */
  downloads?: { dir: () => string; showItemInFolder: (path: string) => void };
  /** The system's idle time in seconds (powerMonitor.getSystemIdleTime): away after a while at rest; none: never. */
  idle?: { systemIdleSeconds: () => number } & IdleAwayOptions;
}

export interface AppCore {
  readonly controller: ChatController;
  readonly events: RendererEvents;
  readonly attention: Attention;
  readonly host: RoomHost;
  readonly session: ClientSession;
  /** Takes the window's downloads (Electron's will-download); null without `downloads`. */
  readonly downloads: Downloads | null;
  /** Makes `window` ours: IPC trusts it, events go to it, attention flashes it, its bounds are saved. */
  attachWindow(window: CoreWindow): void;
  /** Leaves, closes the room and removes the IPC handlers. */
  close(): Promise<void>;
}

export function createAppCore(options: AppCoreOptions): AppCore {
  const log = options.log ?? (() => {});
  const events = new RendererEvents(options.onEvent);
  const announcer = options.mdns === undefined ? null : new RoomAnnouncer(options.mdns, log);
  const announce = (): void => {
    if (announcer !== null) void announcer.sync(host.status, options.settings.get(), host.roomKey !== undefined);
  };
  // A change of name or of "Visible on this network" changes what is announced.
  const settings: SettingsStore = {
    get: () => options.settings.get(),
    update: (patch) => {
      const next = options.settings.update(patch);
      // Not on every window-state save: only what the announcement says.
      if ('roomName' in patch || 'userName' in patch || 'visibleOnNetwork' in patch) announce();
      return next;
    },
  };
  const host: RoomHost = new RoomHost({
    startServer: options.startServer,
    webRoot: options.webRoot,
    networkInterfaces: options.networkInterfaces,
    onStatus: (status) => {
      if (status.state === 'failed') log(`hosting: ${status.message}`);
      events.emit('hosting', status);
      announce();
    },
    ...(options.listenHosts ? { listenHosts: options.listenHosts } : {}),
  });
  const session = new ClientSession({ ...options.session, createSocket: options.createSocket });
  const attention = new Attention(options.attention);
  const downloads =
    options.downloads === undefined ? null : new Downloads(options.downloads.dir, (status) => events.emit('download', status), options.downloads.showItemInFolder);
  const controller = new ChatController({
    session,
    host,
    settings,
    attention,
    emit: events.emit,
    log,
    ...(downloads === null ? {} : { showDownload: (id: string) => downloads.show(id) }),
  });
  const idleAway = options.idle === undefined ? null : new IdleAway(session, options.idle.systemIdleSeconds, options.idle);
  idleAway?.start();
  let browsing: Browsing | null = null;
  if (options.mdns !== undefined) {
    try {
      browsing = startBrowsing(
        options.mdns(log),
        (rooms) => events.emit('foundRooms', rooms),
        (instance) => announcer?.isOwn(instance) ?? false,
      );
    } catch (error) {
      log(`discovery: cannot browse the local network: ${String(error)}`);
    }
  }

  let window: CoreWindow | null = null;
  let started = false;
  let windowTracking: ReturnType<typeof trackWindowState> | null = null;
  const removeHandlers = registerCommands({
    ipcMain: options.ipcMain,
    commands: controller,
    isTrustedSender: (event) => isOwnRendererEvent(event, window, isRendererUrl),
    log,
  });

  const attachWindow = (next: CoreWindow): void => {
    windowTracking?.dispose();
    window = next;
    attention.attachWindow(next);
    next.on('focus', () => attention.windowFocused());
    windowTracking = trackWindowState(next, (state) => {
      try {
        settings.update({ window: state });
      } catch (error) {
        log(`settings: window state not saved: ${String(error)}`);
      }
    });
    const contents = next.webContents;
    contents.on('did-start-navigation', (details) => {
      if (details.isMainFrame && !details.isSameDocument) events.detach();
    });
    contents.on('render-process-gone', (_event, details) => {
      log(`window: the page's process is gone (${details.reason}); reloading`);
      events.detach();
      if (details.reason !== 'clean-exit' && !next.isDestroyed()) contents.reload();
    });
    contents.on('did-finish-load', () => {
      // The page has run its scripts and subscribed: what it missed is delivered now.
      events.attach(contents);
      if (started) return;
      started = true;
      controller.start().catch((error: unknown) => log(`start: ${String(error)}`));
    });
  };

  return {
    controller,
    events,
    attention,
    host,
    session,
    downloads,
    attachWindow,
    async close() {
      idleAway?.stop();
      windowTracking?.dispose();
      removeHandlers();
      await controller.shutdown();
      await announcer?.stop();
      await browsing?.stop();
    },
  };
}
