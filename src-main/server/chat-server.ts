import { createServer as createHttpServer } from 'node:http';
import type { IncomingMessage } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import { CloseCode } from '../../src-shared/protocol';
import { resolveServerConfig } from './config';
import type { ServerConfig } from './config';
import { addressKey, clientAddress, isLoopback, isTrustedProxy, normalizeIp } from './addresses';
import { AdmissionGuards, QT_CLIENT_ORIGIN, isAllowedOrigin, refusalFor } from './admission';
import { FrontDoor, REFUSED_SOCKET_LINGER_MS } from './front-door';
import { readHandshake } from './handshake';
import { RefusalLog, peerText } from './log-hygiene';
import { ChatSocket } from './member';
import { OUT_OF_SCOPE, peerScopeFilter, refuseRequestOutOfScope } from './peer-scope';
import { ChatHub } from './chat-hub';
import type { DurableState } from './store/durable-state';
import { openDurableState } from './store/open-state';
import { createWebHandler } from './static-files';
import { FileService } from './files/file-service';
import { MemoryFileRecords } from './files/file-records';

export type { ServerConfig } from './config';
export { DEFAULT_SERVER_CONFIG } from './config';

/** A running chat server. */
export interface ChatServer {
  /** The port it listens on (the real one when started with port 0). */
  readonly port: number;
  readonly host: string;
  /** True when it speaks wss:// (and https://). */
  readonly secure: boolean;
  /** Users online now. */
  readonly connectionCount: number;
  /** Graceful: every client gets close 1001, then the listener closes. Safe to call twice. */
  close(): Promise<void>;
}

/** What tests may put in place of what the config would open. */
export interface ServerInternals {
  /** The durable state to run on (it is closed with the server); default: opened from the config. */
  durable?: DurableState;
}

/** Sockets that may be open beyond `maxConnections`: handshakes in flight and web UI fetches. */
const SOCKET_HEADROOM = 256;
const FORBIDDEN_ORIGIN_TEXT = 'This web page may not connect to this chat room.';
const FORBIDDEN_ORIGIN =
  'HTTP/1.1 403 Forbidden\r\nConnection: close\r\nContent-Type: text/plain; charset=utf-8\r\n' +
  `Content-Length: ${Buffer.byteLength(FORBIDDEN_ORIGIN_TEXT)}\r\n\r\n${FORBIDDEN_ORIGIN_TEXT}`;
/** How long clients get to answer the shutdown close frame before they are cut off. */
const SHUTDOWN_GRACE_MS = 2_000;
/** How often Node checks the HTTP header and request timeouts (its default, 30 s, would let them run long). */
const HTTP_TIMEOUT_CHECK_MS = 1_000;

function listenError(error: NodeJS.ErrnoException, host: string, port: number): Error {
  const where = `${host}:${port}`;
  const message =
    error.code === 'EADDRINUSE'
      ? `Port ${port} is already in use on ${host} (another SimpleChat server or program is listening there).`
      : error.code === 'EACCES'
        ? `Not allowed to listen on ${where} (ports below 1024 need extra privileges).`
        : error.code === 'EADDRNOTAVAIL'
          ? `Cannot listen on ${where}: ${host} is not an address of this machine.`
          : `Cannot listen on ${where}: ${error.message}`;
  return Object.assign(new Error(message, { cause: error }), { code: error.code });
}

/**
 * Starts the chat server: WebSocket chat and (with `webRoot`) the web UI on one port.
 * Rejects with an Error whose `code` is the system's (e.g. EADDRINUSE) when it cannot listen.
 */
