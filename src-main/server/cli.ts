import { existsSync, readFileSync } from 'node:fs';
import { networkInterfaces } from 'node:os';
import { fileURLToPath } from 'node:url';
import { createMdnsTransport, isLoopbackOnly, startAdvertiser } from '../discovery';
import type { Advertiser } from '../discovery';
import { urlHost } from './addresses';
import { startChatServer } from './chat-server';
import type { ChatServer } from './chat-server';
import { parseCliArgs, usage } from './cli-args';

/*
 * `simplechat-server` / `npm run server`. The first stdout line, once listening, is
 * exactly `SimpleChat server listening on ws://HOST:PORT` (tools parse it). Then one
 * line per join, leave, loss and error. SIGINT/SIGTERM close every client with 1001.
 */

const EXIT_CANNOT_START = 1;
const EXIT_USAGE = 2;
const EXIT_INTERNAL = 70;

/** dist/renderer beside dist/server/cli.js, when it has been built. */
function defaultWebRoot(): string | null {
  const folder = fileURLToPath(new URL('../renderer/', import.meta.url));
  return existsSync(`${folder}index.html`) ? folder : null;
}

function version(): string {
  try {
    const pkg = JSON.parse(readFileSync(fileURLToPath(new URL('../../package.json', import.meta.url)), 'utf8')) as {
      version?: string;
    };
    return pkg.version ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

// Under systemd the journal stamps each line itself.
const stamped = process.env.JOURNAL_STREAM === undefined;
// Whoever reads our output may go away (a closed pipe); the room goes on without its log.
let stdoutOpen = true;
process.stdout.on('error', () => {
  stdoutOpen = false;
});
/** Lines logged while starting (loading the state file) wait: the listening line comes first. */
let held: string[] | null = [];
function log(line: string): void {
  const text = stamped ? `${new Date().toISOString()} ${line}\n` : `${line}\n`;
  if (held !== null) held.push(text);
  else if (stdoutOpen) process.stdout.write(text);
}
function releaseHeldLog(): void {
  const lines = held ?? [];
  held = null;
  for (const line of lines) if (stdoutOpen) process.stdout.write(line);
}

/** Where others can reach a server bound to every interface. */
function lanAddresses(): string[] {
  const found: string[] = [];
  for (const entries of Object.values(networkInterfaces())) {
    for (const entry of entries ?? []) if (entry.family === 'IPv4' && !entry.internal) found.push(entry.address);
  }
  return found;
}

async function main(): Promise<void> {
  const command = parseCliArgs(process.argv.slice(2));
  const webRoot = defaultWebRoot();
  switch (command.kind) {
    case 'help':
      process.stdout.write(`${usage(webRoot)}\n`);
      return;
    case 'version':
      process.stdout.write(`${version()}\n`);
      return;
    case 'usage-error':
      process.stderr.write(`simplechat-server: ${command.message}\n\n${usage(webRoot)}\n`);
      process.exitCode = EXIT_USAGE;
      return;
    case 'run':
      break;
  }
  const config = { ...command.config, log };
  const envKey = process.env.SIMPLECHAT_ROOM_KEY;
  if (config.roomKey === undefined && envKey !== undefined && envKey !== '') config.roomKey = envKey;
  const envDb = process.env.SIMPLECHAT_DB;
  if (config.dbFile === undefined && envDb !== undefined && envDb !== '') config.dbFile = envDb;
  if (!command.webRootGiven) config.webRoot = webRoot;
  if (typeof config.webRoot === 'string' && !existsSync(config.webRoot)) {
    process.stderr.write(`simplechat-server: --web-root ${config.webRoot} does not exist\n`);
    process.exitCode = EXIT_USAGE;
    return;
  }

  // Signals are handled from before the listening line: a supervisor may stop us at once.
  if (command.tlsFiles !== undefined) {
    try {
      config.tls = { cert: readFileSync(command.tlsFiles.cert), key: readFileSync(command.tlsFiles.key) };
    } catch (error) {
      process.stderr.write(`simplechat-server: cannot read the TLS files: ${(error as Error).message}\n`);
      process.exitCode = EXIT_USAGE;
      return;
    }
  }

  let server: ChatServer | null = null;
  let advertiser: Advertiser | null = null;
  let stopping = false;
  const shutDown = (running: ChatServer): void => {
    // The goodbye goes first, so the room leaves others' lists while its users are being closed.
    const goodbye = advertiser?.stop().catch(() => {}) ?? Promise.resolve();
    log(`closing ${running.connectionCount} connection(s)`);
    Promise.all([running.close(), goodbye]).then(
      () => {
        log('stopped');
        process.exit(0);
      },
      (error: unknown) => {
        process.stderr.write(`simplechat-server: error while stopping: ${String(error)}\n`);
        process.exit(EXIT_INTERNAL);
      },
    );
  };
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) {
      process.stderr.write(`simplechat-server: ${signal} again, exiting now\n`);
      process.exit(EXIT_CANNOT_START);
    }
    stopping = true;
    log(`${signal} received`);
    if (server !== null) shutDown(server);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);

  try {
    server = await startChatServer(config);
  } catch (error) {
    releaseHeldLog();
    process.stderr.write(`simplechat-server: ${(error as Error).message}\n`);
    process.exit(EXIT_CANNOT_START);
  }
  const host = urlHost(server.host);
  const [ws, web] = server.secure ? ['wss', 'https'] : ['ws', 'http'];
  process.stdout.write(`SimpleChat server listening on ${ws}://${host}:${server.port}\n`);
  if (config.webRoot) process.stdout.write(`Web UI: ${web}://${host}:${server.port}/\n`);
  if (server.host === '0.0.0.0' || server.host === '::') {
    for (const address of lanAddresses()) process.stdout.write(`On this network: ${ws}://${address}:${server.port}\n`);
  }
  releaseHeldLog();
  if (command.advertiseName !== undefined && !stopping) {
    if (isLoopbackOnly(server.host)) {
      log(`not announced on the network: listening on ${server.host} (loopback) only`);
    } else {
      advertiser = startAdvertiser(
        { name: command.advertiseName, port: server.port, locked: config.roomKey !== undefined && config.roomKey !== null, tls: server.secure, webPath: config.webRoot ? '/' : null },
        createMdnsTransport(log),
      );
      log(`announced on the local network as "${command.advertiseName}" (_simplechat._tcp)`);
    }
  }
  if (stopping) shutDown(server);
}

process.on('uncaughtException', (error) => {
  process.stderr.write(`simplechat-server: internal error: ${error.stack ?? String(error)}\n`);
  process.exit(EXIT_INTERNAL);
});

void main();
