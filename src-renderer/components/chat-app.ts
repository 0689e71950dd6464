import { LitElement, css, html, nothing } from 'lit';
import type { TemplateResult } from 'lit';
import { customElement, property, query, state } from 'lit/decorators.js';
import { DEFAULT_SETTINGS, withSavedKey } from '../../src-shared/bridge';
import type { ChatBridge, ConnectLink, ConnectProblem, ConnectRequest, FoundRoom, HostRequest, Language, Settings, SettingsPatch, Theme, Unsubscribe } from '../../src-shared/bridge';
import { DEFAULT_HISTORY_PAGE, parseRichText, plainExcerpt, plainText } from '../../src-shared/protocol';
import type { Identity } from '../../src-shared/protocol';
import { insertMention } from '../format/mention';
import { format, hasStrings, loadStrings, resolveLanguage, stringsFor } from '../i18n';
import type { Strings, UiLanguage } from '../i18n';
import { applyThemeChoice } from './theme';
import { INITIAL_STATE, attentionFor, canCompose, canLoadMissed, canLoadOlder, reduce } from '../state/chat-state';
import type { ChatEvent, ChatState } from '../state/chat-state';
import { findMessage, lineAt, totalLines } from '../state/log';
import type { ChatLine } from '../state/log';
import { buttonStyles } from './button-styles';
import type { ChatLog } from './chat-log';
import type { ConnectDialog } from './connect-dialog';
import type { ConnectForm } from './events';
import type { MessageInput } from './message-input';
import './chat-log';
import './connect-dialog';
import './copy-link';
import './message-input';
import './user-list';
import './sidebar';
import './room-dialog';
import './quick-switcher';
import { canLoadDialogOlder, canLoadRoomOlder, newChatLines, roomsMissingLines, shownConversation } from '../state/chat-state';
import { conversationFromSetting, conversationOrder, conversationToSetting, findRoom, sameRoomName, stepConversation } from '../state/conversations';
import type { ConversationRef } from '../state/conversations';
import { withSavedConversation } from '../../src-shared/bridge';
import './status-picker';
import './upload-list';
import { Transfers } from './transfers';
import type { LineTarget } from './transfers';
import type { FileLinkOutcome, UploadFailure } from '../../src-shared/protocol';
import type { UserStatus } from '../../src-shared/protocol';
import type { ServerMessage } from '../../src-shared/protocol';
import { playBuzzSound } from '../sound/buzz-sound';
import { presenceOf } from '../state/statuses';

/** Looking for a quoted line goes back at most this many pages. */
const MAX_SEEK_PAGES = 40;

/** A line's text as it was typed: mentions back in braces, markup gone. */
function typedText(line: ChatLine): string {
  return parseRichText(line.text)
    .map((run) => (run.bold ? `{${run.text}}` : run.text))
    .join('');
}


const hasFiles = (event: DragEvent): boolean => event.dataTransfer?.types.includes('Files') === true;

/** How long the app shakes on a buzz (a browser; the desktop app shakes its window). */
const SHAKE_MS = 600;

/** How long bridge events wait for a frame before they are folded anyway (a hidden window gets none). */
const HIDDEN_FLUSH_MS = 100;

/** The focused element, inside shadow roots too. */
function deepActiveElement(): Element | null {
  let active = document.activeElement;
  while (active?.shadowRoot?.activeElement) active = active.shadowRoot.activeElement;
  return active;
}

const errorText = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/**
 * The root: owns the chat state (folded from bridge events by the pure reducer),
 * the draft and the dialog, and turns the components' events into bridge commands.
 */
@customElement('chat-app')
export class ChatApp extends LitElement {
  @property({ attribute: false }) accessor bridge: ChatBridge | null = null;
  /** Hosting a room needs the desktop app; a browser cannot listen. */
  @property({ type: Boolean }) accessor canHost = false;
  /** A page served by a room: it can join only that room (issue 19 §2). */
  @property({ type: Boolean }) accessor guest = false;

  @state() private accessor chat: ChatState = INITIAL_STATE;
  @state() private accessor settings: Settings = DEFAULT_SETTINGS as Settings;
  @state() private accessor language: UiLanguage = 'en';
  /** The last language asked for, which may still be loading. */
  private wantedLanguage: UiLanguage = 'en';
  @state() private accessor foundRooms: FoundRoom[] = [];
  /** Phone layout: the user list is shown instead of the chat. */
  @state() private accessor usersShown = false;
  @state() private accessor draft = '';
  @state() private accessor dialogOpen = false;
  @state() private accessor connecting = false;
  @state() private accessor dialogError: string | null = null;
  /** What in the form the error is about: it is said beside that field. */
  @state() private accessor dialogProblem: ConnectProblem | null = null;
  /** Connect went to the session and the dialog waits for the login (or the reason it failed). */
  @state() private accessor awaitingLogin = false;
  @state() private accessor link: ConnectLink | null = null;
  /** The line being edited, and the draft it took the input from. */
  @state() private accessor editing: { messageId: number; draft: string } | null = null;
  /** The line the next message answers. */
  @state() private accessor replyTo: { messageId: number; userName: string; excerpt: string } | null = null;
  /** A Delete waiting for the user to confirm it. */
  @state() private accessor confirmingDelete: number | null = null;
  /** A buzz came: the app shakes a moment (issue 13 §4). */
  @state() private accessor shaking = false;
  /** Files are dragged over the window. */
  @state() private accessor dragging = false;
  /** Uploads and downloads (issue 14 §3). */
  private readonly transfers = new Transfers(
    this,
    (reason) => this.apply({ type: 'notice', notice: { kind: 'send-failed', reason }, time: Date.now() }),
    () => this.chatLog?.scrollToEnd(),
  );
  /** The buzz's sound; a test may listen in. */
  buzzSound: () => void = playBuzzSound;
  private shakeTimer: ReturnType<typeof setTimeout> | undefined;

  /** The "Join or create a room" dialog or the quick switcher (Ctrl+K), when open. */
  @state() private accessor overlay: 'rooms' | 'switcher' | null = null;
  /** A remembered locked room the server refused without its key: the join dialog asks for it. */
  @state() private accessor needsKey: string | null = null;
  /** The remembered room being joined again after the login (keys are kept in memory only, so a reload has none). */
  private restoringRoom: string | null = null;
  /** The conversation saved for this server was looked for after this session's first login. */
  private restored = false;
  private readonly onShortcut = (event: KeyboardEvent): void => this.shortcut(event);

  @query('message-input') private accessor messageInput!: MessageInput | null;
  @query('chat-log') private accessor chatLog!: ChatLog | null;
  @query('connect-dialog') private accessor connectDialog!: ConnectDialog | null;

  private unsubscribers: Unsubscribe[] = [];
  private queued: ChatEvent[] = [];
  private flushFrame = 0;
  private flushTimer: ReturnType<typeof setTimeout> | undefined;
  private unread = 0;
  /** Joining a room found on the network, not yet logged in: a failure then says the room does not answer. */
  private joiningFound: string | null = null;
  /** The last click-to-mention, so a double-click (private mode) can take it back. */
  private lastMention: { userId: number; before: string; after: string } | null = null;
  private readonly onFocusChange = (): void => this.clearUnreadIfSeen();
  /** A quoted line being looked for in older pages, and how many pages were asked for so far. */
  private seeking: { messageId: number; pages: number } | null = null;
  /**
   * A login is coming with the input still off (the dialog closed before it, or there was
   * no dialog): the input takes the focus once it is on, so the first keystrokes are not lost on the page.
   */
  private focusWhenReady = false;
  /** When the session's next reconnect try is due (the banner counts down to it), and the clock that counts. */
  private reconnectAt: number | null = null;
  @state() private accessor now = Date.now();
  private countdown: ReturnType<typeof setInterval> | undefined;

