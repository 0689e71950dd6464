import type { BridgeEvents, ConnectRequest, ConnectionStatus, OlderHistory, PendingMessage, SendRequest, Unsubscribe } from '../bridge/contract';
import { CloseCode, DEFAULT_HISTORY_PAGE, DEFAULT_PING_INTERVAL_MS, MAX_HISTORY_PAGE, MAX_TEXT_LENGTH, SERVER_SILENCE_PINGS } from '../protocol/limits';
import type { ChatMessage, ErrorMessage, HistoryMessage, Identity, PublicMessage, ServerMessage } from '../protocol/messages';
import { codePointLength, isMessageId, isUserId, parseServerMessage } from '../protocol/parse';
import { cleanStatusText, isUserStatus } from '../protocol/parse';
import { escapeHtml } from '../protocol/rich-text';
import { foldRoomName, normalizeRoomName } from '../protocol/room-name';
import type { UserStatus } from '../protocol/messages';
import { AwaitedAnswers } from './awaited-answers';
import type { AwaitedAnswer } from './awaited-answers';
import { reconnectDelay } from './backoff';
import { describeClose, describeUnreachable } from './close-reasons';
import type { LossVerdict } from './close-reasons';
import { tryBuildConnectUrl } from './connect-url';
import { Outbox } from './outbox';
import { SocketState } from './socket';
import type { CreateSocket, WebSocketLike } from './socket';
import { hostTimers } from './timers';
import type { TimerHandle, Timers } from './timers';

/*
 * The client side of the protocol over any WebSocket-like transport: it logs in,
 * answers Pings, watches for a silent server, reconnects with backoff (handing back
 * the server's session token so the user keeps their name), keeps what the user
 * types in an outbox until the server's echo confirms it, and turns whatever the
 * server sends into typed events. Nothing a server or the network does makes it
 * throw; a listener that throws is a programmer error and does.
 */

export interface ClientSessionOptions {
  createSocket: CreateSocket;
  /** The server's ping interval; the server is gone after SERVER_SILENCE_PINGS of them in silence. */
  pingIntervalMs?: number;
  /** For the reconnect jitter; [0, 1). */
  random?: () => number;
  timers?: Timers;
  /** Wall clock for `queuedAt` and the send pacing; ms since the epoch. */
  now?: () => number;
}

/**
 * What a new session needs to take over a session its page had before (a browser
 * tab that was reloaded): the server's token and who it made us. Handed to
 * `connect`, the first login asks for that name and id back.
 */
export interface SessionResume {
  sessionToken: string;
  self: Identity;
}

/** Where and as whom a session may use the server's files endpoints (docs/SERVER.md, *Files*). */
export interface FileAccess {
  /** `http://host:port` or `https://…`: the chat port's own. */
  origin: string;
  /** `Authorization: Bearer <sessionToken>`. */
  sessionToken: string;
}

/** One's own status as the session keeps it (and sends again after each login). */
export interface OwnStatus {
  status: UserStatus;
  /** One line, trimmed, not escaped; '' for none. */
  text: string;
}

export type SessionEvents = Pick<BridgeEvents, 'message' | 'status' | 'notice' | 'outbox' | 'olderHistory'>;
export type SessionEventName = keyof SessionEvents;
type Listener<E extends SessionEventName> = (payload: SessionEvents[E]) => void;

const PONG = JSON.stringify({ action: 'Pong' });

/**
 * Sending is paced below the server's default rate limit (a burst of 20, then 5 a
 * second), so that flushing a full outbox after an outage is not refused as a flood.
 * History requests, edits and deletions take their share of the same pace; Pongs (one
 * per ping) fit in what is left.
 */
export const SEND_BURST = 10;
export const SEND_PER_SECOND = 4;
/** After a `rate-limited` answer the refused frame waits this long before it goes again. */
const RATE_LIMITED_PAUSE_MS = 1_000;
/**
 * A resumed session gets its missed messages in a History right after Authorized;
 * the outbox waits for it (ours may be in it) at most this long before resending.
 */
export const HISTORY_WAIT_MS = 1_000;
/** A page of older history not answered in this long is given up (the user may ask again). */
export const OLDER_HISTORY_TIMEOUT_MS = 10_000;

/** A room the user is in (or asked to be in): kept, with its key, only in memory, for one server. */
interface RoomWish {
  /** As the server spells it once joined; as the user typed it (normalised) before. */
  name: string;
  key: string | undefined;
  /** The server said RoomJoined in this login: its lines may go. */
  joined: boolean;
}

/** What our side says in its close frame (browsers allow only 1000 and 3000–4999). */
const CLOSE_BY_USER = { code: 1000, reason: 'Disconnected' } as const;
const CLOSE_SILENT_SERVER = { code: CloseCode.serverSilent, reason: 'Server silent' } as const;

/** The URL shown in statuses: without its query, which carries the room key and token. */
function shownUrl(url: string): string {
  return url.split('?')[0]!;
}

function seconds(ms: number): string {
  return `${Math.round(ms / 100) / 10} s`;
}

function preview(text: string, file?: { name: string }): string {
  if (text === '' && file !== undefined) return preview(`📎 ${file.name}`);
  const chars = Array.from(text);
  return chars.length > 40 ? `${chars.slice(0, 40).join('')}…` : text;
}

const sameTarget = (a: ConnectRequest, b: ConnectRequest): boolean =>
  a.server.trim() === b.server.trim() && a.port === b.port && (a.roomKey ?? '') === (b.roomKey ?? '');
