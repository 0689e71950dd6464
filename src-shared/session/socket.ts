/*
 * The little of a WebSocket the session needs. Both `ws`'s WebSocket and the
 * browser's satisfy it as they are, so the session never imports either.
 */

/**
 * An event handler type checked bivariantly: `ws` and the DOM type their handlers'
 * events richly (`MessageEvent`, `CloseEvent`), and a strictly checked property
 * would refuse them although they carry every field read here.
 */
type Handler<E> = { handle(event: E): void }['handle'];

export interface WebSocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: Handler<unknown> | null;
  onmessage: Handler<{ data: unknown }> | null;
  onclose: Handler<{ code: number; reason: string }> | null;
  onerror: Handler<unknown> | null;
}

/** Opens a socket to `url`. It may throw (a browser refuses some URLs): the session catches it. */
export type CreateSocket = (url: string) => WebSocketLike;

/** `readyState` values, as both implementations number them. */
export const SocketState = { connecting: 0, open: 1, closing: 2, closed: 3 } as const;