  static override styles = [
    buttonStyles,
    css`
      :host {
        display: block;
        height: 100%;
        box-sizing: border-box;
        padding: 10px;
        background: var(--window-bg, #eceef0);
        color: var(--text, #2c3e50);
        font-family: var(--font, system-ui, 'Segoe UI', Roboto, Ubuntu, 'DejaVu Sans', sans-serif);
        font-size: 14px;
      }
      .window {
        display: grid;
        grid-template-columns: minmax(170px, 240px) 1fr;
        gap: 8px;
        height: 100%;
      }
      aside,
      main {
        display: flex;
        flex-direction: column;
        gap: 6px;
        min-height: 0;
        min-width: 0;
      }
      user-list,
      chat-log {
        flex: 1;
      }
      /* Below the users of the conversation shown, as in the Qt client's list; never taller than its share. */
      aside conversation-sidebar {
        flex: none;
      }
      @media (max-width: 560px) {
        .window:not(.users-shown) aside conversation-sidebar {
          display: none;
        }
      }
      .conversation-bar {
        display: flex;
        align-items: center;
        gap: 8px;
        min-width: 0;
      }
      .conversation-bar .buzz {
        padding: 0 6px;
        border-radius: 4px;
        font-size: 13px;
      }
      .conversation-title {
        flex: 1;
        margin: 0;
        font-size: 14px;
        font-weight: 600;
        overflow: hidden;
        text-overflow: ellipsis;
        white-space: nowrap;
      }
      .status {
        display: flex;
        align-items: center;
        gap: 6px;
        min-height: 28px;
      }
      .dot {
        width: 9px;
        height: 9px;
        border-radius: 50%;
        flex: none;
        background: var(--system, #95a5a6);
      }
      .dot.authorized {
        background: #27ae60;
      }
      .dot.connecting,
      .dot.open,
      .dot.reconnecting {
        background: #f39c12;
      }
      .dot.closed {
        background: #c0392b;
      }
      .status-text {
        flex: 1;
        font-size: 13px;
        color: var(--system, #7f8c8d);
        overflow: hidden;
        text-overflow: ellipsis;
        white-space: nowrap;
      }
      .outage {
        display: flex;
        flex-wrap: wrap;
        align-items: center;
        gap: 4px 10px;
        padding: 6px 10px;
        border-radius: 6px;
        background: var(--warn-bg, #fff4e0);
        border: 1px solid var(--warn-edge, #e0b060);
        color: var(--warn, #7a4700);
        font-size: 13px;
      }
      .outage-text {
        font-weight: 600;
      }
      .outage-reason {
        flex: 1 1 12em;
        min-width: 0;
        color: var(--text, #2c3e50);
      }
      .outage .retry-now {
        margin-left: auto;
        font-size: 13px;
        padding: 2px 10px;
        border-radius: 5px;
      }
      .hosting-bar {
        display: flex;
        flex-wrap: wrap;
        align-items: center;
        gap: 4px 6px;
        margin-top: -4px;
        font-size: 12px;
        color: var(--good, #1e8449);
      }
      .hosting-bar .open {
        color: var(--warn, #9a5b00);
        font-weight: 600;
      }
      .people {
        display: none;
      }
      .window.shake {
        animation: shake 0.6s linear;
      }
      @keyframes shake {
        0%, 100% { transform: translateX(0); }
        10%, 30%, 50%, 70%, 90% { transform: translateX(-8px); }
        20%, 40%, 60%, 80% { transform: translateX(8px); }
      }
      @media (prefers-reduced-motion: reduce) {
        .window.shake {
          animation: none;
          outline: 3px solid var(--bad, #c0392b);
        }
      }
      /* A phone (issue 16 §3): one column, the user list behind a button, touch targets of 44 px,
         and the input at the bottom of the visible viewport, above the on-screen keyboard. */
      @media (max-width: 560px) {
        :host {
          height: 100dvh;
          padding: 6px;
        }
        .window {
          grid-template-columns: 1fr;
          grid-template-rows: auto minmax(0, 1fr);
        }
        aside {
          min-height: auto;
        }
        .people {
          display: inline-block;
        }
        .status button,
        .hosting-bar button {
          min-height: 44px;
          min-width: 44px;
        }
        .window.users-shown {
          grid-template-rows: minmax(0, 1fr);
        }
        .window:not(.users-shown) aside user-list,
        .window.users-shown main {
          display: none;
        }
        /* One's own status goes with the people, not above the chat. */
        .window:not(.users-shown) aside status-picker {
          display: none;
        }
      }
      .hosting-bar .invite {
        font-size: 12px;
        padding: 1px 8px;
        border-radius: 4px;
      }
      .hosting-bar copy-link {
        flex: 1 1 auto;
        color: var(--text, #2c3e50);
      }
      .settings {
        font-size: 13px;
        padding: 3px 8px;
        border-radius: 5px;
      }
      .drop-hint {
        position: fixed;
        inset: 6px;
        display: grid;
        place-items: center;
        border: 3px dashed var(--accent, #2980b9);
        border-radius: 10px;
        background: rgb(255 255 255 / 0.85);
        font-size: 18px;
        font-weight: 600;
        color: var(--accent, #2980b9);
        pointer-events: none;
        z-index: 30;
      }
      .confirm-backdrop {
        position: fixed;
        inset: 0;
        display: grid;
        place-items: center;
        background: rgb(0 0 0 / 0.25);
        z-index: 20;
      }
      .confirm {
        max-width: 340px;
        padding: 16px 18px;
        border-radius: 8px;
        background: var(--panel-bg, #fff);
        box-shadow: 0 4px 20px rgb(0 0 0 / 0.25);
      }
      .confirm h2 {
        margin: 0 0 6px;
        font-size: 15px;
      }
      .confirm p {
        margin: 0 0 14px;
        font-size: 13px;
        color: var(--system, #7f8c8d);
      }
      .confirm .buttons {
        display: flex;
        justify-content: flex-end;
        gap: 8px;
      }
      .confirm .danger {
        background: var(--bad, #c0392b);
        border-color: var(--bad, #c0392b);
        color: var(--on-accent, #fff);
      }
    `,
  ];

  private get strings(): Strings {
    return stringsFor(this.language);
  }

  override connectedCallback(): void {
    super.connectedCallback();
    window.addEventListener('focus', this.onFocusChange);
    document.addEventListener('visibilitychange', this.onFocusChange);
    // Capture: before the input, whose Up edits the last line.
    window.addEventListener('keydown', this.onShortcut, true);
    window.addEventListener('dragover', this.onDragOver);
    window.addEventListener('dragleave', this.onDragLeave);
    window.addEventListener('drop', this.onDrop);
    this.showLanguage(resolveLanguage('auto', navigator.languages ?? [navigator.language]));
    if (this.bridge) void this.start(this.bridge);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    window.removeEventListener('focus', this.onFocusChange);
    document.removeEventListener('visibilitychange', this.onFocusChange);
    window.removeEventListener('keydown', this.onShortcut, true);
    window.removeEventListener('dragover', this.onDragOver);
    window.removeEventListener('dragleave', this.onDragLeave);
    window.removeEventListener('drop', this.onDrop);
    for (const unsubscribe of this.unsubscribers) unsubscribe();
    this.unsubscribers = [];
    clearTimeout(this.shakeTimer);
    this.stopCountdown();
    this.flushQueued();
  }

