import { WebSocket } from 'ws';
import type { CreateSocket } from '../../src-shared/session';

/*
 * The desktop app's WebSocket to a server it may not control. A server chooses what it
 * sends, so the client bounds it: no permessage-deflate (320 KiB of deflate inflated to
 * 320 MiB of messages in 2.5 s), and no frame larger than a SimpleChat server ever sends.
 */

/**
 * Largest frame accepted from a server; a larger one closes the socket with 1009.
 * Our server's largest is Authorized for a full room (10 000 users × at most ~210 bytes),
 * about 2 MiB; a History is capped at half the server's 1 MiB send buffer.
 */
export const MAX_SERVER_FRAME_BYTES = 4 * 1024 * 1024;
/** A server that has not finished the WebSocket handshake by then is given up. */
export const CONNECT_TIMEOUT_MS = 10_000;

export const createClientSocket: CreateSocket = (url) =>
  new WebSocket(url, { perMessageDeflate: false, maxPayload: MAX_SERVER_FRAME_BYTES, handshakeTimeout: CONNECT_TIMEOUT_MS });