export async function startChatServer(options: Partial<ServerConfig> = {}, internals: ServerInternals = {}): Promise<ChatServer> {
  const config = resolveServerConfig(options);
  const durable = internals.durable ?? openDurableState(config);
  const files = new FileService(config, durable.files ?? new MemoryFileRecords());
  const hub = new ChatHub(config, durable, files.catalog);
  files.audience = hub;
  durable.open?.(() => hub.keptState());
  const guards = new AdmissionGuards(config);
  const wss = new WebSocketServer({
    noServer: true,
    clientTracking: false,
    perMessageDeflate: false,
    maxPayload: config.maxFrameBytes,
    WebSocket: ChatSocket,
  });
  const http = createHttpServer({
    keepAliveTimeout: config.keepAliveTimeoutMs,
    headersTimeout: config.handshakeTimeoutMs,
    // Node's request timeout covers the body too: an upload has its own (uploads.ts), and
    // every other request's body is held to the handshake deadline below (bodyDeadline).
    requestTimeout: Math.max(config.handshakeTimeoutMs, config.uploadTimeoutMs + config.handshakeTimeoutMs),
    connectionsCheckingInterval: HTTP_TIMEOUT_CHECK_MS,
  });
  const refusals = new RefusalLog(config.log);
  // The front door counts TCP peers, and a trusted proxy is all of its clients at once:
  // they are counted one by one behind it, in refusalFor.
  const isExempt = (ip: string): boolean =>
    (config.exemptLoopbackFromIpLimit && isLoopback(ip)) || isTrustedProxy(ip, config.trustProxy);
  const door = new FrontDoor(http, {
    handshakeTimeoutMs: config.handshakeTimeoutMs,
    maxSockets: config.maxConnections + SOCKET_HEADROOM,
    maxHandshakesPerIp: config.maxConnectionsPerIp,
    // A user's own connections always fit; the cap is for what comes on top of them.
    maxSocketsPerIp: Math.max(config.maxSocketsPerIp, config.maxConnectionsPerIp),
    isExempt,
    onRefused: (key, reason) => refusals.refused(key, reason),
    tls: config.tls,
  });
  door.server.on('tlsClientError', (error: NodeJS.ErrnoException, socket: Socket) => {
    refusals.refused(addressKey(normalizeIp(socket.remoteAddress)), `TLS handshake failed (${error.code ?? 'error'})`);
    // With a listener here tls leaves the socket open, even after its handshake timeout.
    socket.destroy();
  });

  const secure = config.tls !== null;
  const serveWeb = createWebHandler(config.webRoot);
  const inScope = peerScopeFilter(config.peerScope);
  http.on('request', (req, res) => {
    door.handshakeDone(req.socket as Socket);
    const ip = clientAddress(normalizeIp(req.socket.remoteAddress), req.headers['x-forwarded-for'], config.trustProxy);
    if (!inScope(ip)) {
      refusals.refused(addressKey(ip), OUT_OF_SCOPE.reason);
      return refuseRequestOutOfScope(res);
    }
    const toFiles = FileService.handles(req.url ?? '/');
    // An upload's body has its own deadlines (uploads.ts).
    if (!toFiles || req.method !== 'POST') bodyDeadline(req, config.handshakeTimeoutMs);
    if (toFiles) return files.handle(req, res);
    serveWeb(req, res);
  });
  // `Expect: 100-continue` (curl's way with large bodies): an upload is told to go on only once
  // its headers pass every check (uploads.ts), so a refusal costs the client no body at all.
  http.on('checkContinue', (req: IncomingMessage, res) => {
    if (!(FileService.handles(req.url ?? '/') && req.method === 'POST')) res.writeContinue();
    http.emit('request', req, res);
  });
  http.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) => {
    const ip = normalizeIp((socket as Socket).remoteAddress);
    if (error.code !== 'ECONNRESET') refusals.refused(addressKey(ip), `bad HTTP request (${error.code ?? 'error'})`);
    if (socket.writable) {
      const status =
        error.code === 'HPE_HEADER_OVERFLOW'
          ? '431 Request Header Fields Too Large'
          : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
            ? '408 Request Timeout'
            : '400 Bad Request';
      door.refuse(socket as Socket, `HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    } else {
      socket.destroy();
    }
  });

  http.on('upgrade', (req: IncomingMessage, duplex: Duplex, head: Buffer) => {
    const socket = duplex as Socket;
    door.handshakeDone(socket);
    const peer = normalizeIp(socket.remoteAddress);
    const ip = clientAddress(peer, req.headers['x-forwarded-for'], config.trustProxy);
    if (!isAllowedOrigin(req.headers.origin, req.headers.host, secure, config.allowedOrigins)) {
      refusals.refused(addressKey(ip), 'origin not allowed', ` (origin ${peerText(req.headers.origin)})`);
      door.refuse(socket, FORBIDDEN_ORIGIN);
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      const chatSocket = ws as ChatSocket;
      const request = readHandshake(req.url ?? '/', config.defaultUserName);
      const applicant = { ip, viaProxy: isTrustedProxy(peer, config.trustProxy), roomKey: request.roomKey, sessionToken: request.sessionToken };
      // Outside the peer scope: refused before the key is even looked at.
      const refusal = inScope(ip) ? refusalFor(hub, config, applicant, guards) : OUT_OF_SCOPE;
      if (refusal !== null) {
        if (refusal.logged !== true) refusals.refused(addressKey(ip), refusal.reason);
        chatSocket.on('error', ignore);
        chatSocket.close(refusal.code, refusal.reason);
        const cutOff = setTimeout(() => chatSocket.terminate(), REFUSED_SOCKET_LINGER_MS);
        chatSocket.once('close', () => clearTimeout(cutOff));
        return;
      }
      // The original Qt client cannot show some of our additions (a reply's quote): it gets them adapted.
      const legacy = req.headers.origin === QT_CLIENT_ORIGIN || door.wasMended(socket);
      hub.join(chatSocket, socket, ip, request, legacy);
    });
  });

  await new Promise<void>((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException): void => {
      files.close();
      durable.close();
      reject(listenError(error, config.host, config.port));
    };
    door.server.once('error', onError);
    door.server.listen({ port: config.port, host: config.host }, () => {
      door.server.off('error', onError);
      resolve();
    });
  });
  door.server.on('error', (error) => config.log(`error: listener: ${error.message}`));
  // The HTTP server never listens itself (the front door hands it its sockets), and Node
  // starts tracking connections for headersTimeout and requestTimeout only on 'listening':
  // without this, a keep-alive connection's later requests would have no deadline.
  http.emit('listening');

  const heartbeat = setInterval(() => {
    hub.pingAll();
    guards.sweep();
  }, config.pingIntervalMs);
  heartbeat.unref();
  const address = door.server.address() as AddressInfo;

  let closing: Promise<void> | null = null;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      clearInterval(heartbeat);
      const listenerClosed = new Promise<void>((resolve) => door.server.close(() => resolve()));
      door.destroyHandshaking();
      await hub.closeAll(CloseCode.goingAway, 'Server shutting down', SHUTDOWN_GRACE_MS);
      durable.close();
      files.close();
      refusals.flush();
      // Stops the timeout checks 'listening' started; the callback hears that it never listened.
      http.close(ignore);
      http.closeAllConnections();
      door.destroyAll();
      await listenerClosed;
    })();
    return closing;
  };

  return {
    port: address.port,
    host: config.host,
    secure,
    get connectionCount() {
      return hub.size;
    },
    close,
  };
}

function ignore(): void {}

/** A request that is not an upload must arrive whole within the deadline, as its headers must. */
function bodyDeadline(req: IncomingMessage, ms: number): void {
  if (req.complete) return;
  const timer = setTimeout(destroyIncomplete, ms, req);
  req.once('end', () => clearTimeout(timer));
  req.once('close', () => clearTimeout(timer));
}

function destroyIncomplete(req: IncomingMessage): void {
  if (!req.complete) req.socket.destroy();
}