  private async start(bridge: ChatBridge): Promise<void> {
    this.unsubscribers.push(
      bridge.on('message', (message) => {
        this.askKeyIfRefused(message);
        this.enqueue({ type: 'message', message, time: Date.now() });
      }),
      bridge.on('status', (status) => {
        this.enqueue({ type: 'status', status, time: Date.now() });
        if (status.state === 'reconnecting') this.startCountdown(status.delayMs);
        else this.stopCountdown();
        // Automatic reconnects never ask; a connection that ended by itself (or gave up) does, saying why.
        if (status.state === 'closed' && !status.byUser) {
          this.dialogOpen = true;
          this.dialogError = status.reason;
          this.dialogProblem = status.about ?? null;
          this.awaitingLogin = false;
        }
        if (status.state === 'closed' && status.byUser) this.awaitingLogin = false;
        if (status.state === 'authorized') {
          this.joiningFound = null;
          // A session's first login with no dialog to close (the app's own start, a reloaded tab) focuses the input too.
          if (this.chat.lastLogin === null && !this.dialogOpen) this.focusWhenReady = true;
          if (this.awaitingLogin) {
            this.awaitingLogin = false;
            this.closeDialog();
          }
        }
        const failed = status.state === 'reconnecting' || (status.state === 'closed' && !status.byUser);
        if (failed && this.joiningFound !== null) {
          this.dialogError = format(this.strings.foundRoomUnreachable, { address: this.joiningFound });
          this.dialogOpen = true;
          this.joiningFound = null;
        }
      }),
      bridge.on('notice', (notice) => this.enqueue({ type: 'notice', notice, time: Date.now() })),
      bridge.on('hosting', (hosting) => this.enqueue({ type: 'hosting', hosting, time: Date.now() })),
      bridge.on('outbox', (pending) => this.enqueue({ type: 'outbox', pending })),
      bridge.on('foundRooms', (rooms) => (this.foundRooms = rooms)),
      ...this.transfers.listen(bridge),
      bridge.on('olderHistory', (page) => this.enqueue({ type: 'older', page, time: Date.now() })),
      // A simplechat:// link: ask, never connect unasked.
      bridge.on('connectLink', (link) => {
        this.link = { ...link };
        this.dialogError = null;
        this.dialogOpen = true;
      }),
    );
    try {
      const settings = await bridge.getSettings();
      // The dialog opens in the chosen language, not in English first.
      await loadStrings(resolveLanguage(settings.language, navigator.languages ?? [navigator.language])).catch(() => undefined);
      this.applySettings(settings);
    } catch (error) {
      this.apply({ type: 'local-error', message: errorText(error), time: Date.now() });
    }
    // A browser tab that was reloaded takes its session back by itself: nothing to ask then.
    this.flushQueued();
    if (this.chat.connection.state === 'idle') this.dialogOpen = true;
  }

  private applySettings(settings: Settings): void {
    this.settings = settings;
    this.showLanguage(resolveLanguage(settings.language, navigator.languages ?? [navigator.language]));
    applyThemeChoice(settings.theme);
  }

  /** Shows `language` now if its strings are here, else once they are (English meanwhile, and if they never come). */
  private showLanguage(language: UiLanguage): void {
    this.wantedLanguage = language;
    const show = () => {
      if (this.wantedLanguage !== language) return;
      this.language = language;
      document.documentElement.lang = language;
      document.title = this.strings.appTitle;
    };
    if (hasStrings(language)) show();
    else loadStrings(language).then(show, () => undefined);
  }

  /**
   * Bridge events arrive one task each, up to thousands a second: folding and
   * rendering each on its own would lay the page out once per line. They wait for
   * the next frame and are folded together, in order, into one render.
   */
  private enqueue(event: ChatEvent): void {
    this.queued.push(event);
    if (this.flushFrame !== 0) return;
    this.flushFrame = requestAnimationFrame(() => this.flushQueued());
    // A hidden window gets no frames, and its unread count and notifications must still follow.
    this.flushTimer = setTimeout(() => this.flushQueued(), HIDDEN_FLUSH_MS);
  }

  private flushQueued(): void {
    if (this.flushFrame !== 0) cancelAnimationFrame(this.flushFrame);
    if (this.flushTimer !== undefined) clearTimeout(this.flushTimer);
    this.flushFrame = 0;
    this.flushTimer = undefined;
    const events = this.queued;
    if (events.length === 0) return;
    this.queued = [];
    this.fold(events);
  }

  /** A local event: folded at once, after whatever the bridge sent before it. */
  private apply(event: ChatEvent): void {
    this.flushQueued();
    this.fold([event]);
  }

  private fold(events: readonly ChatEvent[]): void {
    const before = this.chat;
    let after = before;
    for (const event of events) after = reduce(after, event);
    this.chat = after;
    const added = Math.min(after.log.count, totalLines(after.log) - totalLines(before.log));
    const seen = this.isSeen();
    let unread = this.unread;
    // Busy: no sound, no notification for lines (a buzz still gets through: see docs/DESKTOP.md).
    const busy = after.self !== null && presenceOf(after.statuses, after.self.userId).status === 'busy';
    for (let i = after.log.count - added; i < after.log.count; i++) {
      const line = lineAt(after.log, i);
      if (line?.kind === 'system' && line.event.type === 'buzz' && !line.event.mine) this.buzzed(line.event.from.userName);
      if (line?.kind !== 'chat' || line.mine || line.replayed) continue;
      if (!seen) unread += 1;
      const kind = attentionFor(line);
      if (kind && !busy) {
        const text = plainText(line.text);
        void this.bridge?.requestAttention({ kind, from: line.from.userName, text }).catch(() => undefined);
      }
    }
    if (unread !== this.unread) {
      this.unread = unread;
      void this.bridge?.setUnreadCount(unread).catch(() => undefined);
    }
    unread += this.foldConversations(before, after, seen);
    if (this.seeking !== null && after.older !== before.older) this.seekOn();
    if (canLoadMissed(after)) void this.loadMissed();
  }

  /** Someone buzzed us: the buzz's own sound, a shake, and the window's attention (a notification if not looked at). */
  private buzzed(from: string): void {
    this.buzzSound();
    if (!this.canHost) {
      // The desktop app shakes its window instead (attention.ts).
      this.shaking = false;
      clearTimeout(this.shakeTimer);
      void this.updateComplete.then(() => {
        this.shaking = true;
        this.shakeTimer = setTimeout(() => (this.shaking = false), SHAKE_MS);
      });
    }
    const text = format(this.strings.buzzNotification, { name: from });
    void this.bridge?.requestAttention({ kind: 'buzz', from, text }).catch(() => undefined);
  }

  private async onStatusChosen(event: CustomEvent<{ status: UserStatus; text: string }>): Promise<void> {
    try {
      await this.bridge?.setStatus({ status: event.detail.status, text: event.detail.text });
    } catch (error) {
      this.apply({ type: 'local-error', message: errorText(error), time: Date.now() });
    }
  }

  private async onAllowBuzzChanged(event: CustomEvent<{ allow: boolean }>): Promise<void> {
    const allowBuzz = event.detail.allow;
    this.settings = { ...this.settings, allowBuzz };
    try {
      this.settings = await this.bridge!.saveSettings({ allowBuzz });
    } catch (error) {
      this.apply({ type: 'local-error', message: errorText(error), time: Date.now() });
    }
  }

  private async onBuzzRequested(event: CustomEvent<{ user: Identity }>): Promise<void> {
    try {
      await this.bridge?.buzz({ toUserId: event.detail.user.userId });
    } catch (error) {
      this.apply({ type: 'local-error', message: errorText(error), time: Date.now() });
    }
  }

