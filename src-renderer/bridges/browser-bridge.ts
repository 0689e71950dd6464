import type { AttentionRequest, BridgeEvents, ChatBridge, ConnectRequest, EventName, Settings, Unsubscribe } from '../../src-shared/bridge';
import { ClientSession } from '../../src-shared/session';
import { savedKeyFor } from '../../src-shared/bridge';
import { BrowserSettingsStore, browserDefaults, pageOverrides, servedByRoom } from './browser-settings';
import { TabSession } from './tab-session';
import { BrowserFiles } from './browser-files';
import type { UploadProgress } from '../../src-shared/bridge';

const NOT_IN_A_BROWSER = 'Hosting a room is not available in a browser: use the SimpleChat desktop app or the standalone server.';
const BLINK_INTERVAL_MS = 1_000;

/** What the browser bridge takes from the page; a test may pass its own. */
export interface BrowserBridgeHost {
  window: Window;
  document: Document;
  /** Settings, shared by the site's tabs (localStorage). */
  storage: Storage | null;
  /** This tab's own (sessionStorage): the session handed from a page to its reload. */
  tabStorage: Storage | null;
}

function storageOrNull(win: Window, which: 'localStorage' | 'sessionStorage'): Storage | null {
  try {
    return win[which];
  } catch {
    return null;
  }
}

/** The login the settings describe: what Connect would ask for with the dialog as it opens. */
function requestFromSettings(settings: Settings): ConnectRequest {
  const request: ConnectRequest = {
    server: settings.server,
    port: settings.port,
    userName: settings.userName,
    userColor: settings.userColor,
    gender: settings.gender,
  };
  const roomKey = savedKeyFor(settings.roomKeys, settings.server, settings.port);
  if (roomKey !== '') request.roomKey = roomKey;
  return request;
}

/**
 * The ChatBridge for a page served by a SimpleChat server: the shared client
 * session over the browser's WebSocket, settings in localStorage, attention
 * through the tab title and (when the user allowed them) notifications. A reload
 * of the tab comes back as the same user, without asking (see `TabSession`).
 */
export function createBrowserBridge(
  host: BrowserBridgeHost = {
    window,
    document,
    storage: storageOrNull(window, 'localStorage'),
    tabStorage: storageOrNull(window, 'sessionStorage'),
  },
): ChatBridge {
  const { window: win, document: doc } = host;
  const session = new ClientSession({ createSocket: (url) => new WebSocket(url) });
  const settings = new BrowserSettingsStore(host.storage, browserDefaults(win.location), pageOverrides(win.location), servedByRoom(win.location));
  const tab = new TabSession(host.tabStorage, win);
  session.allowBuzzes(settings.load().allowBuzz);
  /** The login of the session this page runs, for handing it over to the next page in this tab. */
  let currentRequest: ConnectRequest | undefined;
  tab.onLeave(() => {
    const resume = session.resumable;
    return currentRequest === undefined || resume === undefined ? undefined : { request: currentRequest, resume };
  });
  let resumeTried = false;
  /**
   * The previous page of this tab left a session: take it back, if the settings still
   * ask for that login (another tab may have changed them) and nothing started meanwhile.
   */
  const resumeOnce = (): void => {
    if (resumeTried) return;
    resumeTried = true;
    const left = tab.takeOver();
    if (left === undefined || session.status.state !== 'idle') return;
    const request = requestFromSettings(settings.load());
    if (!TabSession.sameLogin(left.request, request)) return;
    currentRequest = request;
    session.connect(settings.withIdentity(request), left.resume);
  };
  // Events only the desktop app raises: listeners are kept, never called.
  const desktopOnly = new Set<EventName>(['hosting', 'connectLink', 'foundRooms', 'download']);
  const idleListeners = new Set<unknown>();
  const progressListeners = new Set<(progress: UploadProgress) => void>();
  const files = new BrowserFiles(
    () => session.fileAccess,
    (progress) => {
      for (const listener of [...progressListeners]) listener(progress);
    },
  );
  const title = new TabTitle(doc, win);
  const notifications = new NotificationPermission(win);

  // Back online: try now rather than wait out the backoff.
  win.addEventListener('online', () => session.reconnectNow());

  const on = <E extends EventName>(event: E, listener: (payload: BridgeEvents[E]) => void): Unsubscribe => {
    if (desktopOnly.has(event)) {
      idleListeners.add(listener);
      return () => idleListeners.delete(listener);
    }
    if (event === 'uploadProgress') {
      const typed = listener as (progress: UploadProgress) => void;
      progressListeners.add(typed);
      return () => progressListeners.delete(typed);
    }
    const unsubscribe = session.on(event as 'message' | 'status' | 'notice' | 'outbox' | 'olderHistory', listener as never);
    // The first to listen to the status is the UI, subscribing at start: after its other
    // subscriptions (same task) and before it reads the settings (a later microtask), so
    // it hears the whole resumed login and knows not to ask for one.
    if (event === 'status' && !resumeTried) queueMicrotask(resumeOnce);
    return unsubscribe;
  };

  return {
    on,
    connect: async (request) => {
      // Connect is pressed by the user: the one moment a permission prompt is theirs to answer.
      notifications.askOnUserGesture();
      // The user chose: a session the previous page left is not taken back any more.
      resumeTried = true;
      currentRequest = { ...request };
      session.connect(settings.withIdentity(request));
    },
    disconnect: async () => {
      currentRequest = undefined;
      tab.forget();
      session.disconnect();
    },
    send: async (request) => session.send(request),
    hostRoom: () => Promise.reject(new Error(NOT_IN_A_BROWSER)),
    stopHosting: () => Promise.reject(new Error(NOT_IN_A_BROWSER)),
    getSettings: async () => settings.load(),
    saveSettings: async (patch) => {
      const saved = settings.save(patch);
      session.allowBuzzes(saved.allowBuzz);
      return saved;
    },
    requestAttention: async (request) => title.attention(request),
    setUnreadCount: async (count) => title.setUnread(count),
    cancelPending: async (id) => session.cancelPending(id),
    loadOlder: async (request) => session.loadOlder(request.before, request.limit, request.room),
    editMessage: async (request) => session.changeLine(request.messageId, request.text),
    deleteMessage: async (request) => session.changeLine(request.messageId, null),
    setStatus: async (request) => session.setStatus(request.status, request.text),
    buzz: async (request) => session.buzz(request.toUserId),
    loadDialog: async (request) => session.loadDialog(request.withUserId, request.before, request.limit),
    joinRoom: async (request) => {
      session.joinRoom(request.room, request.key);
      return true;
    },
    leaveRoom: async (request) => session.leaveRoom(request.room),
    listRooms: async () => session.listRooms(),
    uploadFile: (request) => files.upload(request),
    cancelUpload: async (uploadId) => files.cancel(uploadId),
    fileLink: (fileId) => files.link(fileId),
    // The browser keeps its own downloads, and shows them itself.
    showDownload: async () => false,
    reconnectNow: async () => session.reconnectNow(),
  };
}

