import WebSocket from 'ws';
import type { ClientOptions } from 'ws';
import { parseServerMessage } from '../../src-shared/protocol';
import type { AuthorizedMessage, ServerMessage } from '../../src-shared/protocol';

/*
 * Test helpers for talking to a SimpleChat server with real `ws` clients: connect and
 * wait for Authorized, keep every message, wait for one matching a predicate (with a
 * timeout, never a fixed sleep), and check that a canary pair can still chat.
 */

export const DEFAULT_WAIT_MS = 5_000;

/** Rejects with `what` in the message if `promise` does not settle within `ms`. */
export function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

export interface LoginParams {
  userName?: string;
  userColor?: string;
  gender?: number | string;
  sessionToken?: string;
  key?: string;
  /** Ours: a lasting identity's secret. */
  identity?: string;
}

/** `ws://127.0.0.1:PORT/?userName=…` with the given parameters (omitted ones left out). */
export function chatUrl(port: number, params: LoginParams = {}, host = '127.0.0.1'): string {
  const query = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) if (value !== undefined) query.set(name, String(value));
  const search = query.toString();
  return `ws://${host.includes(':') ? `[${host}]` : host}:${port}/${search === '' ? '' : `?${search}`}`;
}

export interface CloseEvent {
  code: number;
  reason: string;
}

export interface ChatClientOptions extends ClientOptions {
  /** Answer each Ping with a JSON Pong (default true), as every client must. */
  answerPings?: boolean;
  /**
   * connect() also waits for the user's own Connected (default true): the server
   * broadcasts it to everyone at once, so after it the join is settled for every
   * client. False for a session that resumes on a new connection (no Connected then).
   */
  awaitOwnConnected?: boolean;
}

/**
 * A logged-in chat user. Every frame the server sends is kept (parsed, and raw), so a
 * test can wait for a message that may already have arrived.
 */
export class ChatClient {
  readonly messages: ServerMessage[] = [];
  /** Every text frame as received; frames that did not parse are here only. */
  readonly frames: string[] = [];
  readonly closed: Promise<CloseEvent>;
  answerPings: boolean;
  private waiters: Array<() => void> = [];
  private closeEvent: CloseEvent | null = null;

  private constructor(
    readonly ws: WebSocket,
    options: ChatClientOptions,
  ) {
    this.answerPings = options.answerPings ?? true;
    ws.on('message', (data, isBinary) => {
      const text = isBinary ? '' : data.toString();
      this.frames.push(text);
      const parsed = parseServerMessage(text);
      if (parsed.ok) {
        this.messages.push(parsed.message);
        if (parsed.message.action === 'Ping' && this.answerPings && ws.readyState === WebSocket.OPEN) {
          ws.send('{"action":"Pong"}');
        }
      }
      this.wake();
    });
    this.closed = new Promise((resolve) => {
      ws.on('close', (code, reason) => {
        this.closeEvent = { code, reason: reason.toString() };
        resolve(this.closeEvent);
        this.wake();
      });
    });
    ws.on('error', () => {});
  }

  /** Opens a connection without waiting for anything (for tests that expect a refusal). */
  static open(url: string, options: ChatClientOptions = {}): ChatClient {
    return new ChatClient(new WebSocket(url, options), options);
  }

  /** Connects and resolves once `Authorized` (and, unless told otherwise, the own `Connected`) has arrived. */
  static async connect(url: string, options: ChatClientOptions = {}, timeoutMs = DEFAULT_WAIT_MS): Promise<ChatClient> {
    const client = ChatClient.open(url, options);
    try {
      const authorized = await client.waitFor((m) => m.action === 'Authorized', timeoutMs, 'Authorized');
      if (options.awaitOwnConnected ?? true) {
        const self = (authorized as AuthorizedMessage).userId;
        await client.waitFor((m) => m.action === 'Connected' && m.userId === self, timeoutMs, 'the own Connected');
      }
    } catch (error) {
      client.terminate();
      throw error;
    }
    return client;
  }

