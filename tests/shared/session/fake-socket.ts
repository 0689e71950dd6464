import type { ConnectionStatus, ConnectRequest, PendingMessage, SessionNotice } from '../../../src-shared/bridge';
import type { Identity, ServerMessage } from '../../../src-shared/protocol';
import { ClientSession, SocketState } from '../../../src-shared/session';
import type { ClientSessionOptions, WebSocketLike } from '../../../src-shared/session';

/** A WebSocketLike a test drives by hand: it plays the server and the network. */
export class FakeSocket implements WebSocketLike {
  readyState: number = SocketState.connecting;
  readonly sent: string[] = [];
  readonly closeCalls: { code: number | undefined; reason: string | undefined }[] = [];
  onopen: ((event: unknown) => void) | null = null;
  onmessage: ((event: { data: unknown }) => void) | null = null;
  onclose: ((event: { code: number; reason: string }) => void) | null = null;
  onerror: ((event: unknown) => void) | null = null;

  constructor(readonly url: string) {}

  send(data: string): void {
    // As a browser does: sending before open is an error.
    if (this.readyState === SocketState.connecting) throw new Error('InvalidStateError');
    if (this.readyState === SocketState.open) this.sent.push(data);
  }

  close(code?: number, reason?: string): void {
    this.closeCalls.push({ code, reason });
    if (this.readyState < SocketState.closing) this.readyState = SocketState.closing;
  }

  // ---- the script --------------------------------------------------------------

  /** True while the session still listens to this socket. */
  get attached(): boolean {
    return this.onmessage !== null;
  }

  open(): void {
    this.readyState = SocketState.open;
    this.onopen?.({ type: 'open' });
  }

  receive(data: unknown): void {
    this.onmessage?.({ data });
  }

  receiveJson(value: unknown): void {
    this.receive(JSON.stringify(value));
  }

  fail(event: unknown = { type: 'error' }): void {
    this.onerror?.(event);
  }

  serverClose(code: number, reason = ''): void {
    this.readyState = SocketState.closed;
    this.onclose?.({ code, reason });
  }

  get pongs(): number {
    return this.sent.filter((frame) => frame === '{"action":"Pong"}').length;
  }
}

export const ANNA: Identity = { userId: 1, userName: 'Аня', gender: 2, userColor: '#16a085' };

export function authorized(identity: Identity = ANNA): Record<string, unknown> {
  return { action: 'Authorized', ...identity, users: [identity] };
}

export const REQUEST: ConnectRequest = { server: 'chat.lan', port: 27800, userName: 'Аня', userColor: '#16a085', gender: 2, roomKey: 'k&y' };
export const PING_MS = 1_000;

/** A session over FakeSockets, with everything it emits recorded. */
export function harness(options: Partial<ClientSessionOptions> = {}) {
  const sockets: FakeSocket[] = [];
  const session = new ClientSession({
    createSocket: (url) => {
      const socket = new FakeSocket(url);
      sockets.push(socket);
      return socket;
    },
    pingIntervalMs: PING_MS,
    random: () => 0.5,
    ...options,
  });
  const statuses: ConnectionStatus[] = [];
  const messages: ServerMessage[] = [];
  const notices: SessionNotice[] = [];
  const outboxes: PendingMessage[][] = [];
  session.on('status', (s) => statuses.push(s));
  session.on('message', (m) => messages.push(m));
  session.on('notice', (n) => notices.push(n));
  session.on('outbox', (o) => outboxes.push(o));
  const last = (): FakeSocket => {
    const socket = sockets[sockets.length - 1];
    if (!socket) throw new Error('no socket was created');
    return socket;
  };
  /** Connects and logs in on the current socket. */
  const login = (identity = ANNA, extra: Record<string, unknown> = {}): FakeSocket => {
    const socket = last();
    socket.open();
    socket.receiveJson({ ...authorized(identity), ...extra });
    return socket;
  };
  return { session, sockets, statuses, messages, notices, outboxes, last, login };
}