/**
 * Asks for notification permission once per page, and only inside a user's gesture
 * (browsers ignore or penalise prompts at load, and users rightly dismiss them).
 */
class NotificationPermission {
  private asked = false;

  constructor(private readonly win: Window) {}

  askOnUserGesture(): void {
    if (this.asked) return;
    const N = (this.win as Window & { Notification?: typeof Notification }).Notification;
    if (!N || N.permission !== 'default') return;
    // Without a live user activation the prompt would come out of nowhere: wait for the next Connect.
    const activation = (this.win.navigator as Navigator & { userActivation?: { isActive: boolean } }).userActivation;
    if (activation !== undefined && !activation.isActive) return;
    this.asked = true;
    try {
      void Promise.resolve(N.requestPermission()).catch(() => undefined);
    } catch {
      // An old callback-only API or a refusal: the tab title still tells the user.
    }
  }
}

/** The tab's title: `(3) SimpleChat` while unread, blinking on a mention until the tab is looked at. */
class TabTitle {
  private unread = 0;
  private blinkTimer: ReturnType<typeof setInterval> | undefined;

  constructor(
    private readonly doc: Document,
    private readonly win: Window,
  ) {
    const stop = (): void => {
      if (this.seen()) this.stopBlink();
    };
    win.addEventListener('focus', stop);
    doc.addEventListener('visibilitychange', stop);
  }

  setUnread(count: number): void {
    this.unread = count;
    if (this.blinkTimer === undefined) this.doc.title = this.plain();
  }

  attention(request: AttentionRequest): void {
    if (this.seen()) return;
    this.notify(request);
    if (this.blinkTimer !== undefined) return;
    const alert = `${request.kind === 'buzz' ? '🔔' : '✉'} ${request.from}`;
    let on = false;
    this.blinkTimer = setInterval(() => {
      on = !on;
      this.doc.title = on ? alert : this.plain();
    }, BLINK_INTERVAL_MS);
  }

  private notify(request: AttentionRequest): void {
    const N = (this.win as Window & { Notification?: typeof Notification }).Notification;
    if (!N || N.permission !== 'granted') return;
    try {
      new N(request.from, { body: request.text.slice(0, 200), tag: 'simplechat' });
    } catch {
      // Some browsers allow notifications only from a service worker; the title still blinks.
    }
  }

  private stopBlink(): void {
    if (this.blinkTimer === undefined) return;
    clearInterval(this.blinkTimer);
    this.blinkTimer = undefined;
    this.doc.title = this.plain();
  }

  private plain(): string {
    const base = this.doc.querySelector('meta[name="application-name"]')?.getAttribute('content') ?? 'SimpleChat';
    return this.unread > 0 ? `(${this.unread}) ${base}` : base;
  }

  private seen(): boolean {
    return this.doc.visibilityState === 'visible' && this.doc.hasFocus();
  }
}
