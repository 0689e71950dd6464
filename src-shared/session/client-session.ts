import type { BridgeEvents, ConnectRequest, ConnectionStatus, SendRequest, Unsubscribe } from '../bridge/contract';
import { DEFAULT_PING_INTERVAL_MS, MAX_TEXT_LENGTH, SERVER_SILENCE_PINGS } from '../protocol/limits';
import type { Identity, ServerMessage } from '../protocol/messages';
import { codePointLength, isUserId, parseServerMessage } from '../protocol/parse';
import { reconnectDelay } from './backoff';
import { describeClose, describeUnreachable } from './close-reasons';
import type { LossVerdict } from './close-reasons';
import { tryBuildConnectUrl } from './connect-url';
import { SocketState } from './socket';
import type { CreateSocket, WebSocketLike } from './socket';
import { hostTimers } from './timers';
import type { TimerHandle, Timers } from './timers';

/*
 * The client side of the protocol over any WebSocket-like transport: it logs in,
 * answers Pings, watches for a silent server, reconnects with backoff, and turns
 * whatever the server sends into typed events. Nothing a server or the network
 * does makes it throw; a listener that throws is a programmer error and does.
 */

export interface ClientSessionOptions {
  createSocket: CreateSocket;
  /** The server's ping interval; the server is gone after SERVER_SILENCE_PINGS of them in silence. */
  pingIntervalMs?: number;
  /** For the reconnect jitter; [0, 1). */
  random?: () => number;
  timers?: Timers;
}

export type SessionEvents = Pick<BridgeEvents, 'message' | 'status' | 'notice'>;
export type SessionEventName = keyof SessionEvents;
type Listener<E extends SessionEventName> = (payload: SessionEvents[E]) => void;

const PONG = JSON.stringify({ action: 'Pong' });

/** What our side says in its close frame (browsers allow only 1000 and 3000–4999). */
const CLOSE_BY_USER = { code: 1000, reason: 'Disconnected' } as const;
const CLOSE_SILENT_SERVER = { code: 1000, reason: 'Server silent' } as const;

/** The URL shown in statuses: without its query, which carries the room key and token. */
function shownUrl(url: string): string {
  return url.split('?')[0]!;
}

function seconds(ms: number): string {
  return `${Math.round(ms / 100) / 10} s`;
}

