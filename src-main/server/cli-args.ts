import { isIP } from 'node:net';
import { parseArgs } from 'node:util';
import { DEFAULT_SERVER_CONFIG } from './config';
import type { ServerConfig } from './config';
import { LOCAL_NETWORK, peerScopeEntryProblem } from './peer-scope';

/*
 * The standalone server's command line: one flag per ServerConfig value. Pure, so
 * tests can check it without starting a process.
 */

type NumericKey = {
  [K in keyof ServerConfig]: ServerConfig[K] extends number ? K : never;
}[keyof ServerConfig];

interface NumericFlag {
  key: NumericKey;
  /** Accepts fractions (the rate); otherwise whole numbers only. */
  fraction?: boolean;
  min: number;
  help: string;
}

const NUMERIC_FLAGS: Record<string, NumericFlag> = {
  port: { key: 'port', min: 0, help: 'TCP port; 0 picks a free one' },
  'ping-interval-ms': { key: 'pingIntervalMs', min: 1, help: 'Ping every user this often; 3 unanswered → dropped' },
  'max-connections': { key: 'maxConnections', min: 1, help: 'Users online at once' },
  'max-connections-per-ip': { key: 'maxConnectionsPerIp', min: 1, help: 'Users online at once from one IP address' },
  'max-sockets-per-ip': {
    key: 'maxSocketsPerIp',
    min: 1,
    help: 'Sockets open at once from one address (IPv6: one /64), in any state, web UI included',
  },
  'keep-alive-timeout-ms': { key: 'keepAliveTimeoutMs', min: 1, help: 'An idle HTTP keep-alive connection is closed after this' },
  'rate-burst': { key: 'rateBurst', min: 1, help: 'Messages a user may send at once' },
  'rate-per-second': { key: 'ratePerSecond', fraction: true, min: 0, help: 'Steady messages per second per user' },
  'max-buffered-bytes': { key: 'maxBufferedBytes', min: 1, help: 'Unsent bytes after which a stuck reader is dropped' },
  'handshake-timeout-ms': { key: 'handshakeTimeoutMs', min: 1, help: 'Time a new socket has to finish its handshake' },
  'max-frame-bytes': { key: 'maxFrameBytes', min: 1, help: 'Largest frame accepted (larger: close 1009)' },
  'session-resume-ms': { key: 'sessionResumeMs', min: 1, help: 'A user who left may reconnect with its token and keep its name this long' },
  'history-on-join': { key: 'historyOnJoin', min: 0, help: 'A new login gets the room’s last this many lines (0: none; at most 200)' },
  'history-lines': { key: 'historyLines', min: 1, help: 'Lines kept in memory for history on join, on request and for resumes' },
  'edit-window-s': { key: 'editWindowSeconds', min: 0, help: 'A user may edit a line of its own this many seconds after sending it (0: no edits)' },
  'buzz-interval-ms': { key: 'buzzIntervalMs', min: 1, help: 'At most one buzz per sender and recipient this often' },
  'history-max-lines': { key: 'historyMaxLines', min: 1, help: 'Lines the database keeps (all rooms); older ones are pruned in the background' },
  'history-max-days': { key: 'historyMaxDays', min: 1, help: 'Lines older than this many days are pruned from the database' },
  'max-rooms': { key: 'maxRooms', min: 1, help: 'Rooms (besides the lobby) the server holds at once' },
  'max-rooms-per-user': { key: 'maxRoomsPerUser', min: 1, help: 'Rooms one user may be in at once (besides the lobby)' },
  'join-burst': { key: 'joinBurst', min: 1, help: 'Logins one address may make at once' },
  'joins-per-second': { key: 'joinsPerSecond', fraction: true, min: 0, help: 'Steady logins per second per address (IPv6 by /64)' },
  'key-tries-per-address': { key: 'keyTriesPerAddress', min: 1, help: 'Wrong room keys per address per window before lockouts (close 4029)' },
  'key-tries-per-room': { key: 'keyTriesPerRoom', min: 1, help: 'Wrong room keys from all addresses per window before every key attempt is locked out' },
  'key-try-window-ms': { key: 'keyTryWindowMs', min: 1, help: 'Wrong keys are forgotten this long after the last one (or the lockout end)' },
  'key-lockout-max-ms': { key: 'keyLockoutMaxMs', min: 1, help: 'Lockouts start at 1 s and double per wrong key up to this' },
  'name-hold-days': { key: 'nameHoldDays', min: 0, help: 'A name a lasting identity used is held for it this many days after it was last seen (0: no holds)' },
  'max-identities': { key: 'maxIdentities', min: 1, help: 'Lasting identities remembered; when full, the one away longest (past --name-hold-days) makes room, else new ones log in without one' },
  'identities-per-address-per-day': { key: 'identitiesPerAddressPerDay', min: 1, help: 'New lasting identities one address (IPv6: a /64) may make per day; past it its logins go on without one' },
  'max-file-size': { key: 'maxFileSize', min: 1, help: 'Largest upload in bytes (larger: 413)' },
  'files-quota-per-user': { key: 'filesQuotaPerUser', min: 1, help: 'Bytes of files one user may keep on the server' },
  'files-max-total': { key: 'filesMaxTotal', min: 1, help: 'Bytes of files the server keeps, all users together (past it: 507)' },
  'upload-burst': { key: 'uploadBurst', min: 1, help: 'Uploads one user may start at once' },
  'uploads-per-minute': { key: 'uploadsPerMinute', fraction: true, min: 0, help: 'Steady uploads per minute per user' },
  'max-parallel-uploads': { key: 'maxParallelUploads', min: 1, help: 'Uploads one user may have running at once' },
  'upload-idle-timeout-ms': { key: 'uploadIdleTimeoutMs', min: 1, help: 'An upload that sends nothing this long is cut off' },
  'upload-timeout-ms': { key: 'uploadTimeoutMs', min: 1, help: 'An upload must be whole within this' },
  'files-max-days': { key: 'filesMaxDays', min: 1, help: 'Files older than this many days are deleted (never sent: after a day)' },
  'file-link-ttl-ms': { key: 'fileLinkTtlMs', min: 1, help: 'A signed download link works this long' },
  'presence-grace-ms': {
    key: 'presenceGraceMs',
    min: 0,
    help: 'A user of ours whose connection dropped (no close frame) stays shown this long before the others are told (0: at once)',
  },
};

