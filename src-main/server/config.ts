import { DEFAULT_PING_INTERVAL_MS, DEFAULT_PORT, DEFAULT_USER_NAME, MAX_FRAME_BYTES } from '../../src-shared/protocol';
import { peerScopeFilter } from './peer-scope';
import type { PeerScope } from './peer-scope';

/**
 * Everything the chat server can be told, with its default. Every limit is here, so
 * the CLI can offer a flag for each and the desktop app can pass the same object.
 */
export interface ServerConfig {
  /** Interface to listen on; `0.0.0.0` for the LAN, `127.0.0.1` for this machine only. */
  host: string;
  /**
   * Which peer addresses may connect at all: `any`, `local-network` (loopback, private
   * IPv4, link-local, IPv6 unique-local), or a list of CIDR blocks (which may name
   * `local-network`). Others get HTTP 403, or close 4003 on a WebSocket.
   */
  peerScope: PeerScope;
  /** TCP port; 0 picks a free one (read it back from `ChatServer.port`). */
  port: number;
  /** Name for a user whose cleaned name is empty or absent. */
  defaultUserName: string;
  /** A `Ping` goes to every user this often; three unanswered in a row drop the user. */
  pingIntervalMs: number;
  /** Users online at once; more are refused with close 1008. */
  maxConnections: number;
  /** Users online at once from one IP address; more are refused with close 1008. */
  maxConnectionsPerIp: number;
  /**
   * Sockets open at once from one address (IPv6: its /64), counted from TCP accept to
   * close whatever they are doing (TLS or WebSocket handshake, idle HTTP keep-alive,
   * refused and draining, logged in); beyond it new ones are destroyed at once.
   */
  maxSocketsPerIp: number;
  /** An HTTP keep-alive connection (the web UI) idle this long is closed. */
  keepAliveTimeoutMs: number;
  /** Loopback (127.0.0.0/8, ::1) is not counted per IP (connections, sockets, handshakes), so local benchmarks and tests work. */
  exemptLoopbackFromIpLimit: boolean;
  /** Frames a client may send at once before the steady rate applies. */
  rateBurst: number;
  /**
   * Steady frames per second per client. Beyond it a frame gets a `rate-limited` Error;
   * a client that keeps flooding (more than `rateBurst` refused frames outstanding,
   * forgiven at half the steady rate) is closed with 1008.
   */
  ratePerSecond: number;
  /** A client whose unsent data passes this is dropped as ConnectionLost (a stuck reader). */
  maxBufferedBytes: number;
  /** A socket must finish its WebSocket handshake within this, or it is destroyed. */
  handshakeTimeoutMs: number;
  /** Largest frame accepted; larger ones are closed with 1009. */
  maxFrameBytes: number;
  /** A user who left can reconnect with its session token this long after and get its name and id back. */
  sessionResumeMs: number;
  /**
   * A user whose connection ended without a clean leave (a page reload, a dropped network,
   * missed pings) stays in the room as away this long: back within it, the others see
   * nothing; otherwise they get its Disconnected or ConnectionLost when it ends. 0: at once.
   */
  presenceGraceMs: number;
  /** When set, a handshake must carry `key=<this>` or it is closed with 4003. */
  roomKey: string | null;
  /**
   * Browser origins allowed besides the server's own (`http(s)://<Host>` when Host is an
   * address, localhost or this machine's name). `*` allows all. Native clients (no
   * Origin, or the Qt client's `SimpleChatClient`) are always allowed.
   */
  allowedOrigins: readonly string[];
  /** PEM certificate (chain) and key: the server speaks wss:// and https://. null: ws:// and http://. */
  tls: { cert: string | Buffer; key: string | Buffer } | null;
  /**
   * A file where the room keeps the next user id, the live sessions and the last public
   * messages, so a restart (even a crash) loses none of them: clients come back with
   * their tokens as themselves and get what they missed. null: kept in memory only.
   */
  stateFile: string | null;
  /** Folder served over HTTP on the same port (the built renderer); null: no web UI. */
  webRoot: string | null;
  /** One line per join, leave, loss and error. */
  log: (line: string) => void;
}