  /** The Authorized message (throws if it has not arrived). */
  get authorized(): AuthorizedMessage {
    const found = this.messages.find((m): m is AuthorizedMessage => m.action === 'Authorized');
    if (!found) throw new Error('not authorized yet');
    return found;
  }

  get userId(): number {
    return this.authorized.userId;
  }

  get userName(): string {
    return this.authorized.userName;
  }

  /** How many messages have arrived; pass it as `after` to wait only for newer ones. */
  mark(): number {
    return this.messages.length;
  }

  /** Sends a raw string, or an object as JSON. */
  send(message: string | object): void {
    this.ws.send(typeof message === 'string' ? message : JSON.stringify(message));
  }

  /** Sends a chat line as our client does (`toUserId` 0: public). */
  say(text: string, toUserId = 0): void {
    this.send({ action: 'Message', text, toUserId });
  }

  /**
   * Resolves with the first message (at index ≥ `after`) that matches, waiting for it
   * if needed; rejects on timeout or when the connection closes first.
   */
  async waitFor<T extends ServerMessage = ServerMessage>(
    predicate: ((m: ServerMessage) => m is T) | ((m: ServerMessage) => boolean),
    timeoutMs = DEFAULT_WAIT_MS,
    what = 'a matching message',
    after = 0,
  ): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (let index = after; ; ) {
      for (; index < this.messages.length; index++) {
        const message = this.messages[index]!;
        if (predicate(message)) return message as T;
      }
      if (this.closeEvent !== null) {
        throw new Error(`connection closed (${this.closeEvent.code} ${this.closeEvent.reason}) while waiting for ${what}`);
      }
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
      await withTimeout(new Promise<void>((resolve) => this.waiters.push(resolve)), left, what);
    }
  }

  /** Resolves with the close code and reason, or rejects on timeout. */
  waitForClose(timeoutMs = DEFAULT_WAIT_MS): Promise<CloseEvent> {
    return withTimeout(this.closed, timeoutMs, 'the connection to close');
  }

  /** Messages of one action, in arrival order. */
  all<A extends ServerMessage['action']>(action: A): Array<Extract<ServerMessage, { action: A }>> {
    return this.messages.filter((m): m is Extract<ServerMessage, { action: A }> => m.action === action);
  }

  async close(code = 1000): Promise<CloseEvent> {
    if (this.ws.readyState === WebSocket.CONNECTING || this.ws.readyState === WebSocket.OPEN) this.ws.close(code);
    return this.waitForClose();
  }

  terminate(): void {
    this.ws.terminate();
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }
}

/** Connects several users, one after another (so their ids follow the order given). */
export async function connectAll(port: number, names: string[]): Promise<ChatClient[]> {
  const clients: ChatClient[] = [];
  for (const userName of names) clients.push(await ChatClient.connect(chatUrl(port, { userName })));
  return clients;
}

let canaryRun = 0;

/**
 * The server is alive and still relays chat: two fresh users log in, one sends a public
 * and a private message, the other gets both. Both leave afterwards.
 */
export async function expectCanaryPairChats(port: number, timeoutMs = DEFAULT_WAIT_MS): Promise<void> {
  const run = ++canaryRun;
  const a = await ChatClient.connect(chatUrl(port, { userName: `canary a${run}` }), {}, timeoutMs);
  const b = await ChatClient.connect(chatUrl(port, { userName: `canary b${run}` }), {}, timeoutMs);
  try {
    const text = `canary ${run} public`;
    a.say(text);
    await b.waitFor((m) => m.action === 'PublicMessage' && m.text === text && m.userId === a.userId, timeoutMs, 'the canary');
    const secret = `canary ${run} private`;
    a.say(secret, b.userId);
    await b.waitFor((m) => m.action === 'PrivateMessage' && m.text === secret, timeoutMs, 'the private canary');
  } finally {
    await Promise.all([a.close(), b.close()]);
  }
}
