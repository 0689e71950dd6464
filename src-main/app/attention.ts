import type { AttentionRequest } from '../../src-shared/bridge';

/*
 * Getting the user's attention when a message mentions them or is private to them:
 * a beep, the taskbar entry flashing until the window is focused, an OS notification
 * while unfocused (a click brings the window forward), and the unread badge. The
 * Electron pieces come in as small interfaces, so this runs in tests as it is.
 */

export interface AttentionWindow {
  isDestroyed(): boolean;
  isMaximized(): boolean;
  isFullScreen(): boolean;
  getPosition(): number[];
  setPosition(x: number, y: number): void;
  isFocused(): boolean;
  isMinimized(): boolean;
  isVisible(): boolean;
  flashFrame(flag: boolean): void;
  restore(): void;
  show(): void;
  focus(): void;
}

export interface AttentionNotification {
  show(): void;
  close(): void;
  on(event: 'click' | 'close', listener: () => void): unknown;
}

export interface AttentionDeps {
  /** shell.beep */
  beep(): void;
  /** Notification.isSupported */
  notificationsSupported(): boolean;
  createNotification(options: { title: string; body: string; silent: boolean }): AttentionNotification;
  /** app.setBadgeCount: the dock (macOS) and launcher (Linux) badge. */
  setBadgeCount(count: number): void;
  /** Told about every unread change, for the tray and the Windows overlay. */
  onUnreadCount?: (count: number) => void;
  now?: () => number;
  /** setTimeout, for the shake's steps; a test passes fake timers. */
  setTimeout?: (run: () => void, ms: number) => unknown;
}

/** Beeps closer together than this are one beep: a burst of mentions is not a drum roll. */
export const BEEP_MIN_INTERVAL_MS = 1_000;
/** A buzz shakes the window by these offsets (px, left and right of where it stands), one per SHAKE_STEP_MS. */
export const SHAKE_OFFSETS = [10, -10, 8, -8, 6, -6, 3, -3, 0] as const;
export const SHAKE_STEP_MS = 35;
/** A notification body is cut here; the message is in the window. */
export const NOTIFICATION_BODY_MAX = 200;

export function notificationText(request: AttentionRequest): { title: string; body: string } {
  const from = request.from.trim().slice(0, 64) || 'Someone';
  const title = request.kind === 'private' ? `${from} (private message)` : request.kind === 'buzz' ? `${from} buzzed you` : `${from} mentioned you`;
  const flat = request.text.replace(/\s+/g, ' ').trim();
  const cut = Array.from(flat);
  const body = cut.length > NOTIFICATION_BODY_MAX ? `${cut.slice(0, NOTIFICATION_BODY_MAX - 1).join('')}…` : flat;
  return { title, body };
}

export class Attention {
  readonly #deps: AttentionDeps;
  readonly #now: () => number;
  #window: AttentionWindow | null = null;
  #lastBeep = Number.NEGATIVE_INFINITY;
  /** Kept referenced until closed: a collected Notification loses its click handler. */
  #notification: AttentionNotification | null = null;
  #unread = 0;

  constructor(deps: AttentionDeps) {
    this.#deps = deps;
    this.#now = deps.now ?? Date.now;
  }

  get unreadCount(): number {
    return this.#unread;
  }

  /** The window to flash and focus. Call `windowFocused` from its 'focus' event. */
  attachWindow(window: AttentionWindow | null): void {
    this.#window = window;
  }

  /** The user is looking: stop flashing, and the notification has done its job. */
  windowFocused(): void {
    const window = this.#liveWindow();
    window?.flashFrame(false);
    this.#closeNotification();
  }

  request(request: AttentionRequest): void {
    const now = this.#now();
    // A buzz has its own sound (the page plays it) and shakes the window.
    if (request.kind === 'buzz') this.#shake();
    else if (now - this.#lastBeep >= BEEP_MIN_INTERVAL_MS) {
      this.#lastBeep = now;
      this.#deps.beep();
    }
    const window = this.#liveWindow();
    const looking = window !== null && window.isFocused();
    if (looking) return;
    window?.flashFrame(true);
    if (this.#deps.notificationsSupported()) this.#notify(request);
  }

  setUnreadCount(count: number): void {
    this.#unread = count;
    this.#deps.setBadgeCount(count);
    this.#deps.onUnreadCount?.(count);
  }

  focusWindow(): void {
    const window = this.#liveWindow();
    if (window === null) return;
    if (window.isMinimized()) window.restore();
    if (!window.isVisible()) window.show();
    window.focus();
  }

  #notify(request: AttentionRequest): void {
    // One at a time: the newest replaces the last instead of stacking up.
    this.#closeNotification();
    // Silent: the beep above is the sound; two would be one too many.
    const notification = this.#deps.createNotification({ ...notificationText(request), silent: true });
    this.#notification = notification;
    notification.on('click', () => this.focusWindow());
    notification.on('close', () => {
      if (this.#notification === notification) this.#notification = null;
    });
    notification.show();
  }

  #shaking = false;

  /** Moves the window left and right a moment, back to where it was; not a maximised or full-screen one. */
  #shake(): void {
    const window = this.#liveWindow();
    if (window === null || this.#shaking || window.isMinimized() || window.isMaximized() || window.isFullScreen()) return;
    const [x, y] = window.getPosition();
    if (x === undefined || y === undefined) return;
    const later = this.#deps.setTimeout ?? ((run: () => void, ms: number) => setTimeout(run, ms));
    this.#shaking = true;
    const step = (i: number): void => {
      const live = this.#liveWindow();
      if (live === null) {
        this.#shaking = false;
        return;
      }
      live.setPosition(x + SHAKE_OFFSETS[i]!, y);
      if (i + 1 < SHAKE_OFFSETS.length) later(() => step(i + 1), SHAKE_STEP_MS);
      else this.#shaking = false;
    };
    step(0);
  }

  #closeNotification(): void {
    const notification = this.#notification;
    this.#notification = null;
    notification?.close();
  }

  #liveWindow(): AttentionWindow | null {
    const window = this.#window;
    return window !== null && !window.isDestroyed() ? window : null;
  }
}
