import type { Server as HttpServer } from 'node:http';
import { createServer as createNetServer } from 'node:net';
import type { Server as NetServer, Socket } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import type { SecureContextOptions } from 'node:tls';
import { isLoopback, normalizeIp } from './addresses';

/*
 * The original Qt client sends `GET ?userName=… HTTP/1.1`: a request target with no
 * leading `/`, which Node's HTTP parser rejects (HPE_INVALID_URL) even with
 * insecureHTTPParser. So every TCP connection comes in here first: the first bytes are
 * read, `GET ?` becomes `GET /?`, the bytes are pushed back, and the socket is handed
 * to the HTTP server as if it had accepted it itself.
 *
 * This is also where a connection's handshake deadline starts: a socket that has not
 * become a WebSocket (or sent a complete plain HTTP request) in time is destroyed.
 */

const BROKEN_PREFIX = Buffer.from('GET ?', 'latin1');
const MENDED_PREFIX = Buffer.from('GET /?', 'latin1');

/** Returns the bytes with `GET ?` mended to `GET /?`, or null when more bytes are needed to tell. */
export function mendRequestStart(first: Buffer): Buffer | null {
  const n = Math.min(first.length, BROKEN_PREFIX.length);
  if (first.subarray(0, n).equals(BROKEN_PREFIX.subarray(0, n))) {
    if (first.length < BROKEN_PREFIX.length) return null;
    return Buffer.concat([MENDED_PREFIX, first.subarray(BROKEN_PREFIX.length)]);
  }
  return first;
}

export interface FrontDoorOptions {
  handshakeTimeoutMs: number;
  /** Sockets open at once, handshaking or not; beyond it new ones are closed at once. */
  maxSockets: number;
  /**
   * Sockets still handshaking from one address; beyond it new ones are closed at once,
   * so one host cannot fill `maxSockets` with connections that never log in.
   */
  maxHandshakesPerIp: number;
  /** Loopback is not held to `maxHandshakesPerIp` (local benchmarks open thousands). */
  exemptLoopback: boolean;
  /** Certificate and key for wss:// and https://; null: plain TCP. */
  tls: SecureContextOptions | null;
}

/**
 * Accepts TCP connections, mends the request line, tracks every socket until it
 * closes (for shutdown) and every socket still handshaking (for the deadline).
 */
export class FrontDoor {
  readonly server: NetServer;
  /** Sockets that have not yet become a WebSocket or sent a plain HTTP request. */
  private readonly handshaking = new Map<Socket, { timer: NodeJS.Timeout; ip: string }>();
  private readonly handshakesPerIp = new Map<string, number>();
  private readonly sockets = new Set<Socket>();
  /** First bytes of sockets whose first packet was shorter than `GET ?`. Rare. */
  private readonly partial = new Map<Socket, Buffer>();
  // Shared by every socket (`this` is the socket), so a connection costs no closures.
  private readonly onClose: (this: Socket) => void;
  private readonly onFirstData: (this: Socket, chunk: Buffer) => void;

  constructor(
    private readonly http: HttpServer,
    private readonly options: FrontDoorOptions,
  ) {
    const accept = (socket: Socket): void => this.accept(socket);
    // With TLS the deadline starts once the TLS handshake is done; tls bounds that one itself.
    this.server =
      options.tls === null
        ? createNetServer({ noDelay: true }, accept)
        : createTlsServer({ ...options.tls, noDelay: true, handshakeTimeout: options.handshakeTimeoutMs }, accept);
    if (options.tls !== null) {
      // The TCP sockets under TLS, still handshaking or not, so shutdown can end them too.
      this.server.on('connection', (raw: Socket) => {
        this.sockets.add(raw);
        raw.once('close', this.onClose);
      });
    }
    this.server.maxConnections = options.maxSockets;
    const door = this;
    this.onClose = function onClose(this: Socket): void {
      door.sockets.delete(this);
      door.partial.delete(this);
      door.handshakeDone(this);
    };
    this.onFirstData = function onFirstData(this: Socket, chunk: Buffer): void {
      const seen = door.partial.get(this);
      const bytes = seen === undefined ? chunk : Buffer.concat([seen, chunk]);
      const mended = mendRequestStart(bytes);
      if (mended === null) {
        door.partial.set(this, bytes);
        this.once('data', onFirstData);
        return;
      }
      door.partial.delete(this);
      this.pause();
      this.unshift(mended);
      door.http.emit('connection', this);
      this.resume();
    };
  }

  /** Called once the HTTP layer has a complete request: the deadline no longer applies. */
  handshakeDone(socket: Socket): void {
    const pending = this.handshaking.get(socket);
    if (pending === undefined) return;
    clearTimeout(pending.timer);
    this.handshaking.delete(socket);
    const left = (this.handshakesPerIp.get(pending.ip) ?? 1) - 1;
    if (left > 0) this.handshakesPerIp.set(pending.ip, left);
    else this.handshakesPerIp.delete(pending.ip);
  }

  get socketCount(): number {
    return this.sockets.size;
  }

  /** Destroys every socket still open (after the graceful part of shutdown). */
  destroyAll(): void {
    for (const socket of this.sockets) socket.destroy();
  }

  /** Destroys the sockets that are still handshaking; their clients never got in. */
  destroyHandshaking(): void {
    for (const socket of this.handshaking.keys()) socket.destroy();
  }

  private accept(socket: Socket): void {
    socket.on('error', ignoreSocketError);
    const ip = normalizeIp(socket.remoteAddress);
    const handshakes = this.handshakesPerIp.get(ip) ?? 0;
    if (handshakes >= this.options.maxHandshakesPerIp && !(this.options.exemptLoopback && isLoopback(ip))) {
      socket.destroy();
      return;
    }
    this.handshakesPerIp.set(ip, handshakes + 1);
    this.sockets.add(socket);
    socket.once('close', this.onClose);
    this.handshaking.set(socket, { timer: setTimeout(destroySocket, this.options.handshakeTimeoutMs, socket), ip });
    socket.once('data', this.onFirstData);
  }
}

function destroySocket(socket: Socket): void {
  socket.destroy();
}

// Resets and aborted handshakes are routine; the HTTP and WebSocket layers report their own.
function ignoreSocketError(): void {}