export const DEFAULT_SERVER_CONFIG: Readonly<ServerConfig> = Object.freeze({
  host: '0.0.0.0',
  peerScope: 'any',
  port: DEFAULT_PORT,
  defaultUserName: DEFAULT_USER_NAME,
  pingIntervalMs: DEFAULT_PING_INTERVAL_MS,
  maxConnections: 10_000,
  maxConnectionsPerIp: 32,
  maxSocketsPerIp: 64,
  keepAliveTimeoutMs: 5_000,
  exemptLoopbackFromIpLimit: true,
  rateBurst: 20,
  ratePerSecond: 5,
  maxBufferedBytes: 1024 * 1024,
  handshakeTimeoutMs: 10_000,
  maxFrameBytes: MAX_FRAME_BYTES,
  sessionResumeMs: 60_000,
  presenceGraceMs: 10_000,
  roomKey: null,
  allowedOrigins: Object.freeze([]) as readonly string[],
  tls: null,
  stateFile: null,
  webRoot: null,
  log: () => {},
});

const positiveIntegers = [
  'pingIntervalMs',
  'maxConnections',
  'maxConnectionsPerIp',
  'maxSocketsPerIp',
  'keepAliveTimeoutMs',
  'rateBurst',
  'maxBufferedBytes',
  'handshakeTimeoutMs',
  'maxFrameBytes',
  'sessionResumeMs',
] as const;

/**
 * Fills in defaults and checks the result. A bad value is a programmer's (or the
 * CLI's) mistake, so it throws a RangeError/TypeError naming the field.
 */
export function resolveServerConfig(partial: Partial<ServerConfig> = {}): ServerConfig {
  const defined = Object.fromEntries(Object.entries(partial).filter(([, v]) => v !== undefined));
  const config: ServerConfig = { ...DEFAULT_SERVER_CONFIG, ...defined };
  if (typeof config.host !== 'string' || config.host === '') throw new TypeError('host must be a non-empty string');
  if (!Number.isInteger(config.port) || config.port < 0 || config.port > 65535) {
    throw new RangeError(`port must be an integer from 0 to 65535, got ${String(config.port)}`);
  }
  for (const key of positiveIntegers) {
    const value = config[key];
    if (!Number.isInteger(value) || value < 1) throw new RangeError(`${key} must be a positive integer, got ${String(value)}`);
  }
  if (!Number.isInteger(config.presenceGraceMs) || config.presenceGraceMs < 0) {
    throw new RangeError(`presenceGraceMs must be a whole number of ms (0 or more), got ${String(config.presenceGraceMs)}`);
  }
  if (!(typeof config.ratePerSecond === 'number' && config.ratePerSecond > 0 && Number.isFinite(config.ratePerSecond))) {
    throw new RangeError(`ratePerSecond must be a positive number, got ${String(config.ratePerSecond)}`);
  }
  if (typeof config.defaultUserName !== 'string' || config.defaultUserName.trim() === '') {
    throw new TypeError('defaultUserName must be a non-empty string');
  }
  if (config.roomKey !== null && (typeof config.roomKey !== 'string' || config.roomKey === '')) {
    throw new TypeError('roomKey must be a non-empty string or null');
  }
  if (!Array.isArray(config.allowedOrigins) || !config.allowedOrigins.every((o) => typeof o === 'string' && o !== '')) {
    throw new TypeError('allowedOrigins must be an array of origins');
  }
  if (config.tls !== null && (typeof config.tls !== 'object' || !config.tls.cert || !config.tls.key)) {
    throw new TypeError('tls needs both cert and key (PEM), or null');
  }
  if (config.webRoot !== null && typeof config.webRoot !== 'string') throw new TypeError('webRoot must be a path or null');
  if (config.stateFile !== null && (typeof config.stateFile !== 'string' || config.stateFile === '')) {
    throw new TypeError('stateFile must be a path or null');
  }
  peerScopeFilter(config.peerScope);
  if (typeof config.log !== 'function') throw new TypeError('log must be a function');
  return config;
}
