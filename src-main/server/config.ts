import { isIP } from 'node:net';
import { DEFAULT_HISTORY_PAGE, DEFAULT_PING_INTERVAL_MS, DEFAULT_PORT, DEFAULT_USER_NAME, MAX_FRAME_BYTES, MAX_HISTORY_PAGE, MAX_LOGIN_KEY_LENGTH, MAX_USER_ID } from '../../src-shared/protocol';
import { DEFAULT_BUZZ_INTERVAL_MS } from '../../src-shared/protocol';
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
  /**
   * Loopback (127.0.0.0/8, ::1) is not held to the per-address limits (connections,
   * sockets, handshakes, joins), so local benchmarks and tests work. Never for clients
   * behind a trusted proxy. Wrong room keys count for loopback too.
   */
  exemptLoopbackFromIpLimit: boolean;
  /**
   * Reverse proxies (exact addresses) whose `X-Forwarded-For` names the client. Only a
   * connection from one of these is read that way; every per-address limit then counts
   * the client, and the loopback exemption no longer applies. Empty: the TCP peer is the client.
   */
  trustProxy: readonly string[];
  /** Logins one address may make at once before `joinsPerSecond` applies; more get 4008. */
  joinBurst: number;
  /** Steady logins per second per address (IPv6 by /64). */
  joinsPerSecond: number;
  /** Wrong room keys an address may send per `keyTryWindowMs` before lockouts (close 4029) start. */
  keyTriesPerAddress: number;
  /** Wrong room keys the room takes per window from all addresses together before it locks every key attempt out. */
  keyTriesPerRoom: number;
  /** A tally of wrong keys is forgotten this long after its last one (or the end of its lockout). */
  keyTryWindowMs: number;
  /** Lockouts start at 1 s and double with each further wrong key, up to this. */
  keyLockoutMaxMs: number;
  /**
   * Largest user id handed out; past it ids start again at 1, skipping those online or
   * held for a session. MAX_USER_ID (a Qt `int`); smaller only in tests.
   */
  maxUserId: number;
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
   * A user of ours whose connection dropped (no close frame) stays in the room as away this
   * long: back within it, the others see nothing; otherwise they get its ConnectionLost when
   * it ends. A close frame, missed pings and the Qt client (which cannot resume) get none:
   * the others are told at once. 0: no grace at all.
   */
  presenceGraceMs: number;
  /** A new login gets the room's last this many lines in a History right after Authorized; 0: none. */
  historyOnJoin: number;
  /** Lines the server keeps in memory (without a database), for the history on join, on request and for resumes. */
  historyLines: number;
  /** A line may be edited by its author this many seconds after it was sent; 0: never. Deleting has no limit. */
  editWindowSeconds: number;
  /** At most one Buzz per sender and recipient this often (ms); more get an Error `rate-limited`. */
  buzzIntervalMs: number;
  /** Rooms (besides the lobby) the server holds at once; a JoinRoom for a new one past it gets `too-many-rooms`. */
  maxRooms: number;
  /** Rooms one user may be in at once (besides the lobby); past it a JoinRoom gets `too-many-rooms`. */
  maxRoomsPerUser: number;
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
  /**
   * A SQLite database holding the lines of every room, the sessions and the counters (it
   * replaces the state file: one given as well is imported into a new database once).
   * null: no database.
   */
  dbFile: string | null;
  /** Lines the database keeps (all rooms together); the oldest are pruned in the background. */
  historyMaxLines: number;
  /** Lines older than this many days are pruned from the database. */
  historyMaxDays: number;
  /** The better-sqlite3 addon to load instead of the package's own (the desktop app's Electron build); null: the package's. */
  sqliteBinding: string | null;
  /** Folder served over HTTP on the same port (the built renderer); null: no web UI. */
  webRoot: string | null;
  /**
   * A name last used by a lasting identity (one of our clients proving its secret) is
   * held for it this many days after it was last seen: anyone else asking for it gets
   * `Name (2)`. 0: no holds (today's first-come rules).
   */
  nameHoldDays: number;
  /** Lasting identities the server remembers; past it new ones log in without one (today's rules). */
  maxIdentities: number;
  /** New lasting identities one address (IPv6: a /64) may make per day; past it its logins go on without one. */
  identitiesPerAddressPerDay: number;
  /**
   * Where uploaded files live (POST /files). null: beside the database (`<db>.files`), or
   * without a database a temporary folder for this run, removed when the server stops.
   */
  filesDir: string | null;
  /** Largest upload in bytes; larger gets 413, from Content-Length at once or as soon as the body passes it. */
  maxFileSize: number;
  /** Bytes of files one user (a lasting identity, else a session) may keep on the server. */
  filesQuotaPerUser: number;
  /** Bytes of files the server keeps, all users together; past it uploads get 507. */
  filesMaxTotal: number;
  /** Uploads one user may start at once before `uploadsPerMinute` applies; more get 429. */
  uploadBurst: number;
  /** Steady uploads per minute per user. */
  uploadsPerMinute: number;
  /** Uploads one user may have running at once; one more gets 429. */
  maxParallelUploads: number;
  /** An upload whose body stalls this long (no byte) is cut off (slowloris); nothing is kept. */
  uploadIdleTimeoutMs: number;
  /** An upload must be whole within this, however it trickles. */
  uploadTimeoutMs: number;
  /** Files older than this many days are deleted (a file never sent in a line: after a day). */
  filesMaxDays: number;
  /** A signed download link (for <img> and download links) works this long. */
  fileLinkTtlMs: number;
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
  trustProxy: Object.freeze([]) as readonly string[],
  joinBurst: 10,
  joinsPerSecond: 1,
  keyTriesPerAddress: 5,
  keyTriesPerRoom: 50,
  keyTryWindowMs: 60_000,
  keyLockoutMaxMs: 300_000,
  maxUserId: MAX_USER_ID,
  rateBurst: 20,
  ratePerSecond: 5,
  maxBufferedBytes: 1024 * 1024,
  handshakeTimeoutMs: 10_000,
  maxFrameBytes: MAX_FRAME_BYTES,
  sessionResumeMs: 60_000,
  presenceGraceMs: 5_000,
  historyOnJoin: DEFAULT_HISTORY_PAGE,
  historyLines: 1_000,
  editWindowSeconds: 86_400,
  buzzIntervalMs: DEFAULT_BUZZ_INTERVAL_MS,
  maxRooms: 1_000,
  maxRoomsPerUser: 50,
  roomKey: null,
  allowedOrigins: Object.freeze([]) as readonly string[],
  tls: null,
  stateFile: null,
  dbFile: null,
  historyMaxLines: 100_000,
  historyMaxDays: 365,
  sqliteBinding: null,
  webRoot: null,
  nameHoldDays: 30,
  maxIdentities: 100_000,
  identitiesPerAddressPerDay: 20,
  filesDir: null,
  maxFileSize: 25 * 1024 * 1024,
  filesQuotaPerUser: 500 * 1024 * 1024,
  filesMaxTotal: 10 * 1024 * 1024 * 1024,
  uploadBurst: 10,
  uploadsPerMinute: 30,
  maxParallelUploads: 3,
  uploadIdleTimeoutMs: 30_000,
  uploadTimeoutMs: 600_000,
  filesMaxDays: 365,
  fileLinkTtlMs: 600_000,
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
  'historyLines',
  'historyMaxLines',
  'historyMaxDays',
  'joinBurst',
  'keyTriesPerAddress',
  'keyTriesPerRoom',
  'keyTryWindowMs',
  'keyLockoutMaxMs',
  'maxUserId',
  'buzzIntervalMs',
  'maxRooms',
  'maxRoomsPerUser',
  'maxIdentities',
  'identitiesPerAddressPerDay',
  'maxFileSize',
  'filesQuotaPerUser',
  'filesMaxTotal',
  'uploadBurst',
  'maxParallelUploads',
  'uploadIdleTimeoutMs',
  'uploadTimeoutMs',
  'filesMaxDays',
  'fileLinkTtlMs',
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
  if (!Number.isInteger(config.nameHoldDays) || config.nameHoldDays < 0) {
    throw new RangeError(`nameHoldDays must be a whole number of days (0 or more), got ${String(config.nameHoldDays)}`);
  }
  if (!Number.isInteger(config.editWindowSeconds) || config.editWindowSeconds < 0) {
    throw new RangeError(`editWindowSeconds must be a whole number of seconds (0 or more), got ${String(config.editWindowSeconds)}`);
  }
  if (!Number.isInteger(config.historyOnJoin) || config.historyOnJoin < 0 || config.historyOnJoin > MAX_HISTORY_PAGE) {
    throw new RangeError(`historyOnJoin must be a whole number from 0 to ${MAX_HISTORY_PAGE}, got ${String(config.historyOnJoin)}`);
  }
  for (const key of ['ratePerSecond', 'joinsPerSecond', 'uploadsPerMinute'] as const) {
    const value = config[key];
    if (!(typeof value === 'number' && value > 0 && Number.isFinite(value))) {
      throw new RangeError(`${key} must be a positive number, got ${String(value)}`);
    }
  }
  if (config.maxUserId > MAX_USER_ID) throw new RangeError(`maxUserId must be at most ${MAX_USER_ID}, got ${config.maxUserId}`);
  if (!Array.isArray(config.trustProxy) || !config.trustProxy.every((a) => typeof a === 'string' && isIP(a) !== 0)) {
    throw new TypeError('trustProxy must be an array of IP addresses');
  }
  if (typeof config.defaultUserName !== 'string' || config.defaultUserName.trim() === '') {
    throw new TypeError('defaultUserName must be a non-empty string');
  }
  if (config.roomKey !== null && (typeof config.roomKey !== 'string' || config.roomKey === '' || config.roomKey.length > MAX_LOGIN_KEY_LENGTH)) {
    // No longer than the apps take, or nobody could type it in.
    throw new TypeError(`roomKey must be a non-empty string of at most ${MAX_LOGIN_KEY_LENGTH} characters, or null`);
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
  for (const key of ['dbFile', 'sqliteBinding', 'filesDir'] as const) {
    const value = config[key];
    if (value !== null && (typeof value !== 'string' || value === '')) throw new TypeError(`${key} must be a path or null`);
  }
  if (typeof config.log !== 'function') throw new TypeError('log must be a function');
  return config;
}