export const DEFAULT_ADVERTISE_NAME = 'SimpleChat room';

export type CliCommand =
  | { kind: 'help' }
  | { kind: 'version' }
  | {
      kind: 'run';
      config: Partial<ServerConfig>;
      webRootGiven: boolean;
      tlsFiles?: { cert: string; key: string };
      /** Announce the room on the local network over mDNS under this name. */
      advertiseName?: string;
    }
  | { kind: 'usage-error'; message: string };

export function usage(defaultWebRoot: string | null): string {
  const d = DEFAULT_SERVER_CONFIG;
  const rows: Array<[string, string]> = [
    ['--host <address>', `Interface to listen on (default ${d.host}; 127.0.0.1: this machine only)`],
    ...Object.entries(NUMERIC_FLAGS).map(([flag, spec]): [string, string] => [
      `--${flag} <n>`,
      `${spec.help} (default ${d[spec.key]})`,
    ]),
    ['--default-user-name <name>', `Name for users who send none (default ${d.defaultUserName})`],
    ['--local-network-only', 'Accept only peers on the local network: loopback, 10/8, 172.16/12, 192.168/16, 169.254/16, fe80::/10, fc00::/7'],
    ['--allow-peers <cidr,…>', `Accept only peers in these CIDR blocks (with --local-network-only: also these; default ${String(d.peerScope)})`],
    ['--no-loopback-exemption', 'Hold loopback to the per-address limits (connections, logins) too'],
    ['--room-key <key>', 'Only clients that send this key (?key=…) may join (or set SIMPLECHAT_ROOM_KEY)'],
    ['--trust-proxy <address>', 'A reverse proxy whose X-Forwarded-For names the client (repeatable); its clients are not loopback-exempt'],
    ['--allow-origin <origin>', "Also accept browsers from this origin (repeatable; '*': any)"],
    ['--tls-cert <file>', 'PEM certificate (chain): serve wss:// and https:// (needs --tls-key)'],
    ['--tls-key <file>', 'PEM private key for --tls-cert'],
    ['--db <file>', 'Keep the history, sessions and counters in this SQLite database (or set SIMPLECHAT_DB)'],
    ['--files-dir <folder>', 'Keep uploaded files here (default: <db>.files beside --db; without --db a temporary folder for the run)'],
    ['--state-file <file>', 'Without --db: keep the next user id, sessions and last messages in this JSON file. With --db: imported once into a new database'],
    ['--advertise', 'Announce the room on the local network (mDNS, _simplechat._tcp); never when bound to loopback only'],
    ['--advertise-name <name>', `The announced room's name (implies --advertise; default ${DEFAULT_ADVERTISE_NAME})`],
    ['--web-root <folder>', `Serve the web UI from this folder (default ${defaultWebRoot ?? 'none found'})`],
    ['--no-web-root', 'Serve no web UI, only the chat'],
    ['--help', 'Show this help'],
    ['--version', 'Show the version'],
  ];
  const width = Math.max(...rows.map(([flag]) => flag.length)) + 2;
  return [
    'Usage: simplechat-server [options]',
    '',
    'Runs a SimpleChat room: the chat over WebSocket (ws://HOST:PORT, compatible with the',
    'original Qt client) and the web UI over HTTP on the same port.',
    '',
    'Options:',
    ...rows.map(([flag, text]) => `  ${flag.padEnd(width)}${text}`),
    '',
    'Exit codes: 0 stopped by SIGINT/SIGTERM, 1 could not start (e.g. port in use), 2 bad options.',
  ].join('\n');
}

