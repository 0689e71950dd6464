import type { Server as HttpServer } from 'node:http';
import { createServer as createNetServer } from 'node:net';
import type { Server as NetServer, Socket } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import type { SecureContextOptions } from 'node:tls';
import { addressKey, normalizeIp } from './addresses';

/*
 * The original Qt client sends `GET ?userName=… HTTP/1.1`: a request target with no
 * leading `/`, which Node's HTTP parser rejects (HPE_INVALID_URL) even with
 * insecureHTTPParser. So every TCP connection comes in here first: the first bytes are
 * read, `GET ?` becomes `GET /?`, the bytes are pushed back, and the socket is handed
 * to the HTTP server as if it had accepted it itself.
 *
 * This is also where a connection's handshake deadline starts: a socket that has not
 * become a WebSocket (or sent a complete plain HTTP request) in time is destroyed; and
 * where every TCP socket is counted against its address from accept to close, whatever
 * it is doing (handshaking, TLS, idle keep-alive, refused and draining), so one host
 * cannot hold every socket the server has.
 */

/** A refused socket whose peer does not read its answer is destroyed this long after. */
export const REFUSED_SOCKET_LINGER_MS = 2_000;

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
  /** Sockets open at once from one address (IPv6: one /64), in any state; beyond it new ones are destroyed at once. */
  maxSocketsPerIp: number;
  /** Addresses not held to the per-address caps (loopback, unless configured otherwise: local benchmarks open thousands). */
  isExempt: (ip: string) => boolean;
  /** Told of each socket destroyed at accept for its address's caps. */
  onRefused: (ip: string, reason: string) => void;
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
  private readonly handshaking = new Map<Socket, { timer: NodeJS.Timeout; key: string }>();
  private readonly handshakesPerAddress = new Map<string, number>();
  /** Every TCP socket open (under TLS too), with the address key it counts against. */
  private readonly sockets = new Map<Socket, string>();
  private readonly socketsPerAddress = new Map<string, number>();
  /** Refused sockets waiting for their answer to flush, with the timer that cuts them off. */
  private readonly draining = new Map<Socket, NodeJS.Timeout>();
  /** Sockets whose request line was mended: the original Qt client's. */
  private readonly mended = new WeakSet<Socket>();
  /** First bytes of sockets whose first packet was shorter than `GET ?`. Rare. */
  private readonly partial = new Map<Socket, Buffer>();
  // Shared by every socket (`this` is the socket), so a connection costs no closures.
  private readonly onClose: (this: Socket) => void;
  private readonly onTcpClose: (this: Socket) => void;
  private readonly onRefusalFlushed: (this: Socket) => void;
  private readonly onRefusedClose: (this: Socket) => void;
  private readonly onFirstData: (this: Socket, chunk: Buffer) => void;

  constructor(
    private readonly http: HttpServer,
    private readonly options: FrontDoorOptions,
  ) {
    const accept = (socket: Socket): void => this.accept(socket);
    // With TLS the deadline starts once the TLS handshake is done; tls bounds that one itself.
    if (options.tls === null) {
      this.server = createNetServer({ noDelay: true }, (socket: Socket) => {
        if (this.admitTcp(socket)) accept(socket);
      });
    } else {
      this.server = createTlsServer({ ...options.tls, noDelay: true, handshakeTimeout: options.handshakeTimeoutMs }, accept);
      // Counted at TCP accept, before the TLS handshake: idle sockets that never send a
      // ClientHello count too. Runs before tls wraps the socket, so a refused one is never wrapped.
      this.server.prependListener('connection', (raw: Socket) => {
        this.admitTcp(raw);
      });
    }
    this.server.maxConnections = options.maxSockets;
    const door = this;
    this.onClose = function onClose(this: Socket): void {
      door.partial.delete(this);
      door.handshakeDone(this);
    };
    this.onTcpClose = function onTcpClose(this: Socket): void {
      const key = door.sockets.get(this);
      door.sockets.delete(this);
      if (key !== undefined) decrement(door.socketsPerAddress, key);
    };
    this.onRefusedClose = function onRefusedClose(this: Socket): void {
      clearTimeout(door.draining.get(this));
      door.draining.delete(this);
    };
    this.onRefusalFlushed = function onRefusalFlushed(this: Socket): void {
      this.destroy();
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
      if (mended !== bytes) door.mended.add(this);
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
    decrement(this.handshakesPerAddress, pending.key);
  }

  /**
   * Answers a socket the server will not serve and destroys it once the answer is
   * flushed, or `REFUSED_SOCKET_LINGER_MS` later if the peer does not read it: `end()`
   * alone half-closes, and a peer that never sends its FIN would keep the socket forever.
   */
  refuse(socket: Socket, answer: string): void {
    if (!socket.writable || socket.destroyed) {
      socket.destroy();
      return;
    }
    this.handshakeDone(socket);
    if (!this.draining.has(socket)) {
      this.draining.set(socket, setTimeout(destroySocket, REFUSED_SOCKET_LINGER_MS, socket));
      socket.once('close', this.onRefusedClose);
      socket.once('finish', this.onRefusalFlushed);
    }
    socket.end(answer);
  }

  /** The request line came without its `/`, as only the original Qt client sends it. */
  wasMended(socket: Socket): boolean {
    return this.mended.has(socket);
  }

  get socketCount(): number {
    return this.sockets.size;
  }


  /** Destroys every socket still open (after the graceful part of shutdown). */
  destroyAll(): void {
    for (const socket of this.sockets.keys()) socket.destroy();
  }

  /** Destroys the sockets that are still handshaking; their clients never got in. */
  destroyHandshaking(): void {
    for (const socket of this.handshaking.keys()) socket.destroy();
  }

  /** Counts a new TCP socket against its address, or destroys it when the address has too many. */
  private admitTcp(socket: Socket): boolean {
    socket.on('error', ignoreSocketError);
    const ip = normalizeIp(socket.remoteAddress);
    const key = addressKey(ip);
    const open = this.socketsPerAddress.get(key) ?? 0;
    if (open >= this.options.maxSocketsPerIp && !this.options.isExempt(ip)) {
      socket.destroy();
      this.options.onRefused(key, 'too many open sockets from this address');
      return false;
    }
    this.socketsPerAddress.set(key, open + 1);
    this.sockets.set(socket, key);
    socket.once('close', this.onTcpClose);
    return true;
  }

  private accept(socket: Socket): void {
    // A plain socket got its listener in admitTcp; a TLS socket is a new object over the counted one.
    if (this.options.tls !== null) socket.on('error', ignoreSocketError);
    const ip = normalizeIp(socket.remoteAddress);
    const key = addressKey(ip);
    const handshakes = this.handshakesPerAddress.get(key) ?? 0;
    if (handshakes >= this.options.maxHandshakesPerIp && !this.options.isExempt(ip)) {
      socket.destroy();
      this.options.onRefused(key, 'too many handshakes at once from this address');
      return;
    }
    this.handshakesPerAddress.set(key, handshakes + 1);
    socket.once('close', this.onClose);
    this.handshaking.set(socket, { timer: setTimeout(destroySocket, this.options.handshakeTimeoutMs, socket), key });
    socket.once('data', this.onFirstData);
  }
}

function decrement(counts: Map<string, number>, key: string): void {
  const left = (counts.get(key) ?? 1) - 1;
  if (left > 0) counts.set(key, left);
  else counts.delete(key);
}

function destroySocket(socket: Socket): void {
  socket.destroy();
}

// Resets and aborted handshakes are routine; the HTTP and WebSocket layers report their own.
function ignoreSocketError(): void {}
