import type { Identity } from '../../../src-shared/protocol';
import type { WebSocketLike } from '../../../src-shared/session';
import { SocketState } from '../../../src-shared/session';

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