  /** Asks for the lines a reconnect missed, a page at a time, until they are all in. */
  private async loadMissed(): Promise<void> {
    const bridge = this.bridge;
    const missed = this.chat.missed;
    if (!bridge || missed === null) return;
    this.apply({ type: 'missed-requested' });
    let asked = false;
    try {
      asked = await bridge.loadOlder({ before: missed.before, limit: DEFAULT_HISTORY_PAGE });
    } catch {
      // Asked again with the next change.
    }
    if (!asked) this.apply({ type: 'missed-refused' });
  }

  private isSeen(): boolean {
    return document.visibilityState === 'visible' && document.hasFocus();
  }

  private clearUnreadIfSeen(): void {
    if (this.unread === 0 || !this.isSeen()) return;
    this.unread = 0;
    void this.bridge?.setUnreadCount(0).catch(() => undefined);
  }

  protected override updated(): void {
    if (!this.focusWhenReady || this.dialogOpen || this.overlay !== null || !canCompose(this.chat)) return;
    this.focusWhenReady = false;
    const input = this.messageInput;
    if (input === null) return;
    // Only a focus nobody has: on the page, or left in the closed dialog (where Enter was pressed).
    // Whatever the user went to meanwhile (a menu, a field) keeps it.
    const unclaimed = (): boolean => {
      const active = deepActiveElement();
      return active === null || active === document.body || this.connectDialog?.shadowRoot?.contains(active) === true;
    };
    void (async () => {
      await this.connectDialog?.updateComplete;
      await input.updateComplete;
      if (unclaimed()) input.focusInput();
    })();
  }

  protected override render(): TemplateResult {
    const s = this.strings;
    const chat = { ...this.chat, ...shownConversation(this.chat) };
    const connection = chat.connection.state;
    return html`
      <div class="window ${this.usersShown ? 'users-shown' : ''} ${this.shaking ? 'shake' : ''}">
        <aside>
          <div class="status">
            <span class="dot ${connection}" aria-hidden="true"></span>
            <span class="status-text" role="status">${s.status[connection]}</span>
            <button type="button" class="people" aria-expanded=${this.usersShown ? 'true' : 'false'}
              @click=${() => (this.usersShown = !this.usersShown)}>${format(s.people, { count: String(chat.users.length) })}</button>
            <button type="button" class="settings" aria-haspopup="dialog" @click=${this.openDialog}>${s.connectionSettings}</button>
          </div>
          ${this.renderHostingBar()}
          <status-picker
            .self=${chat.self}
            .presence=${chat.self === null ? presenceOf(chat.statuses, 0) : presenceOf(chat.statuses, chat.self.userId)}
            ?allowBuzz=${this.settings.allowBuzz}
            .strings=${s}
            @status-chosen=${this.onStatusChosen}
            @allow-buzz-changed=${this.onAllowBuzzChanged}
          ></status-picker>
          <user-list
            ?offline=${this.inOutage()}
            .statuses=${chat.statuses}
            @buzz-requested=${this.onBuzzRequested}
            .users=${chat.users}
            .self=${chat.self ?? (this.inOutage() ? chat.lastLogin : null)}
            .privateTarget=${chat.privateTarget}
            .strings=${s}
            @nick-activated=${this.onNickActivated}
            @private-requested=${this.onPrivateRequested}
          ></user-list>
          <conversation-sidebar
            .rooms=${chat.rooms}
            .dialogs=${chat.dialogs}
            .online=${this.chat.self === null ? [] : this.chat.users}
            .current=${chat.current}
            .lobbyUnread=${chat.lobbyUnread}
            .lobbyMentioned=${chat.lobbyMentioned}
            ?enabled=${chat.self !== null}
            .strings=${s}
            @conversation-chosen=${(e: CustomEvent<{ conversation: ConversationRef }>) => this.choose(e.detail.conversation)}
            @room-leave-requested=${(e: CustomEvent<{ room: string }>) => void this.leaveRoom(e.detail.room)}
            @dialog-close-requested=${(e: CustomEvent<{ userId: number }>) => this.apply({ type: 'dialog-closed', userId: e.detail.userId })}
            @room-dialog-requested=${this.openRoomDialog}
          ></conversation-sidebar>
        </aside>
        <main>
          ${this.renderConversationTitle()}
          ${this.renderOutage()}
          <chat-log
            .log=${chat.log}
            .pending=${chat.pending}
            .older=${chat.older}
            .conversation=${chat.current.kind === 'room' ? `room:${chat.current.room}` : chat.current.kind === 'dialog' ? `dialog:${chat.current.userId}` : 'lobby'}
            .strings=${s}
            @nick-activated=${this.onNickActivated}
            @pending-cancel-requested=${this.onCancelPending}
            @older-requested=${this.onOlderRequested}
            @reply-requested=${this.onReplyRequested}
            @edit-requested=${(e: CustomEvent<{ messageId: number }>) => this.startEdit(e.detail.messageId)}
            @delete-requested=${this.onDeleteRequested}
            @quote-activated=${(e: CustomEvent<{ messageId: number }>) => void this.jumpTo(e.detail.messageId)}
            .fileLink=${this.fileLink}
            @file-unavailable=${(e: CustomEvent<{ name: string; reason: UploadFailure }>) =>
              this.apply({ type: 'local-error', message: format(s.files.fetchFailed, { name: e.detail.name, reason: s.files.reasons[e.detail.reason] }), time: Date.now() })}
          ></chat-log>
          <upload-list
            .uploads=${this.transfers.uploads}
            .downloads=${this.transfers.downloads}
            .strings=${s}
            ?hidden=${this.transfers.uploads.length === 0 && this.transfers.downloads.length === 0}
            @download-show-requested=${(e: CustomEvent<{ downloadId: string }>) => void this.bridge?.showDownload(e.detail.downloadId).catch(() => false)}
            @download-dismissed=${(e: CustomEvent<{ downloadId: string }>) => this.transfers.dismissDownload(e.detail.downloadId)}
            @upload-cancel-requested=${(e: CustomEvent<{ uploadId: string }>) => void this.transfers.cancel(this.bridge, e.detail.uploadId)}
            @upload-dismissed=${(e: CustomEvent<{ uploadId: string }>) => this.transfers.dismissUpload(e.detail.uploadId)}
          ></upload-list>
          <message-input
            ?canAttach=${this.canAttach()}
            @files-chosen=${(e: CustomEvent<{ files: File[] }>) => void this.sendFiles(e.detail.files)}
            .value=${this.draft}
            .privateTarget=${chat.privateTarget}
            .room=${chat.current.kind === 'room' && chat.privateTarget === null ? chat.current.room : null}
            .replyTo=${this.replyTo}
            ?editing=${this.editing !== null}
            .strings=${s}
            ?enabled=${canCompose(chat)}
            ?queued=${chat.self === null}
            @draft-changed=${(e: CustomEvent<{ text: string }>) => (this.draft = e.detail.text)}
            @message-submitted=${this.onSubmit}
            @private-closed=${() => this.apply({ type: 'private-closed' })}
            @edit-last-requested=${this.onEditLast}
            @edit-cancelled=${this.cancelEdit}
            @reply-cancelled=${() => (this.replyTo = null)}
          ></message-input>
        </main>
      </div>
      <connect-dialog
        ?open=${this.dialogOpen}
        ?dismissible=${connection !== 'idle' && connection !== 'closed'}
        ?canHost=${this.canHost}
        ?guest=${this.guest}
        ?busy=${this.connecting || this.awaitingLogin}
        .settings=${this.settings}
        .hosting=${chat.hosting}
        .error=${this.dialogError}
        .problem=${this.dialogProblem}
        .link=${this.link}
        .hostedPeople=${this.hostedPeople()}
        .foundRooms=${this.foundRooms}
        .strings=${s}
        @connect-requested=${this.onConnectRequested}
        @dialog-dismissed=${this.closeDialog}
        @disconnect-requested=${this.onDisconnectRequested}
        @language-changed=${this.onLanguageChanged}
        @theme-changed=${this.onThemeChanged}
      ></connect-dialog>
      ${this.dragging ? html`<div class="drop-hint" aria-hidden="true"><span>${s.files.dropHere}</span></div>` : nothing}
      ${this.renderConfirmDelete()}
      <room-dialog
        ?open=${this.overlay === 'rooms'}
        .rooms=${chat.roomList}
        .needsKey=${this.needsKey}
        .strings=${s}
        @room-join-requested=${this.onRoomJoinRequested}
        @overlay-dismissed=${this.closeOverlay}
      ></room-dialog>
      <quick-switcher
        ?open=${this.overlay === 'switcher'}
        .rooms=${chat.rooms}
        .dialogs=${chat.dialogs}
        .current=${chat.current}
        .strings=${s}
        @conversation-chosen=${(e: CustomEvent<{ conversation: ConversationRef }>) => {
          this.overlay = null;
          this.choose(e.detail.conversation);
        }}
        @overlay-dismissed=${this.closeOverlay}
      ></quick-switcher>
    `;
  }