function readNumber(flag: string, spec: NumericFlag, raw: string): number | string {
  const pattern = spec.fraction ? /^\d+(\.\d+)?$/ : /^\d+$/;
  const value = Number(raw);
  if (!pattern.test(raw) || !Number.isFinite(value) || value < spec.min || (spec.fraction && value <= 0)) {
    return `--${flag} needs a ${spec.fraction ? 'positive number' : `whole number ≥ ${spec.min}`}, got "${raw}"`;
  }
  if (spec.key === 'port' && value > 65535) return `--port must be at most 65535, got ${raw}`;
  return value;
}

export function parseCliArgs(argv: readonly string[]): CliCommand {
  const options = {
    host: { type: 'string' },
    'default-user-name': { type: 'string' },
    'no-loopback-exemption': { type: 'boolean' },
    'local-network-only': { type: 'boolean' },
    'allow-peers': { type: 'string' },
    'web-root': { type: 'string' },
    'state-file': { type: 'string' },
    db: { type: 'string' },
    'room-key': { type: 'string' },
    'files-dir': { type: 'string' },
    'tls-cert': { type: 'string' },
    'tls-key': { type: 'string' },
    'allow-origin': { type: 'string', multiple: true },
    'trust-proxy': { type: 'string', multiple: true },
    'no-web-root': { type: 'boolean' },
    advertise: { type: 'boolean' },
    'advertise-name': { type: 'string' },
    help: { type: 'boolean', short: 'h' },
    version: { type: 'boolean' },
    ...Object.fromEntries(Object.keys(NUMERIC_FLAGS).map((flag) => [flag, { type: 'string' }])),
  } as const;
  let values: Record<string, string | boolean | string[] | undefined>;
  try {
    ({ values } = parseArgs({ args: [...argv], options, strict: true, allowPositionals: false }));
  } catch (error) {
    return { kind: 'usage-error', message: (error as Error).message };
  }
  if (values.help) return { kind: 'help' };
  if (values.version) return { kind: 'version' };

  const config: Partial<ServerConfig> = {};
  for (const [flag, spec] of Object.entries(NUMERIC_FLAGS)) {
    const raw = values[flag];
    if (typeof raw !== 'string') continue;
    const value = readNumber(flag, spec, raw);
    if (typeof value === 'string') return { kind: 'usage-error', message: value };
    config[spec.key] = value;
  }
  if (typeof values.host === 'string') {
    if (values.host.trim() === '') return { kind: 'usage-error', message: '--host needs an address' };
    config.host = values.host;
  }
  if (typeof values['default-user-name'] === 'string') {
    if (values['default-user-name'].trim() === '') return { kind: 'usage-error', message: '--default-user-name needs a name' };
    config.defaultUserName = values['default-user-name'];
  }
  if (values['no-loopback-exemption']) config.exemptLoopbackFromIpLimit = false;
  const allowPeers = values['allow-peers'];
  if (typeof allowPeers === 'string') {
    const blocks = allowPeers.split(',').map((block) => block.trim()).filter((block) => block !== '');
    if (blocks.length === 0) return { kind: 'usage-error', message: '--allow-peers needs CIDR blocks, like 10.0.0.0/8,fd00::/8' };
    const problem = blocks.map(peerScopeEntryProblem).find((p) => p !== null);
    if (problem !== undefined && problem !== null) return { kind: 'usage-error', message: `--allow-peers: ${problem}` };
    config.peerScope = values['local-network-only'] ? [LOCAL_NETWORK, ...blocks] : blocks;
  } else if (values['local-network-only']) {
    config.peerScope = LOCAL_NETWORK;
  }
  if (typeof values['state-file'] === 'string') {
    if (values['state-file'].trim() === '') return { kind: 'usage-error', message: '--state-file needs a path' };
    config.stateFile = values['state-file'];
  }
  if (typeof values.db === 'string') {
    if (values.db.trim() === '') return { kind: 'usage-error', message: '--db needs a path' };
    config.dbFile = values.db;
  }
  if (typeof values['files-dir'] === 'string') {
    if (values['files-dir'].trim() === '') return { kind: 'usage-error', message: '--files-dir needs a folder' };
    config.filesDir = values['files-dir'];
  }
  if (typeof values['room-key'] === 'string') {
    if (values['room-key'] === '') return { kind: 'usage-error', message: '--room-key needs a key' };
    config.roomKey = values['room-key'];
  }
  const origins = values['allow-origin'];
  if (Array.isArray(origins)) {
    const bad = origins.find((origin) => origin !== '*' && !/^[a-z][a-z0-9+.-]*:\/\/[^/?#\s]+$/i.test(origin));
    if (bad !== undefined) return { kind: 'usage-error', message: `--allow-origin needs an origin like https://chat.example.com, got "${bad}"` };
    config.allowedOrigins = origins;
  }
  const proxies = values['trust-proxy'];
  if (Array.isArray(proxies)) {
    const bad = proxies.find((proxy) => isIP(proxy) === 0);
    if (bad !== undefined) return { kind: 'usage-error', message: `--trust-proxy needs an IP address like 127.0.0.1, got "${bad}"` };
    config.trustProxy = proxies;
  }
  if (values['web-root'] !== undefined && values['no-web-root']) {
    return { kind: 'usage-error', message: '--web-root and --no-web-root contradict each other' };
  }
  const certFile = values['tls-cert'];
  const keyFile = values['tls-key'];
  if ((typeof certFile === 'string') !== (typeof keyFile === 'string')) {
    return { kind: 'usage-error', message: '--tls-cert and --tls-key go together' };
  }
  let webRootGiven = false;
  if (typeof values['web-root'] === 'string') {
    config.webRoot = values['web-root'];
    webRootGiven = true;
  }
  if (values['no-web-root']) {
    config.webRoot = null;
    webRootGiven = true;
  }
  const command: CliCommand & { kind: 'run' } = { kind: 'run', config, webRootGiven };
  if (typeof certFile === 'string' && typeof keyFile === 'string') command.tlsFiles = { cert: certFile, key: keyFile };
  const advertiseName = values['advertise-name'];
  if (typeof advertiseName === 'string') {
    if (advertiseName.trim() === '') return { kind: 'usage-error', message: '--advertise-name needs a name' };
    command.advertiseName = advertiseName.trim();
  } else if (values.advertise) {
    command.advertiseName = DEFAULT_ADVERTISE_NAME;
  }
  return command;
}