export class ClientSession {
  readonly #createSocket: CreateSocket;
  readonly #silenceMs: number;
  readonly #random: () => number;
  readonly #timers: Timers;
  readonly #listeners: { [E in SessionEventName]: Set<Listener<E>> } = {
    message: new Set(),
    status: new Set(),
    notice: new Set(),
  };

  #status: ConnectionStatus = { state: 'idle' };
  /** What the user asked for; reused, unchanged, by every reconnect. */
  #request: ConnectRequest | undefined;
  #socket: WebSocketLike | undefined;
  #url = '';
  #opened = false;
  /** The last error event of the current socket: it explains the close that follows. */
  #socketError: unknown;
  /** Reconnect tries since the last login; 0 while on the first connection. */
  #attempt = 0;
  #silenceTimer: TimerHandle | undefined;
  #reconnectTimer: TimerHandle | undefined;
  #toldServerNewer = false;

  constructor(options: ClientSessionOptions) {
    const pingIntervalMs = options.pingIntervalMs ?? DEFAULT_PING_INTERVAL_MS;
    if (!(Number.isFinite(pingIntervalMs) && pingIntervalMs > 0)) throw new RangeError('pingIntervalMs must be a positive number');
    if (typeof options.createSocket !== 'function') throw new TypeError('createSocket must be a function');
    this.#createSocket = options.createSocket;
    this.#silenceMs = SERVER_SILENCE_PINGS * pingIntervalMs;
    this.#random = options.random ?? Math.random;
    this.#timers = options.timers ?? hostTimers;
  }

  get status(): ConnectionStatus {
    return this.#status;
  }

  on<E extends SessionEventName>(event: E, listener: Listener<E>): Unsubscribe {
    const listeners = this.#listeners[event] as Set<Listener<E>>;
    listeners.add(listener);
    return () => {
      listeners.delete(listener);
    };
  }

  /** Starts a new session; one in progress is ended as if by the user, without a status of its own. */
  connect(request: ConnectRequest): void {
    this.#stop(CLOSE_BY_USER);
    this.#request = { ...request };
    this.#attempt = 0;
    this.#toldServerNewer = false;
    this.#open();
  }

  /** The user's own disconnect: no reconnect follows. */
  disconnect(): void {
    const wasActive = this.#request !== undefined && this.#status.state !== 'closed' && this.#status.state !== 'idle';
    this.#stop(CLOSE_BY_USER);
    this.#request = undefined;
    if (wasActive) this.#setStatus({ state: 'closed', reason: 'Disconnected.', byUser: true });
  }

  send(request: SendRequest): void {
    if (!isUserId(request.toUserId)) throw new RangeError('toUserId must be a user id (0: public)');
    if (typeof request.text !== 'string') throw new TypeError('text must be a string');
    const text = request.text.trim();
    // The server relays no empty text either.
    if (text === '') return;
    if (codePointLength(text) > MAX_TEXT_LENGTH) {
      this.#notice({ kind: 'send-failed', reason: `The message is longer than ${MAX_TEXT_LENGTH} characters.` });
      return;
    }
    const socket = this.#socket;
    if (this.#status.state !== 'authorized' || socket === undefined || socket.readyState !== SocketState.open) {
      this.#notice({ kind: 'send-failed', reason: 'Not connected: the message was not sent.' });
      return;
    }
    try {
      socket.send(JSON.stringify({ action: 'Message', text, toUserId: request.toUserId }));
    } catch {
      this.#notice({ kind: 'send-failed', reason: 'The connection failed while sending: the message was not sent.' });
    }
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
    const built = tryBuildConnectUrl(request);
    if (!built.ok) {
      this.#request = undefined;
      this.#setStatus({ state: 'closed', reason: built.reason, byUser: false });
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
      this.#setStatus({ state: 'closed', reason: `Could not connect to ${shownUrl(built.url)}: ${message}`, byUser: false });
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
    if (message.action === 'Ping') {
      this.#sendRaw(socket, PONG);
      return;
    }
    if (message.action === 'Authorized') this.#onAuthorized(message);
    this.#emit('message', message);
  }

  #onAuthorized(message: Extract<ServerMessage, { action: 'Authorized' }>): void {
    this.#attempt = 0;
    const self: Identity = {
      userId: message.userId,
      userName: message.userName,
      gender: message.gender,
      userColor: message.userColor,
    };
    this.#setStatus({ state: 'authorized', self });
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
      : { reason: `The server at ${shownUrl(this.#url)} did not answer within ${seconds(this.#silenceMs)}.`, final: false };
    this.#lose(verdict, undefined);
  }

  /** The connection is gone: come back after a while, unless the server refused us for good. */
  #lose(verdict: LossVerdict, code: number | undefined): void {
    this.#abandonSocket(CLOSE_SILENT_SERVER);
    if (verdict.final || this.#request === undefined) {
      this.#request = undefined;
      this.#setStatus(code === undefined ? { state: 'closed', reason: verdict.reason, byUser: false } : { state: 'closed', reason: verdict.reason, byUser: false, code });
      return;
    }
    this.#attempt += 1;
    const delayMs = reconnectDelay(this.#attempt, this.#random);
    this.#reconnectTimer = this.#timers.setTimeout(() => {
      this.#reconnectTimer = undefined;
      this.#open();
    }, delayMs);
    this.#setStatus({ state: 'reconnecting', delayMs, attempt: this.#attempt, reason: verdict.reason });
  }

  #stop(close: { code: number; reason: string }): void {
    this.#clearReconnect();
    this.#abandonSocket(close);
  }

  /** Detaches the current socket so none of its late events count, and closes it. */
  #abandonSocket(close: { code: number; reason: string }): void {
    this.#clearSilenceWatch();
    const socket = this.#socket;
    if (socket === undefined) return;
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

/** Tells a newer server's action apart from a frame that has no action at all. */
function hasStringAction(raw: string): boolean {
  try {
    const value: unknown = JSON.parse(raw);
    return typeof value === 'object' && value !== null && typeof (value as { action?: unknown }).action === 'string';
  } catch {
    return false;
  }
}