  private startCountdown(delayMs: number): void {
    this.now = Date.now();
    this.reconnectAt = this.now + delayMs;
    if (this.countdown !== undefined) return;
    this.countdown = setInterval(() => {
      this.now = Date.now();
      if (this.reconnectAt === null || this.now >= this.reconnectAt) this.stopCountdown();
    }, 1_000);
  }

  private stopCountdown(): void {
    clearInterval(this.countdown);
    this.countdown = undefined;
  }

  /** Logged in before and away now: the session is coming back (issue 19 §1). */
  private inOutage(): boolean {
    const { lastLogin, self, connection } = this.chat;
    return lastLogin !== null && self === null && (connection.state === 'reconnecting' || connection.state === 'connecting' || connection.state === 'open');
  }

  /** One banner above the log for the whole outage, instead of a pair of lines per try. */
  private renderOutage(): TemplateResult | typeof nothing {
    if (!this.inOutage()) return nothing;
    const s = this.strings;
    const connection = this.chat.connection;
    const waiting = connection.state === 'reconnecting';
    const left = waiting && this.reconnectAt !== null ? Math.ceil((this.reconnectAt - this.now) / 1_000) : 0;
    return html`<div class="outage">
      <span class="outage-text">${left > 0 ? format(s.log.reconnecting, { seconds: String(left) }) : s.status.reconnecting}</span>
      ${waiting && connection.reason !== '' ? html`<span class="outage-reason">${connection.reason}</span>` : nothing}
      <button type="button" class="retry-now" ?disabled=${!waiting} @click=${this.onRetryNow}>${s.retryNow}</button>
    </div>`;
  }

  private readonly onRetryNow = async (): Promise<void> => {
    try {
      await this.bridge?.reconnectNow();
    } catch (error) {
      this.apply({ type: 'local-error', message: errorText(error), time: Date.now() });
    }
  };

  /** Others in the room this computer hosts (the app is in it while it runs). */
  private hostedPeople(): number {
    const { hosting, self, users } = this.chat;
    if (hosting.state !== 'running' || self === null) return 0;
    return users.filter((u) => u.userId !== self.userId).length;
  }

  private renderConfirmDelete(): TemplateResult | typeof nothing {
    if (this.confirmingDelete === null) return nothing;
    const s = this.strings;
    const onKey = (event: KeyboardEvent): void => {
      if (event.key !== 'Escape') return;
      event.preventDefault();
      this.closeConfirm();
    };
    return html`<div class="confirm-backdrop" @keydown=${onKey}>
      <div class="confirm" role="alertdialog" aria-modal="true" aria-label=${s.confirmDeleteTitle} aria-describedby="confirm-text">
        <h2>${s.confirmDeleteTitle}</h2>
        <p id="confirm-text">${s.confirmDeleteText}</p>
        <div class="buttons">
          <button type="button" class="cancel" @click=${this.closeConfirm}>${s.cancel}</button>
          <button type="button" class="danger" @click=${this.confirmDelete}>${s.confirmDelete}</button>
        </div>
      </div>
    </div>`;
  }

  private readonly closeConfirm = (): void => {
    this.confirmingDelete = null;
    void this.updateComplete.then(() => this.messageInput?.focusInput());
  };

  private readonly confirmDelete = async (): Promise<void> => {
    const messageId = this.confirmingDelete;
    this.closeConfirm();
    if (messageId === null) return;
    try {
      await this.bridge?.deleteMessage({ messageId });
    } catch (error) {
      this.apply({ type: 'local-error', message: errorText(error), time: Date.now() });
    }
  };

  private onDeleteRequested(event: CustomEvent<{ messageId: number }>): void {
    this.confirmingDelete = event.detail.messageId;
    // The safe choice has the focus.
    void this.updateComplete.then(() => this.renderRoot.querySelector<HTMLButtonElement>('.confirm .cancel')?.focus());
  }

  private chatLine(messageId: number): ChatLine | null {
    const log = shownConversation(this.chat).log;
    const line = lineAt(log, findMessage(log, messageId));
    return line?.kind === 'chat' ? line : null;
  }

  private onReplyRequested(event: CustomEvent<{ messageId: number }>): void {
    const line = this.chatLine(event.detail.messageId);
    if (line === null || line.messageId === null) return;
    this.cancelEdit();
    this.replyTo = { messageId: line.messageId, userName: line.from.userName, excerpt: plainExcerpt(line.text) };
    void this.updateComplete.then(() => this.messageInput?.focusInput());
  }

  /** Puts a line of one's own into the input to be edited. */
  private startEdit(messageId: number): void {
    const line = this.chatLine(messageId);
    if (line === null || !line.mine || line.deleted || line.direction !== 'public') return;
    this.editing = { messageId, draft: this.editing?.draft ?? this.draft };
    this.replyTo = null;
    this.draft = typedText(line);
    void this.updateComplete.then(() => this.messageInput?.focusInput());
  }

  private onEditLast(): void {
    const log = shownConversation(this.chat).log;
    for (let i = log.count - 1; i >= 0; i--) {
      const line = lineAt(log, i);
      if (line?.kind === 'chat' && line.mine && !line.deleted && line.direction === 'public' && line.messageId !== null) {
        this.startEdit(line.messageId);
        return;
      }
    }
  }

  private readonly cancelEdit = (): void => {
    if (this.editing === null) return;
    this.draft = this.editing.draft;
    this.editing = null;
  };

  /** Scrolls to a quoted line, paging back for it when it is older than the log. */
  private async jumpTo(messageId: number): Promise<void> {
    const index = findMessage(shownConversation(this.chat).log, messageId);
    if (index >= 0) {
      this.seeking = null;
      await this.updateComplete;
      await this.chatLog?.revealMessage(messageId, index);
      return;
    }
    const older = this.chat.older;
    // Seeking pages back through the lobby's history only (a room's quote is looked for in what it shows).
    const inLobby = this.chat.current.kind === 'lobby';
    if (inLobby && older.oldestId !== 0 && messageId < older.oldestId && older.state !== 'end' && older.state !== 'full' && older.state !== 'none') {
      this.seeking = { messageId, pages: 0 };
      this.seekOn();
      return;
    }
    this.seeking = null;
    this.apply({ type: 'local-error', message: this.strings.quoteNotFound, time: Date.now() });
  }