const sameLogin = (a: ConnectRequest, b: ConnectRequest): boolean =>
  sameTarget(a, b) && a.userName === b.userName && a.userColor === b.userColor && a.gender === b.gender;

export class ClientSession {
  readonly #createSocket: CreateSocket;
  readonly #silenceMs: number;
  readonly #random: () => number;
  readonly #timers: Timers;
  readonly #now: () => number;
  readonly #listeners: { [E in SessionEventName]: Set<Listener<E>> } = {
    message: new Set(),
    status: new Set(),
    notice: new Set(),
    outbox: new Set(),
    olderHistory: new Set(),
  };
  readonly #outbox = new Outbox();
  /** What the server owes us an answer for on this connection, in order. */
  readonly #awaited = new AwaitedAnswers();
  /** History requests, edits and deletions asked for and waiting for the pace: they go before chat. */
  #requests: Array<Exclude<AwaitedAnswer, { kind: 'chat' }>> = [];

  #status: ConnectionStatus = { state: 'idle' };
  /** What the user asked for; reused, unchanged, by every reconnect. Cleared when the session ends. */
  #request: ConnectRequest | undefined;
  /** The last request, kept after the session ends: a new one to the same place keeps the outbox. */
  #lastRequest: ConnectRequest | undefined;
  /** From the last Authorized: handed back on reconnect to get the same name and id. */
  #sessionToken: string | undefined;
  /** Who the server said we are at the last login. */
  #self: Identity | undefined;
  /** Counts logins that were not resumptions: what a user id means changes with each. */
  #login = 0;
  /** Our server (it gives tokens) echoes private messages to their sender; the original did not. */
  #serverEchoesPrivate = false;
  /** The last login proved a lasting identity: its dialogs can be paged. */
  #lasting = false;
  #historyTimer: TimerHandle | undefined;
  /** The one page of older history asked for and not yet answered, with its give-up timer. */
  #older: { before: number; timer: TimerHandle; room?: string } | undefined;
  #pumpTimer: TimerHandle | undefined;
  #sendTokens = SEND_BURST;
  #tokensAt = 0;
  #socket: WebSocketLike | undefined;
  #url = '';
  #opened = false;
  /** The last error event of the current socket: it explains the close that follows. */
  #socketError: unknown;
  /** Reconnect tries since the last login; 0 while on the first connection. */
  #attempt = 0;
  /**
   * This session logged in at least once (or took over one that had). Until then a
   * lost connection ends it: automatic retries are for a connection that worked and
   * dropped, and a first attempt that fails is the user's to fix and retry.
   */
  #worked = false;
  #silenceTimer: TimerHandle | undefined;
  #reconnectTimer: TimerHandle | undefined;
  #toldServerNewer = false;
  /** What the user said about being available: sent at once when logged in, and again after each login. */
  #ownStatus: OwnStatus = { status: 'online', text: '' };
  /** Whether buzzes are taken: the server assumes so until told otherwise, at each login. */
  #allowBuzz = true;
  /** The rooms to be in, by folded name: joined again after each login, until left. */
  readonly #rooms = new Map<string, RoomWish>();

  constructor(options: ClientSessionOptions) {
    const pingIntervalMs = options.pingIntervalMs ?? DEFAULT_PING_INTERVAL_MS;
    if (!(Number.isFinite(pingIntervalMs) && pingIntervalMs > 0)) throw new RangeError('pingIntervalMs must be a positive number');
    if (typeof options.createSocket !== 'function') throw new TypeError('createSocket must be a function');
    this.#createSocket = options.createSocket;
    this.#silenceMs = SERVER_SILENCE_PINGS * pingIntervalMs;
    this.#random = options.random ?? Math.random;
    this.#timers = options.timers ?? hostTimers;
    this.#now = options.now ?? Date.now;
  }

  get status(): ConnectionStatus {
    return this.#status;
  }

  /**
   * What a later session would need to take this one over (see `SessionResume`):
   * defined while the session goes on (logged in, or coming back) and the server
   * gave it a token; undefined before, and once the user or the server ended it.
   */
  get resumable(): SessionResume | undefined {
    if (this.#request === undefined || this.#sessionToken === undefined || this.#self === undefined) return undefined;
    return { sessionToken: this.#sessionToken, self: { ...this.#self } };
  }

  /** Defined while logged in to a server that gives tokens (ours): what an upload or a download needs. */
  get fileAccess(): FileAccess | undefined {
    if (this.#status.state !== 'authorized' || this.#sessionToken === undefined) return undefined;
    const match = /^(wss?):\/\/([^/?#]+)/i.exec(this.#url);
    if (match === null) return undefined;
    return { origin: `${match[1]!.toLowerCase() === 'wss' ? 'https' : 'http'}://${match[2]!}`, sessionToken: this.#sessionToken };
  }

  /** Messages not yet confirmed by the server, oldest first. */
  get outbox(): PendingMessage[] {
    return this.#outbox.snapshot();
  }

  on<E extends SessionEventName>(event: E, listener: Listener<E>): Unsubscribe {
    const listeners = this.#listeners[event] as Set<Listener<E>>;
    listeners.add(listener);
    return () => {
      listeners.delete(listener);
    };
  }

  /**
   * Starts a new session; one in progress is ended as if by the user, without a status of its own.
   * `resume` (from `resumable` of an earlier session for the same login) asks the server for that
   * name and id back; it counts only when this session has not logged in with the same request
   * itself, whose own token is newer.
   */
  connect(request: ConnectRequest, resume?: SessionResume): void {
    if (resume !== undefined) checkResume(resume);
    this.#stop(CLOSE_BY_USER);
    const previous = this.#lastRequest;
    const next: ConnectRequest = { ...request };
    this.#request = next;
    this.#lastRequest = next;
    this.#attempt = 0;
    this.#worked = resume !== undefined;
    this.#toldServerNewer = false;
    // A token brings back the name it was given for: only for the same login.
    if (previous === undefined || !sameLogin(previous, next)) {
      this.#sessionToken = resume?.sessionToken;
      this.#self = resume === undefined ? undefined : { ...resume.self };
    }
    // Rooms (and their keys) are one server's.
    if (previous !== undefined && !sameTarget(previous, next)) this.#rooms.clear();
    const stranded = previous !== undefined && !sameTarget(previous, next) ? this.#outbox.size : 0;
    if (stranded > 0) this.#outbox.clear();
    this.#open();
    if (stranded > 0) {
      this.#emitOutbox();
      this.#notice({ kind: 'send-failed', reason: `${stranded} message(s) waiting for the previous server were not sent.` });
    }
  }

  /** The user's own disconnect: no reconnect follows. */
  disconnect(): void {
    const wasActive = this.#request !== undefined && this.#status.state !== 'closed' && this.#status.state !== 'idle';
    this.#stop(CLOSE_BY_USER);
    this.#request = undefined;
    if (wasActive) this.#setStatus({ state: 'closed', reason: 'Disconnected.', byUser: true });
  }

  /**
   * Queues a message: it goes at once when logged in and the pace allows, else
   * after the next login. It stays in the outbox until the server's echo.
   */
  send(request: SendRequest): void {
    if (!isUserId(request.toUserId)) throw new RangeError('toUserId must be a user id (0: public)');
    if (typeof request.text !== 'string') throw new TypeError('text must be a string');
    const text = request.text.trim();
    // The server relays no empty text either; a file's line may have none.
    if (text === '' && request.file === undefined) return;
    if (codePointLength(text) > MAX_TEXT_LENGTH) {
      this.#notice({ kind: 'send-failed', reason: `The message is longer than ${MAX_TEXT_LENGTH} characters.` });
      return;
    }
    if (request.replyTo !== undefined && !isMessageId(request.replyTo)) throw new RangeError('replyTo must be a message id');
    const room = request.room === undefined ? undefined : this.#roomFor(request.room, request.toUserId);
    if (room === null) {
      this.#notice({ kind: 'send-failed', reason: `“${preview(text, request.file)}” was not sent: you are not in the room ${request.room}.` });
      return;
    }
    if (this.#outbox.add(text, request.toUserId, this.#now(), this.#login, request.replyTo, room, request.file) === undefined) {
      this.#notice({ kind: 'send-failed', reason: `“${preview(text, request.file)}” was not sent: too many messages are waiting already.` });
      return;
    }
    this.#emitOutbox();
    this.#pump();
  }

  /** Drops a message that still waits; false when it is on its way already or unknown. */
  cancelPending(id: string): boolean {
    if (!this.#outbox.cancel(id)) return false;
    this.#emitOutbox();
    return true;
  }

  /**
   * Asks for up to `limit` public lines older than the line `before`; the answer comes
   * as an `olderHistory` event. One at a time: false while one is on its way, and
   * while not logged in.
   */
  loadOlder(before: number, limit: number = DEFAULT_HISTORY_PAGE, room?: string): boolean {
    if (!isMessageId(before)) throw new RangeError('before must be a message id');
    const wish = room === undefined ? undefined : this.#rooms.get(foldRoomName(normalizeRoomName(room) ?? ''));
    if (room !== undefined && wish?.joined !== true) return false;
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_HISTORY_PAGE) throw new RangeError(`limit must be an integer from 1 to ${MAX_HISTORY_PAGE}`);
    const socket = this.#socket;
    if (this.#older !== undefined || this.#status.state !== 'authorized' || socket === undefined || socket.readyState !== SocketState.open) return false;
    const timer = this.#timers.setTimeout(() => this.#olderFailed('The server did not send the older messages.'), OLDER_HISTORY_TIMEOUT_MS);
    this.#older = wish === undefined ? { before, timer } : { before, timer, room: wish.name };
    this.#requests.push({ kind: 'history', frame: JSON.stringify(wish === undefined ? { action: 'History', before, limit } : { action: 'History', before, limit, room: wish.name }) });
    this.#pump();
    return true;
  }

  /**
   * Asks for a page of the private dialog with `withUserId` (lines older than `before`,
   * or the newest); the server answers with a DialogHistory, which comes as a message.
   * False while not logged in, and when the login has no lasting identity (an older
   * server, or the original, which would take the request for a chat line).
   */
  loadDialog(withUserId: number, before?: number, limit: number = DEFAULT_HISTORY_PAGE): boolean {
    if (!isUserId(withUserId) || withUserId === 0) throw new RangeError('withUserId must be a user id');
    if (before !== undefined && !isMessageId(before)) throw new RangeError('before must be a message id');
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_HISTORY_PAGE) throw new RangeError(`limit must be an integer from 1 to ${MAX_HISTORY_PAGE}`);
    const socket = this.#socket;
    if (!this.#lasting || this.#status.state !== 'authorized' || socket === undefined || socket.readyState !== SocketState.open) return false;
    const frame = JSON.stringify(before === undefined ? { action: 'History', with: withUserId, limit } : { action: 'History', with: withUserId, before, limit });
    this.#requests.push({ kind: 'dialog', withUserId, frame });
    this.#pump();
    return true;
  }

  /**
   * Asks the server to change (`text`) or delete (`null`) a line of one's own. Not
   * queued: an edit typed while offline would land on whatever the line is by then.
   * False when not logged in or the text is empty or too long (nothing is sent).
   * The server answers everyone with MessageEdited / MessageDeleted, or the sender
   * alone with an Error.
   */
  changeLine(messageId: number, text: string | null): boolean {
    if (!isMessageId(messageId)) throw new RangeError('messageId must be a message id');
    const trimmed = text?.trim();
    if (trimmed !== undefined && (trimmed === '' || codePointLength(trimmed) > MAX_TEXT_LENGTH)) return false;
    const socket = this.#socket;
    if (this.#status.state !== 'authorized' || socket === undefined || socket.readyState !== SocketState.open) return false;
    const frame = trimmed === undefined ? { action: 'Delete', messageId } : { action: 'Edit', messageId, text: trimmed };
    this.#requests.push({ kind: 'change', messageId, frame: JSON.stringify(frame) });
    this.#pump();
    return true;
  }

  /** One's own status as last set (what the next login sends again). */
  get ownStatus(): OwnStatus {
    return { ...this.#ownStatus };
  }

  /**
   * Sets one's status; sent now when logged in, and kept for every later login (the
   * server forgets it with the session). The server's StatusChanged is the echo.
   */
  setStatus(status: UserStatus, text = ''): void {
    if (!isUserStatus(status)) throw new RangeError('status must be one of online, working, resting, away, busy');
    const cleaned = cleanStatusText(text);
    if (cleaned === null) throw new RangeError('text must be a string of at most 80 characters');
    if (status === this.#ownStatus.status && cleaned === this.#ownStatus.text) return;
    this.#ownStatus = { status, text: cleaned };
    this.#sendControl({ action: 'SetStatus', status, text: cleaned });
  }

  /** Whether others may buzz us; told to the server now when logged in, and at each login while off. */
  allowBuzzes(allow: boolean): void {
    if (typeof allow !== 'boolean') throw new TypeError('allow must be a boolean');
    if (allow === this.#allowBuzz) return;
    this.#allowBuzz = allow;
    this.#sendControl({ action: 'AllowBuzz', allow });
  }

  /**
   * Buzzes a user; false when not logged in (nothing is sent). The server answers with
   * the Buzz itself (our receipt) or an Error marked `refused: "Buzz"`, both as messages.
   */
  buzz(toUserId: number): boolean {
    if (!isUserId(toUserId) || toUserId === 0) throw new RangeError('toUserId must be a user id');
    return this.#sendControl({ action: 'Buzz', toUserId });
  }

  /** The rooms to be in (joined or asked for), by the names the server gave them. */
  get rooms(): string[] {
    return [...this.#rooms.values()].map((r) => r.name);
  }

  /**
   * Joins a room, now when logged in and again after every later login (with the same
   * key, kept in memory only) until `leaveRoom`. The server answers RoomJoined and the
   * room's History, or an Error (a wrong key: `room-forbidden`), as messages.
   */
  joinRoom(name: string, key?: string): void {
    const room = normalizeRoomName(name);
    if (room === null) throw new RangeError('name must be a room name');
    if (key !== undefined && (typeof key !== 'string' || key === '')) throw new TypeError('key must be a non-empty string');
    const fold = foldRoomName(room);
    const known = this.#rooms.get(fold);
    this.#rooms.set(fold, { name: known?.joined === true ? known.name : room, key: key ?? known?.key, joined: known?.joined ?? false });
    if (this.#queueJoin(fold)) this.#pump();
  }

  /** Leaves a room: not joined again; its lines still waiting are dropped. False when not logged in (it is forgotten all the same). */
  leaveRoom(name: string): boolean {
    const room = normalizeRoomName(name);
    if (room === null) throw new RangeError('name must be a room name');
    const fold = foldRoomName(room);
    const wish = this.#rooms.get(fold);
    this.#rooms.delete(fold);
    const dropped = this.#outbox.takeRoom(room);
    if (dropped.length > 0) {
      this.#emitOutbox();
      this.#notice({ kind: 'send-failed', reason: `${dropped.length} message(s) for the room ${room} were not sent: you left it.` });
    }
    return this.#request_({ kind: 'leave', frame: JSON.stringify({ action: 'LeaveRoom', room: wish?.name ?? room }) });
  }

  /** Asks for the server's rooms; the RoomList comes as a message. False when not logged in. */
  listRooms(): boolean {
    return this.#request_({ kind: 'list', frame: JSON.stringify({ action: 'ListRooms' }) });
  }

  /** A request the server answers, paced with the rest; false (not queued) when not logged in. */
  #request_(request: Exclude<AwaitedAnswer, { kind: 'chat' }>): boolean {
    const socket = this.#socket;
    if (this.#status.state !== 'authorized' || socket === undefined || socket.readyState !== SocketState.open) return false;
    this.#requests.push(request);
    this.#pump();
    return true;
  }

  /** The room a line goes to, as the server spells it; null for one not joined (nor asked for). */
  #roomFor(name: string, toUserId: number): string | null {
    const room = normalizeRoomName(name);
    if (room === null || toUserId !== 0) throw new RangeError('room must be a room name, on a public line');
    return this.#rooms.get(foldRoomName(room))?.name ?? null;
  }

  /** Queues the JoinRoom of a room wished for (not written yet: the caller pumps); false when not logged in. */
  #queueJoin(fold: string): boolean {
    const wish = this.#rooms.get(fold);
    const socket = this.#socket;
    if (wish === undefined || this.#status.state !== 'authorized' || socket === undefined || socket.readyState !== SocketState.open) return false;
    const frame = wish.key === undefined ? { action: 'JoinRoom', room: wish.name } : { action: 'JoinRoom', room: wish.name, key: wish.key };
    this.#requests.push({ kind: 'join', fold, frame: JSON.stringify(frame) });
    return true;
  }

  /** After a login: the server has us in the lobby only (or, resumed, maybe in some rooms): ask for each again. */
  #rejoinRooms(): void {
    for (const [fold, wish] of this.#rooms) {
      wish.joined = false;
      this.#queueJoin(fold);
    }
  }

  #onRoomJoined(room: string): void {
    const fold = foldRoomName(room);
    this.#awaited.settleFirst((a) => a.kind === 'join' && a.fold === fold);
    const wish = this.#rooms.get(fold);
    // A room the server put us back in that we had not asked for (left meanwhile): it is the server's word.
    this.#rooms.set(fold, { name: room, key: wish?.key, joined: true });
    this.#pump();
  }

  /** A JoinRoom was refused: that room is not asked for again. */
  #onJoinRefused(fold: string): void {
    const wish = this.#rooms.get(fold);
    if (wish === undefined || wish.joined) return;
    this.#rooms.delete(fold);
    const dropped = this.#outbox.takeRoom(wish.name);
    if (dropped.length > 0) {
      this.#emitOutbox();
      this.#notice({ kind: 'send-failed', reason: `${dropped.length} message(s) for the room ${wish.name} were not sent: it could not be joined.` });
    }
  }

  /**
   * A frame that is not chat: now or never (false: not logged in, or the socket refused it).
   * It still takes its share of the pace (the chat waiting after it waits longer), so the
   * server is not driven to a `rate-limited`, which would be taken for another frame's.
   */
  #sendControl(frame: object): boolean {
    const socket = this.#socket;
    if (this.#status.state !== 'authorized' || socket === undefined || socket.readyState !== SocketState.open) return false;
    try {
      socket.send(JSON.stringify(frame));
    } catch {
      return false;
    }
    this.#refillTokens();
    this.#sendTokens -= 1;
    return true;
  }

  /** After a login: what the server does not know of us yet (a new session starts online, taking buzzes). */
  #restoreOwnStatus(message: Extract<ServerMessage, { action: 'Authorized' }>): void {
    const listed = message.users.find((u) => u.userId === message.userId);
    const { status, text } = this.#ownStatus;
    if ((listed?.status ?? 'online') !== status || (listed?.statusText ?? '') !== escapeHtml(text)) {
      this.#sendControl({ action: 'SetStatus', status, text });
    }
    if (!this.#allowBuzz) this.#sendControl({ action: 'AllowBuzz', allow: false });
  }

  /** Tries at once instead of waiting out the backoff (wake from sleep, back online). */
  reconnectNow(): void {
    if (this.#status.state !== 'reconnecting') return;
    this.#clearReconnect();
    this.#open();
  }

  // ---- the connection ---------------------------------------------------------------

  #open(): void {
    const request = this.#request;
    if (request === undefined) return;
    const built = tryBuildConnectUrl(request, this.#sessionToken === undefined ? {} : { sessionToken: this.#sessionToken });
    if (!built.ok) {
      this.#request = undefined;
      this.#setStatus({ state: 'closed', reason: built.reason, byUser: false, about: 'address' });
      return;
    }
    this.#url = built.url;
    let socket: WebSocketLike;
    try {
      socket = this.#createSocket(built.url);
    } catch (error) {
      // A transport that refuses the URL outright: retrying the same URL cannot help.
      const message = error instanceof Error ? error.message : String(error);
      this.#request = undefined;
      this.#setStatus({ state: 'closed', reason: `Could not connect to ${shownUrl(built.url)}: ${message}`, byUser: false, about: 'address' });
      return;
    }
    this.#socket = socket;
    this.#opened = false;
    this.#socketError = undefined;
    socket.onopen = () => {
      if (socket === this.#socket) this.#onOpen();
    };
    socket.onmessage = (event) => {
      if (socket === this.#socket) this.#onMessage(socket, event);
    };
    socket.onerror = (event) => {
      if (socket === this.#socket) this.#socketError = event;
    };
    socket.onclose = (event) => {
      if (socket === this.#socket) this.#onClose(event);
    };
    // Until the server is heard from, the same watch bounds the connect itself.
    this.#armSilenceWatch();
    this.#setStatus({ state: 'connecting', url: shownUrl(built.url), attempt: this.#attempt });
  }

  #onOpen(): void {
    this.#opened = true;
    this.#armSilenceWatch();
    this.#setStatus({ state: 'open', url: shownUrl(this.#url) });
  }

  #onMessage(socket: WebSocketLike, event: { data: unknown }): void {
    this.#armSilenceWatch();
    const data = typeof event === 'object' && event !== null ? event.data : undefined;
    // Binary frames mean nothing in this protocol; they still proved the server alive.
    if (typeof data !== 'string') return;
    const parsed = parseServerMessage(data);
    if (!parsed.ok) {
      if (parsed.error.code === 'unknown-action' && hasStringAction(data)) this.#tellServerNewer(parsed.error.action ?? '');
      return;
    }
    const message = parsed.message;
    switch (message.action) {
      case 'Ping':
        this.#sendRaw(socket, PONG);
        return;
      case 'Authorized':
        this.#onAuthorized(message);
        return;
      case 'History':
        if (this.#isOlderPage(message)) {
          this.#olderAnswered(message);
          return;
        }
        this.#emit('message', message);
        this.#onHistory(message.messages, message.room);
        return;
      case 'PublicMessage':
      case 'PrivateMessage':
        // The line first, then the pending copy goes: no moment shows neither.
        this.#emit('message', message);
        if (this.#self !== undefined && this.#outbox.takeEcho(message, this.#self.userId)) {
          this.#awaited.settleLast((a) => a.kind === 'chat' && !this.#outbox.isAwaiting(a.id));
          this.#emitOutbox();
        }
        return;
      case 'MessageEdited':
      case 'MessageDeleted':
        this.#awaited.settleFirst((a) => a.kind === 'change' && a.messageId === message.messageId);
        this.#emit('message', message);
        return;
      case 'DialogHistory':
        this.#awaited.settleFirst((a) => a.kind === 'dialog' && a.withUserId === message.with);
        this.#emit('message', message);
        return;
      case 'Error':
        this.#emit('message', message);
        // A refused Buzz answers no chat line.
        if (message.refused === undefined) this.#onError(message);
        return;
      case 'RoomJoined':
        this.#emit('message', message);
        this.#onRoomJoined(message.room);
        return;
      case 'RoomLeft':
        this.#awaited.settleFirst((a) => a.kind === 'leave');
        this.#emit('message', message);
        this.#rooms.delete(foldRoomName(message.room));
        return;
      case 'RoomList':
        this.#awaited.settleFirst((a) => a.kind === 'list');
        this.#emit('message', message);
        return;
      default:
        this.#emit('message', message);
    }
  }

  #onAuthorized(message: Extract<ServerMessage, { action: 'Authorized' }>): void {
    this.#attempt = 0;
    this.#worked = true;
    const self: Identity = {
      userId: message.userId,
      userName: message.userName,
      gender: message.gender,
      userColor: message.userColor,
    };
    // Same id back for the token we handed in: the server resumed our session.
    const resumed = this.#sessionToken !== undefined && this.#self?.userId === self.userId;
    this.#sessionToken = message.sessionToken;
    this.#serverEchoesPrivate = message.sessionToken !== undefined;
    this.#lasting = message.lasting === true;
    this.#self = self;
    if (!resumed) this.#login += 1;
    this.#setStatus({ state: 'authorized', self });
    this.#emit('message', message);
    this.#restoreOwnStatus(message);
    this.#rejoinRooms();
    const stale = resumed ? [] : this.#outbox.takePrivateBefore(this.#login);
    if (stale.length > 0) {
      this.#emitOutbox();
      const what = stale.length === 1 ? `The private message “${preview(stale[0]!.text)}” was` : `${stale.length} private messages were`;
      this.#notice({ kind: 'send-failed', reason: `${what} not sent: this is a new login, and its recipient may now be someone else.` });
    }
    if (resumed && this.#outbox.size > 0) {
      this.#historyTimer = this.#timers.setTimeout(() => {
        this.#historyTimer = undefined;
        this.#pump();
      }, HISTORY_WAIT_MS);
    } else {
      this.#pump();
    }
  }

  #onHistory(messages: readonly PublicMessage[], room?: string): void {
    const changed = this.#self !== undefined && this.#outbox.takeHistory(messages, this.#self.userId, room);
    if (this.#clearHistoryWait() || changed) {
      if (changed) this.#emitOutbox();
      this.#pump();
    }
  }

  /**
   * Both answers to a page request and the History after a login are `History`. The
   * server sends the login's one right after Authorized, before it reads anything we
   * send, and it holds the room's newest lines; a page holds only lines below `before`
   * (the oldest line we have). So a History while a page is asked for is the page when
   * every line in it is below `before`.
   */
  #isOlderPage(message: HistoryMessage): boolean {
    const older = this.#older;
    const sameRoom = older !== undefined && (older.room === undefined || message.room === undefined ? older.room === message.room : foldRoomName(older.room) === foldRoomName(message.room));
    return older !== undefined && sameRoom && message.messages.every((m) => m.messageId !== undefined && m.messageId < older.before);
  }

  #olderAnswered(message: HistoryMessage): void {
    this.#awaited.settleFirst((a) => a.kind === 'history');
    const older = this.#older!;
    this.#timers.clearTimeout(older.timer);
    this.#older = undefined;
    // A server that does not say is taken to have more only when the page was not short of lines.
    const page: OlderHistory = { ok: true, before: older.before, messages: message.messages, hasMore: message.hasMore ?? message.messages.length > 0 };
    if (older.room !== undefined) page.room = older.room;
    this.#emit('olderHistory', page);
  }

  #olderFailed(reason: string): void {
    const older = this.#older;
    if (older === undefined) return;
    this.#timers.clearTimeout(older.timer);
    this.#older = undefined;
    // Not written yet: it never will be (its answer would pass for a login's History).
    this.#requests = this.#requests.filter((r) => r.kind !== 'history');
    const page: OlderHistory = { ok: false, before: older.before, reason };
    if (older.room !== undefined) page.room = older.room;
    this.#emit('olderHistory', page);
  }

  /**
   * An Error that answers a frame of ours settles that frame (see AwaitedAnswers): a
   * refused chat line is dropped, saying so; a refused page is given up; an edit, a
   * deletion or a dialog's page refused is told by the Error itself. `rate-limited`: it goes again after
   * a pause, in its place.
   */
  #onError(error: ErrorMessage): void {
    const answered = this.#awaited.takeError(error.code);
    if (answered === undefined) return;
    if (error.code === 'rate-limited') {
      if (answered.kind === 'chat') {
        if (!this.#outbox.requeueRefused(answered.id)) return;
        this.#emitOutbox();
      } else {
        this.#requests.unshift(answered);
      }
      this.#sendTokens = 0;
      this.#tokensAt = this.#now();
      this.#schedulePump(RATE_LIMITED_PAUSE_MS);
      return;
    }
    if (answered.kind === 'history') {
      this.#olderFailed(error.message);
      return;
    }
    if (answered.kind === 'join') {
      this.#onJoinRefused(answered.fold);
      return;
    }
    if (answered.kind !== 'chat') return;
    const refused = this.#outbox.takeRefused(answered.id);
    if (refused === undefined) return;
    this.#emitOutbox();
    this.#notice({ kind: 'send-failed', reason: `“${preview(refused.text, refused.file)}” was not sent: ${error.message}` });
  }

  // ---- the outbox -------------------------------------------------------------------

  /**
   * Writes what waits as far as the login and the pace allow: the user's requests
   * first, then the outbox's messages, oldest first, once no History is awaited.
   */
  #pump(): void {
    const socket = this.#socket;
    if (this.#status.state !== 'authorized' || socket === undefined || socket.readyState !== SocketState.open) return;
    if (this.#pumpTimer !== undefined) return;
    this.#refillTokens();
    let wrote = false;
    // A room's line waits until the room is joined (a locked room's key is checked first).
    const joined = (room: string): boolean => this.#rooms.get(foldRoomName(room))?.joined === true;
    for (;;) {
      const request = this.#requests[0];
      const next = request === undefined && this.#historyTimer === undefined ? this.#outbox.nextWaiting(joined) : undefined;
      if (request === undefined && next === undefined) break;
      if (this.#sendTokens < 1) {
        this.#schedulePump(((1 - this.#sendTokens) * 1_000) / SEND_PER_SECOND);
        break;
      }
      let frame: string;
      if (request !== undefined) {
        frame = request.frame;
      } else {
        const message: ChatMessage = { action: 'Message', text: next!.text, toUserId: next!.toUserId };
        if (next!.replyTo !== undefined) message.replyTo = next!.replyTo;
        if (next!.room !== undefined) message.room = this.#rooms.get(foldRoomName(next!.room))?.name ?? next!.room;
        if (next!.file !== undefined) message.file = { fileId: next!.file.fileId };
        frame = JSON.stringify(message);
      }
      try {
        socket.send(frame);
      } catch {
        // The close that follows puts it back in line.
        break;
      }
      this.#sendTokens -= 1;
      if (request !== undefined) {
        this.#requests.shift();
        this.#awaited.written(request);
        continue;
      }
      const awaitEcho = next!.toUserId === 0 || this.#serverEchoesPrivate;
      this.#outbox.markSent(next!.id, awaitEcho);
      if (awaitEcho) this.#awaited.written({ kind: 'chat', id: next!.id });
      wrote = true;
    }
    if (wrote) this.#emitOutbox();
  }

  #refillTokens(): void {
    const now = this.#now();
    this.#sendTokens = Math.min(SEND_BURST, this.#sendTokens + (Math.max(0, now - this.#tokensAt) * SEND_PER_SECOND) / 1_000);
    this.#tokensAt = now;
  }

  #schedulePump(ms: number): void {
    if (this.#pumpTimer !== undefined) return;
    this.#pumpTimer = this.#timers.setTimeout(() => {
      this.#pumpTimer = undefined;
      this.#pump();
    }, Math.max(1, Math.ceil(ms)));
  }

  #clearHistoryWait(): boolean {
    if (this.#historyTimer === undefined) return false;
    this.#timers.clearTimeout(this.#historyTimer);
    this.#historyTimer = undefined;
    return true;
  }

  #clearPump(): void {
    if (this.#pumpTimer === undefined) return;
    this.#timers.clearTimeout(this.#pumpTimer);
    this.#pumpTimer = undefined;
  }

  #onClose(event: { code: number; reason: string }): void {
    const verdict = this.#opened
      ? describeClose(typeof event?.code === 'number' ? event.code : 1006, typeof event?.reason === 'string' ? event.reason : '')
      : describeUnreachable(this.#url, this.#socketError);
    this.#lose(verdict, this.#opened && typeof event?.code === 'number' ? event.code : undefined);
  }

  #onSilence(): void {
    const verdict: LossVerdict = this.#opened
      ? { reason: `The server stopped answering: nothing heard for ${seconds(this.#silenceMs)}.`, final: false }
      : { reason: `The server at ${shownUrl(this.#url)} did not answer within ${seconds(this.#silenceMs)}.`, final: false, about: 'address' };
    this.#lose(verdict, undefined);
  }

  /** The connection is gone: come back after a while, unless the server refused us for good. */
  #lose(verdict: LossVerdict, code: number | undefined): void {
    const requeued = this.#abandonSocket(CLOSE_SILENT_SERVER);
    // A busy server asked to be tried again later: that holds for a first attempt too.
    const firstFailed = !this.#worked && code !== CloseCode.tryLater;
    if (verdict.final || firstFailed || this.#request === undefined) {
      this.#request = undefined;
      const closed: Extract<ConnectionStatus, { state: 'closed' }> = { state: 'closed', reason: verdict.reason, byUser: false };
      if (code !== undefined) closed.code = code;
      if (verdict.about !== undefined) closed.about = verdict.about;
      this.#setStatus(closed);
    } else {
      this.#attempt += 1;
      const delayMs = reconnectDelay(this.#attempt, this.#random);
      this.#reconnectTimer = this.#timers.setTimeout(() => {
        this.#reconnectTimer = undefined;
        this.#open();
      }, delayMs);
      this.#setStatus({ state: 'reconnecting', delayMs, attempt: this.#attempt, reason: verdict.reason });
    }
    if (requeued) this.#emitOutbox();
  }

  #stop(close: { code: number; reason: string }): void {
    this.#clearReconnect();
    if (this.#abandonSocket(close)) this.#emitOutbox();
  }

  /**
   * Detaches the current socket so none of its late events count, and closes it.
   * Returns whether messages in flight went back to waiting (the outbox changed).
   */
  #abandonSocket(close: { code: number; reason: string }): boolean {
    this.#clearSilenceWatch();
    this.#clearHistoryWait();
    this.#clearPump();
    this.#olderFailed('The connection was lost.');
    this.#awaited.clear();
    const unsent = this.#requests.filter((r) => r.kind === 'change').length;
    this.#requests = [];
    if (unsent > 0) this.#notice({ kind: 'send-failed', reason: `${unsent} edit(s) or deletion(s) were not sent: the connection was lost.` });
    const requeued = this.#outbox.connectionLost();
    const socket = this.#socket;
    if (socket === undefined) return requeued;
    this.#socket = undefined;
    socket.onopen = null;
    socket.onmessage = null;
    socket.onclose = null;
    // Not null: `ws` reports a close before the handshake as an 'error', and an
    // 'error' nobody listens to would crash the process.
    socket.onerror = () => {};
    if (socket.readyState === SocketState.connecting || socket.readyState === SocketState.open) {
      try {
        socket.close(close.code, close.reason);
      } catch {
        // The transport is already tearing down; nothing is left to close.
      }
    }
    return requeued;
  }

  #sendRaw(socket: WebSocketLike, frame: string): void {
    if (socket.readyState !== SocketState.open) return;
    try {
      socket.send(frame);
    } catch {
      // The close event that follows tells the story.
    }
  }

  #armSilenceWatch(): void {
    this.#clearSilenceWatch();
    this.#silenceTimer = this.#timers.setTimeout(() => {
      this.#silenceTimer = undefined;
      this.#onSilence();
    }, this.#silenceMs);
  }

  #clearSilenceWatch(): void {
    if (this.#silenceTimer === undefined) return;
    this.#timers.clearTimeout(this.#silenceTimer);
    this.#silenceTimer = undefined;
  }

  #clearReconnect(): void {
    if (this.#reconnectTimer === undefined) return;
    this.#timers.clearTimeout(this.#reconnectTimer);
    this.#reconnectTimer = undefined;
  }

  // ---- events -------------------------------------------------------------------------

  #tellServerNewer(action: string): void {
    if (this.#toldServerNewer) return;
    this.#toldServerNewer = true;
    this.#notice({ kind: 'server-newer', action });
  }

  #notice(notice: SessionEvents['notice']): void {
    this.#emit('notice', notice);
  }

  #emitOutbox(): void {
    this.#emit('outbox', this.#outbox.snapshot());
  }

  #setStatus(status: ConnectionStatus): void {
    this.#status = status;
    this.#emit('status', status);
  }

  /** Every listener runs even if one throws; the first error is rethrown after. */
  #emit<E extends SessionEventName>(event: E, payload: SessionEvents[E]): void {
    let failure: { error: unknown } | undefined;
    for (const listener of [...(this.#listeners[event] as Set<Listener<E>>)]) {
      try {
        listener(payload);
      } catch (error) {
        failure ??= { error };
      }
    }
    if (failure) throw failure.error;
  }
}

function checkResume(resume: SessionResume): void {
  if (typeof resume !== 'object' || resume === null) throw new TypeError('resume must be an object');
  if (typeof resume.sessionToken !== 'string' || resume.sessionToken === '') throw new TypeError('resume.sessionToken must be a non-empty string');
  const self = resume.self as Partial<Identity> | null;
  if (typeof self !== 'object' || self === null || !isUserId(self.userId) || self.userId === 0 || typeof self.userName !== 'string') {
    throw new TypeError('resume.self must be the identity of an earlier login');
  }
}

/** Tells a newer server's action apart from a frame that has no action at all. */
function hasStringAction(raw: string): boolean {
  try {
    const value: unknown = JSON.parse(raw);
    return typeof value === 'object' && value !== null && typeof (value as { action?: unknown }).action === 'string';
  } catch {
    return false;
  }
}
