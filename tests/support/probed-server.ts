import { fork } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildSync } from 'esbuild';
import type { ServerConfig } from '../../src-main/server';
import { withTimeout } from './chat-client';

/*
 * A chat server in a child process that answers memory questions over IPC, for
 * fault-injection tests that must see the server's own memory after a forced GC.
 * The child entry (probed-server-child.ts) is bundled with esbuild once per test
 * file, so it runs the current sources without a TypeScript loader.
 */

/** What a test may configure: everything but the log, which stays in the child. */
export type ProbedServerConfig = Omit<Partial<ServerConfig>, 'log' | 'tls'>;

export type ProbeRequest =
  | { type: 'start'; config: ProbedServerConfig }
  | { type: 'memory' }
  | { type: 'logs' }
  | { type: 'snapshot'; path: string }
  | { type: 'stop' };

export interface MemoryReading {
  /** V8 heap in use after a forced GC, bytes. */
  heapUsed: number;
  /** Memory held outside the heap by Buffers and other C++ objects (socket data waiting to be written is here). */
  external: number;
  arrayBuffers: number;
  rss: number;
  /** Users online. */
  connections: number;
  /** Bytes in use per V8 heap space (old_space, code_space, …), to tell a leak from compiled code. */
  spaces: Record<string, number>;
}

export type ProbeReply =
  | { type: 'listening'; port: number }
  | ({ type: 'memory' } & MemoryReading)
  | { type: 'logs'; lines: string[] }
  | { type: 'snapshot'; path: string }
  | { type: 'stopped' }
  | { type: 'failed'; message: string };

const REPLY_TIMEOUT_MS = 10_000;

let bundled: string | null = null;

function childScript(): string {
  if (bundled !== null) return bundled;
  const dir = mkdtempSync(join(tmpdir(), 'simplechat-probed-'));
  // CommonJS, so `ws` resolves through NODE_PATH from the temp folder.
  const outfile = join(dir, 'probed-server-child.cjs');
  buildSync({
    entryPoints: [join(__dirname, 'probed-server-child.ts')],
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    packages: 'external',
    logLevel: 'error',
  });
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  bundled = outfile;
  return outfile;
}

export class ProbedServer {
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(
    readonly child: ChildProcess,
    readonly port: number,
  ) {}

  /** Starts the server in a child with --expose-gc; resolves once it listens on 127.0.0.1. */
  static async start(config: ProbedServerConfig = {}): Promise<ProbedServer> {
    const child = fork(childScript(), [], {
      execArgv: ['--expose-gc'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      env: { ...process.env, NODE_PATH: join(__dirname, '../../node_modules') },
    });
    const first = await ProbedServer.ask(child, { type: 'start', config });
    if (first.type !== 'listening') throw new Error(`the probed server did not start: ${JSON.stringify(first)}`);
    return new ProbedServer(child, first.port);
  }

  get pid(): number {
    return this.child.pid!;
  }

  /** The server's memory after a forced GC in its process. */
  async memory(): Promise<MemoryReading> {
    const answer = await this.request({ type: 'memory' });
    if (answer.type !== 'memory') throw new Error(`unexpected answer ${answer.type}`);
    const { type: _type, ...reading } = answer;
    return reading;
  }

  /** Writes a heap snapshot (after a forced GC) to `path`, for finding what a failing memory test kept. */
  async heapSnapshot(path: string): Promise<string> {
    const answer = await this.request({ type: 'snapshot', path });
    if (answer.type !== 'snapshot') throw new Error(`unexpected answer ${answer.type}`);
    return answer.path;
  }

  /** Log lines since the last call. */
  async logs(): Promise<string[]> {
    const answer = await this.request({ type: 'logs' });
    return answer.type === 'logs' ? answer.lines : [];
  }

  /** Graceful stop; kills the child if it does not answer. Safe to call twice. */
  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null || !this.child.connected) {
      this.child.kill('SIGKILL');
      return;
    }
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    try {
      await this.request({ type: 'stop' });
      await withTimeout(exited, REPLY_TIMEOUT_MS, 'the probed server to exit');
    } catch {
      this.child.kill('SIGKILL');
    }
  }

  /** One question at a time, so each answer belongs to its question. */
  private request(request: ProbeRequest): Promise<ProbeReply> {
    const next = this.queue.then(() => ProbedServer.ask(this.child, request));
    this.queue = next.catch(() => undefined);
    return next;
  }

  private static ask(child: ChildProcess, request: ProbeRequest): Promise<ProbeReply> {
    const answer = new Promise<ProbeReply>((resolve, reject) => {
      const onMessage = (message: ProbeReply): void => {
        cleanup();
        if (message.type === 'failed') reject(new Error(`probed server: ${message.message}`));
        else resolve(message);
      };
      const onExit = (code: number | null, signal: string | null): void => {
        cleanup();
        reject(new Error(`the probed server exited (${signal ?? code}) before answering ${request.type}`));
      };
      const cleanup = (): void => {
        child.off('message', onMessage);
        child.off('exit', onExit);
      };
      child.on('message', onMessage);
      child.on('exit', onExit);
    });
    child.send(request);
    return withTimeout(answer, REPLY_TIMEOUT_MS, `the probed server's answer to ${request.type}`);
  }
}