  private seekOn(): void {
    const seeking = this.seeking;
    if (seeking === null) return;
    const older = this.chat.older;
    if (findMessage(this.chat.log, seeking.messageId) >= 0) {
      void this.jumpTo(seeking.messageId);
    } else if (older.state === 'idle' && seeking.pages < MAX_SEEK_PAGES) {
      this.seeking = { ...seeking, pages: seeking.pages + 1 };
      void this.onOlderRequested();
    } else if (older.state !== 'loading') {
      this.seeking = null;
      this.apply({ type: 'local-error', message: this.strings.quoteNotFound, time: Date.now() });
    }
  }

  /** While this computer hosts the room: always in sight, with the share link a click away (the dialog is mostly closed). */
  private renderHostingBar(): TemplateResult | typeof nothing {
    const hosting = this.chat.hosting;
    if (hosting.state !== 'running') return nothing;
    const s = this.strings;
    const shareUrl = hosting.webUrls[0];
    const open = !hosting.locked;
    return html`<div class="hosting-bar" title=${format(s.hostingTitle, { port: hosting.port })}>
      <span>${s.hosting}${open ? html` · <span class="open" title=${s.roomOpen}>${s.hostingOpen}</span>` : nothing}${shareUrl === undefined ? nothing : ' ·'}</span>
      ${shareUrl === undefined ? nothing : html`<copy-link .url=${shareUrl} .strings=${s}></copy-link>`}
      <button type="button" class="invite" @click=${this.openDialog}>${s.invite}</button>
    </div>`;
  }

  private openDialog(): void {
    this.dialogError = null;
    this.dialogProblem = null;
    this.dialogOpen = true;
  }

  private closeDialog(): void {
    this.dialogOpen = false;
    this.link = null;
    this.focusWhenReady = !canCompose(this.chat);
    void this.updateComplete.then(() => this.messageInput?.focusInput());
  }

  private onNickActivated(event: CustomEvent<{ user: Identity }>): void {
    const { user } = event.detail;
    // Phone layout: back to the chat, where the mention went.
    this.usersShown = false;
    const before = this.draft;
    this.draft = insertMention(before, user.userName);
    this.lastMention = { userId: user.userId, before, after: this.draft };
    void this.updateComplete.then(() => this.messageInput?.focusInput());
  }

  private onPrivateRequested(event: CustomEvent<{ user: Identity }>): void {
    const { user } = event.detail;
    this.usersShown = false;
    const mention = this.lastMention;
    // A double-click starts with a click: take back the mention that click inserted.
    if (mention && mention.userId === user.userId && mention.after === this.draft) this.draft = mention.before;
    this.lastMention = null;
    if (user.userId !== this.chat.self?.userId) {
      this.apply({ type: 'private-started', user });
      void this.loadDialog(user.userId);
    }
    void this.updateComplete.then(() => this.messageInput?.focusInput());
  }

  /** The dialog's lines kept by the server (for a login with a lasting identity): they go into the log where they belong. */
  private async loadDialog(withUserId: number): Promise<void> {
    const bridge = this.bridge;
    if (!bridge) return;
    try {
      await bridge.loadDialog({ withUserId, limit: DEFAULT_HISTORY_PAGE });
    } catch (error) {
      this.apply({ type: 'local-error', message: errorText(error), time: Date.now() });
    }
  }

  private async onSubmit(event: CustomEvent<{ text: string }>): Promise<void> {
    const bridge = this.bridge;
    if (!bridge || !canCompose(this.chat)) return;
    const text = event.detail.text;
    const editing = this.editing;
    if (editing !== null) {
      const line = this.chatLine(editing.messageId);
      // Nothing changed: nothing to tell everyone.
      if (line !== null && typedText(line).trim() === text.trim()) {
        this.cancelEdit();
        return;
      }
      try {
        // The server's MessageEdited changes the line, for everyone at once.
        if (await bridge.editMessage({ messageId: editing.messageId, text })) {
          if (this.editing === editing) {
            this.editing = null;
            this.draft = editing.draft;
          }
        }
      } catch (error) {
        this.apply({ type: 'notice', notice: { kind: 'send-failed', reason: errorText(error) }, time: Date.now() });
      }
      return;
    }
    const shown = this.chat.current;
    if (shown.kind === 'dialog' && this.chat.privateTarget === null) {
      // Private mode ended with the peer gone: what is typed in their dialog must not go to the lobby instead.
      const peer = this.chat.dialogs.find((d) => d.peer.userId === shown.userId)?.peer.userName ?? `#${shown.userId}`;
      // A notice, so it is said where the user looks (the dialog), not only in the lobby.
      this.apply({ type: 'notice', notice: { kind: 'send-failed', reason: format(this.strings.dialogPeerGone, { nick: peer }) }, time: Date.now() });
      return;
    }
    const toUserId = this.chat.privateTarget?.userId ?? 0;
    // A private line may answer a public one too (the server quotes it for the two of them).
    const reply = this.replyTo;
    try {
      // The server's echo is the line in the log; until then the outbox shows it as pending, after the log.
      const current = this.chat.current;
      const room = toUserId === 0 && current.kind === 'room' ? { room: current.room } : {};
      await bridge.send(reply === null ? { text, toUserId, ...room } : { text, toUserId, replyTo: reply.messageId, ...room });
      if (this.replyTo === reply) this.replyTo = null;
      if (this.draft === text) this.draft = '';
      this.chatLog?.scrollToEnd();
    } catch (error) {
      this.apply({ type: 'notice', notice: { kind: 'send-failed', reason: errorText(error) }, time: Date.now() });
    }
  }

  // ---- files (issue 14 §3) -------------------------------------------------------

  /** The log's way to a line's file: one function for the app's life, so the log's lines need no new one. */
  private readonly fileLink = (fileId: string): Promise<FileLinkOutcome> =>
    this.bridge?.fileLink(fileId) ?? Promise.resolve({ ok: false, error: 'not-connected', message: '' });

  /** Files can go: logged in, composing, not editing a line. */
  private canAttach(): boolean {
    return this.chat.self !== null && canCompose(this.chat) && this.editing === null;
  }

  private readonly onDragOver = (event: DragEvent): void => {
    if (!hasFiles(event)) return;
    // Never let the page be replaced by the dropped file.
    event.preventDefault();
    const can = this.canAttach() && !this.dialogOpen;
    if (event.dataTransfer) event.dataTransfer.dropEffect = can ? 'copy' : 'none';
    this.dragging = can;
  };

  private readonly onDragLeave = (event: DragEvent): void => {
    // Out of the window, not from one element into another.
    if (event.relatedTarget === null) this.dragging = false;
  };

  private readonly onDrop = (event: DragEvent): void => {
    if (!hasFiles(event)) return;
    event.preventDefault();
    this.dragging = false;
    if (this.canAttach() && !this.dialogOpen) void this.sendFiles([...(event.dataTransfer?.files ?? [])]);
  };

  /** Where the conversation shown sends a line now; null (said in the log) when a dialog's peer is gone. */
  private lineTarget(): LineTarget | null {
    const shown = this.chat.current;
    if (shown.kind === 'dialog' && this.chat.privateTarget === null) {
      const peer = this.chat.dialogs.find((d) => d.peer.userId === shown.userId)?.peer.userName ?? `#${shown.userId}`;
      this.apply({ type: 'notice', notice: { kind: 'send-failed', reason: format(this.strings.dialogPeerGone, { nick: peer }) }, time: Date.now() });
      return null;
    }
    const toUserId = this.chat.privateTarget?.userId ?? 0;
    return toUserId === 0 && shown.kind === 'room' ? { toUserId, room: shown.room } : { toUserId };
  }

  /** Uploads each file, then sends it as a line to where it was chosen; the echo shows it. */
  private async sendFiles(files: readonly File[]): Promise<void> {
    const bridge = this.bridge;
    if (!bridge || files.length === 0 || !this.canAttach()) return;
    const target = this.lineTarget();
    if (target !== null) await this.transfers.send(bridge, files, target);
  }

  private async onCancelPending(event: CustomEvent<{ id: string }>): Promise<void> {
    try {
      // False: it was written meanwhile; the next outbox event shows it as sending.
      await this.bridge?.cancelPending(event.detail.id);
    } catch (error) {
      this.apply({ type: 'local-error', message: errorText(error), time: Date.now() });
    }
  }

  private async onOlderRequested(): Promise<void> {
    if (this.chat.current.kind === 'room') return this.onRoomOlderRequested(this.chat.current.room);
    if (this.chat.current.kind === 'dialog') return this.onDialogOlderRequested(this.chat.current.userId);
    const bridge = this.bridge;
    if (!bridge || !canLoadOlder(this.chat)) return;
    this.apply({ type: 'older-requested' });
    let asked = false;
    try {
      asked = await bridge.loadOlder({ before: this.chat.older.oldestId, limit: DEFAULT_HISTORY_PAGE });
    } catch (error) {
      this.apply({ type: 'local-error', message: errorText(error), time: Date.now() });
    }
    if (!asked) this.apply({ type: 'older-refused' });
  }

  // ---- conversations (issue 13 §6) ------------------------------------------------

  /**
   * After the events are folded: a room's mention asks for attention (its notification
   * names the room), unread lines of rooms count for the badge, and the first login of a
   * session goes back to the conversation last shown on this server. Returns the unread lines.
   */
  private foldConversations(before: ChatState, after: ChatState, seen: boolean): number {
    let unread = 0;
    for (const room of after.rooms) {
      const was = findRoom(before.rooms, room.name);
      if (was?.log === room.log) continue;
      const shown = after.current.kind === 'room' && after.current.room === room.name;
      for (const line of newChatLines(was?.log ?? room.log, room.log)) {
        if (!seen) unread += 1;
        if (attentionFor(line) !== 'mention' || (seen && shown)) continue;
        const from = `${line.from.userName} · # ${room.name}`;
        void this.bridge?.requestAttention({ kind: 'mention', from, text: plainText(line.text) }).catch(() => undefined);
      }
    }
    const missing = roomsMissingLines(after)[0];
    if (missing !== undefined && after.missed?.loading !== true && !canLoadMissed(after)) void this.loadRoomMissed(missing.name);
    if (after.self === null) this.restored = after.lastLogin !== null && this.restored;
    else if (!this.restored) {
      this.restored = true;
      void this.restoreConversation(after);
    }
    // The user's moves only: not a new server's fresh start in its lobby.
    const moved = after.current !== before.current && !(after.current.kind === 'lobby' && before.current.kind === 'lobby');
    if (moved && after.self !== null && after.older.server === before.older.server) this.saveConversation(after);
    return unread;
  }

  /**
   * The conversation last shown on this server: its room joined again, its dialog opened
   * if that user is here (by name), or (a lasting login's, by user id) offline too.
   */
  private async restoreConversation(state: ChatState): Promise<void> {
    const address = state.older.server;
    const saved = conversationFromSetting(address === null ? undefined : this.settings.conversations?.[address]);
    if (saved === null || state.current.kind !== 'lobby') return;
    if (saved.kind === 'room') {
      const joined = findRoom(state.rooms, saved.room);
      if (joined !== undefined) this.choose({ kind: 'room', room: joined.name });
      else {
        this.restoringRoom = saved.room;
        await this.joinRoom(saved.room);
      }
      return;
    }
    const byId = saved.userId !== undefined && state.lasting ? saved.userId : undefined;
    if (byId === state.self?.userId) return;
    const user =
      byId === undefined
        ? state.users.find((u) => u.userName === saved.userName && u.userId !== state.self?.userId)
        : (state.users.find((u) => u.userId === byId) ?? { userId: byId, userName: saved.userName, gender: 0, userColor: '' });
    if (user === undefined) return;
    this.apply({ type: 'dialog-opened', user });
    this.choose({ kind: 'dialog', userId: user.userId });
  }

  /** The remembered room's join refused for its key: the join dialog opens for it, its key field focused. */
  private askKeyIfRefused(message: ServerMessage): void {
    const room = this.restoringRoom;
    if (room === null) return;
    if (message.action === 'RoomJoined' && sameRoomName(message.room, room)) this.restoringRoom = null;
    if (message.action !== 'Error' || message.code !== 'room-forbidden') return;
    this.restoringRoom = null;
    this.needsKey = room;
    void this.openRoomDialog();
  }

  private saveConversation(state: ChatState): void {
    const bridge = this.bridge;
    const address = state.older.server;
    if (!bridge || address === null) return;
    const value = conversationToSetting(state.current, state.dialogs, state.lasting) ?? '';
    const conversations = withSavedConversation(this.settings.conversations ?? {}, address, value);
    this.settings = { ...this.settings, conversations };
    void bridge.saveSettings({ conversations }).catch(() => undefined);
  }

  /** Shows a conversation: its unread count is cleared, a dialog's kept lines are asked for, the input gets the focus. */
  private choose(conversation: ConversationRef): void {
    this.usersShown = false;
    this.cancelEdit();
    this.replyTo = null;
    this.apply({ type: 'conversation-selected', conversation });
    if (conversation.kind === 'dialog') void this.loadDialog(conversation.userId);
    void this.updateComplete.then(() => {
      this.chatLog?.scrollToEnd();
      this.messageInput?.focusInput();
    });
  }

  /** Ctrl+K (Cmd+K): the quick switcher; Alt+Up/Down: the previous or next conversation. */
  private shortcut(event: KeyboardEvent): void {
    if (this.dialogOpen || this.confirmingDelete !== null) return;
    const chat = this.chat;
    if ((event.ctrlKey || event.metaKey) && !event.altKey && !event.shiftKey && event.key.toLowerCase() === 'k') {
      event.preventDefault();
      this.overlay = this.overlay === 'switcher' ? null : 'switcher';
      return;
    }
    if (event.altKey && !event.ctrlKey && !event.metaKey && (event.key === 'ArrowUp' || event.key === 'ArrowDown') && this.overlay === null) {
      event.preventDefault();
      event.stopPropagation();
      this.choose(stepConversation(conversationOrder(chat.rooms, chat.dialogs), chat.current, event.key === 'ArrowUp' ? -1 : 1));
    }
  }

  private readonly closeOverlay = (): void => {
    this.overlay = null;
    this.needsKey = null;
    void this.updateComplete.then(() => this.messageInput?.focusInput());
  };

  private readonly openRoomDialog = async (): Promise<void> => {
    this.overlay = 'rooms';
    try {
      await this.bridge?.listRooms();
    } catch (error) {
      this.apply({ type: 'local-error', message: errorText(error), time: Date.now() });
    }
  };

  private readonly onRoomJoinRequested = async (event: CustomEvent<{ room: string; key: string }>): Promise<void> => {
    this.overlay = null;
    this.needsKey = null;
    await this.joinRoom(event.detail.room, event.detail.key);
  };

  /** Joins a room and shows it once the server says it is in (a joined one at once). */
  private async joinRoom(room: string, key = ''): Promise<void> {
    const joined = findRoom(this.chat.rooms, room);
    if (joined !== undefined) {
      this.choose({ kind: 'room', room: joined.name });
      return;
    }
    this.apply({ type: 'room-opening', room });
    try {
      await this.bridge?.joinRoom(key === '' ? { room } : { room, key });
    } catch (error) {
      this.apply({ type: 'local-error', message: errorText(error), time: Date.now() });
    }
    void this.updateComplete.then(() => this.messageInput?.focusInput());
  }

  private async leaveRoom(room: string): Promise<void> {
    try {
      // The server's RoomLeft takes it out of the sidebar.
      await this.bridge?.leaveRoom({ room });
    } catch (error) {
      this.apply({ type: 'local-error', message: errorText(error), time: Date.now() });
    }
  }

  /** Asks for the lines a reconnect missed in a room, a page at a time (one page is on its way at a time). */
  private async loadRoomMissed(room: string): Promise<void> {
    const bridge = this.bridge;
    const missed = findRoom(this.chat.rooms, room)?.missed;
    if (!bridge || missed === null || missed === undefined) return;
    this.apply({ type: 'room-missed-requested', room });
    let asked = false;
    try {
      asked = await bridge.loadOlder({ before: missed.before, limit: DEFAULT_HISTORY_PAGE, room });
    } catch {
      // Given up, as the lobby's.
    }
    if (!asked) this.apply({ type: 'room-missed-refused', room });
  }

  private async onRoomOlderRequested(room: string): Promise<void> {
    const bridge = this.bridge;
    const known = findRoom(this.chat.rooms, room);
    if (!bridge || known === undefined || !canLoadRoomOlder(this.chat, room)) return;
    this.apply({ type: 'room-older-requested', room });
    let asked = false;
    try {
      asked = await bridge.loadOlder({ before: known.older.oldestId, limit: DEFAULT_HISTORY_PAGE, room: known.name });
    } catch (error) {
      this.apply({ type: 'local-error', message: errorText(error), time: Date.now() });
    }
    if (!asked) this.apply({ type: 'room-older-refused', room });
  }

  private async onDialogOlderRequested(userId: number): Promise<void> {
    const bridge = this.bridge;
    const known = this.chat.dialogs.find((d) => d.peer.userId === userId);
    if (!bridge || known === undefined || !canLoadDialogOlder(this.chat, userId)) return;
    this.apply({ type: 'dialog-older-requested', userId });
    let asked = false;
    try {
      // The answer is a DialogHistory, which comes as a message.
      asked = await bridge.loadDialog({ withUserId: userId, before: known.older.oldestId, limit: DEFAULT_HISTORY_PAGE });
    } catch (error) {
      this.apply({ type: 'local-error', message: errorText(error), time: Date.now() });
    }
    if (!asked) this.apply({ type: 'dialog-older-refused', userId });
  }

  /** What the log shows, said above it: the lobby says nothing (as before rooms). */
  private renderConversationTitle(): TemplateResult | typeof nothing {
    const chat = this.chat;
    const current = chat.current;
    const s = this.strings.sidebar;
    if (current.kind === 'lobby') return nothing;
    const title =
      current.kind === 'room'
        ? format(s.roomTitle, { room: current.room })
        : format(s.dialogTitle, { name: chat.dialogs.find((d) => d.peer.userId === current.userId)?.peer.userName ?? '' });
    const peer = current.kind === 'dialog' && chat.self !== null ? chat.users.find((u) => u.userId === current.userId) : undefined;
    return html`<div class="conversation-bar">
      <h2 class="conversation-title" dir="auto">${title}</h2>
      ${peer === undefined
        ? nothing
        : html`<button type="button" class="buzz" aria-label=${format(s.buzzUser, { name: peer.userName })} title=${format(s.buzzUser, { name: peer.userName })}
            @click=${() => void this.buzzPeer(peer.userId)}>🔔</button>`}
    </div>`;
  }

  /** The dialog's header Buzz (issue 13 §4); the server's Buzz or Error comes back as a message. */
  private async buzzPeer(toUserId: number): Promise<void> {
    try {
      await this.bridge?.buzz({ toUserId });
    } catch (error) {
      this.apply({ type: 'local-error', message: errorText(error), time: Date.now() });
    }
  }

  private async onConnectRequested(event: CustomEvent<ConnectForm>): Promise<void> {
    const bridge = this.bridge;
    if (!bridge) return;
    const form = event.detail;
    this.connecting = true;
    this.dialogError = null;
    this.dialogProblem = null;
    try {
      // The key goes with its own server only: the hosted room's, or the one joined.
      const patch: SettingsPatch = {
        userName: form.userName,
        userColor: form.userColor,
        gender: form.gender,
        hostRoom: form.hostRoom,
        ...(form.hostRoom
          ? { hostPort: form.port, roomKey: form.roomKey, roomOpen: form.roomKey === '', allowInternet: form.allowInternet, visibleOnNetwork: form.visibleOnNetwork, roomName: form.roomName, roomHistory: form.roomHistory }
          : { server: form.server, port: form.port, roomKeys: withSavedKey(this.settings.roomKeys, form.server, form.port, form.roomKey) }),
      };
      this.settings = await bridge.saveSettings(patch).catch(() => ({ ...this.settings, ...patch }));
      if (form.hostRoom) {
        // Main keeps a room that runs with this port, key and scope, and restarts it for
        // another (a new key must lock out those who had the old one).
        const hostRequest: HostRequest = { port: form.port };
        if (form.roomKey !== '') hostRequest.roomKey = form.roomKey;
        if (form.allowInternet) hostRequest.allowInternet = true;
        const started = await bridge.hostRoom(hostRequest);
        this.apply({ type: 'hosting', hosting: started, time: Date.now() });
        if (started.state === 'failed') throw new Error(started.message);
      } else if (this.chat.hosting.state === 'running') {
        await bridge.stopHosting();
      }
      const request: ConnectRequest = {
        server: form.server,
        port: form.port,
        userName: form.userName,
        userColor: form.userColor,
        gender: form.gender,
      };
      if (form.roomKey) request.roomKey = form.roomKey;
      this.joiningFound = form.foundRoom ?? null;
      // The dialog stays until the login: a first attempt that fails is said here, beside the field.
      this.awaitingLogin = true;
      await bridge.connect(request);
    } catch (error) {
      this.joiningFound = null;
      this.awaitingLogin = false;
      this.dialogError = errorText(error);
    } finally {
      this.connecting = false;
    }
  }

  private async onDisconnectRequested(): Promise<void> {
    try {
      await this.bridge?.disconnect();
    } catch (error) {
      this.dialogError = errorText(error);
    }
  }

  private async onThemeChanged(event: CustomEvent<{ theme: Theme }>): Promise<void> {
    const theme = event.detail.theme;
    this.applySettings({ ...this.settings, theme });
    try {
      this.settings = await this.bridge!.saveSettings({ theme });
    } catch {
      // Kept for this session, as the language is.
    }
  }

  private async onLanguageChanged(event: CustomEvent<{ language: Language }>): Promise<void> {
    const language = event.detail.language;
    this.applySettings({ ...this.settings, language });
    try {
      this.settings = await this.bridge!.saveSettings({ language });
    } catch {
      // Kept for this session; the next start falls back to the stored choice.
    }
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'chat-app': ChatApp;
  }
}
