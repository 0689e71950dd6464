/**
 * A server under test as a child process: started from its built script, found by
 * its first stdout line (`SimpleChat server listening on ws://HOST:PORT`), measured
 * through /proc (CPU ticks, VmRSS) and, when asked, through the V8 inspector
 * (a forced GC and `process.memoryUsage()`), and always stopped.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import WebSocket from 'ws';

const LISTENING = /^SimpleChat server listening on (ws:\/\/\S+)$/;
const INSPECTOR = /Debugger listening on (ws:\/\/\S+)/;
const START_TIMEOUT_MS = 15_000;
const STOP_TIMEOUT_MS = 5_000;
/** Kernel clock ticks per second for /proc/<pid>/stat (USER_HZ; 100 on Linux everywhere that matters). */
const CLOCK_TICKS_PER_SEC = 100;

const children = new Set<ChildProcess>();

/** Kills every child still running; called on exit and on failure so none outlives the bench. */
export function killAllChildren(): void {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  children.clear();
}

/** Spawns a child that is killed if the bench dies. `cpu`: pin to that core with taskset. */
export function spawnTracked(
  script: string,
  args: string[],
  options: { cpu?: number; nodeFlags?: string[]; ipc?: boolean },
): ChildProcess {
  const nodeArgs = [...(options.nodeFlags ?? []), script, ...args];
  const [command, commandArgs] =
    options.cpu === undefined ? [process.execPath, nodeArgs] : ['taskset', ['-c', String(options.cpu), process.execPath, ...nodeArgs]];
  const child = spawn(command, commandArgs, {
    stdio: ['ignore', 'pipe', 'pipe', ...(options.ipc ? (['ipc'] as const) : [])],
  });
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

export interface ServerMemory {
  rssKiB: number;
  heapUsedKiB: number | null;
}

export interface ServerStartOptions {
  script: string;
  args: string[];
  cpu?: number;
  /** Open the inspector (loopback, random port) so memory can be read after a forced GC. */
  inspect?: boolean;
  /** Write a V8 CPU profile into this folder when the server exits. */
  cpuProfileDir?: string;
  cpuProfileName?: string;
}

/** What the server's stderr told so far; filled in as it arrives. */
interface StderrState {
  inspectorUrl: string | undefined;
  tail: string[];
}

export class ServerProcess {
  private inspector: WebSocket | undefined;
  private inspectorRequests = 0;
  readonly child: ChildProcess;
  readonly url: string;
  private readonly stderrState: StderrState;

  private constructor(child: ChildProcess, url: string, stderrState: StderrState) {
    this.child = child;
    this.url = url;
    this.stderrState = stderrState;
  }

  static start(options: ServerStartOptions): Promise<ServerProcess> {
    const nodeFlags: string[] = [];
    if (options.inspect) nodeFlags.push('--inspect=127.0.0.1:0');
    if (options.cpuProfileDir) {
      nodeFlags.push('--cpu-prof', `--cpu-prof-dir=${options.cpuProfileDir}`);
      if (options.cpuProfileName) nodeFlags.push(`--cpu-prof-name=${options.cpuProfileName}`);
    }
    const child = spawnTracked(options.script, options.args, { cpu: options.cpu, nodeFlags });
    const stderrState: StderrState = { inspectorUrl: undefined, tail: [] };
    const stderrTail = stderrState.tail;
    let stdoutBuffer = '';

    return new Promise((resolve, reject) => {
      const fail = (why: string) => {
        clearTimeout(timer);
        child.kill('SIGKILL');
        reject(new Error(`${options.script}: ${why}${stderrTail.length ? `\n  stderr: ${stderrTail.join('\n  stderr: ')}` : ''}`));
      };
      const timer = setTimeout(() => fail(`no listening line within ${START_TIMEOUT_MS} ms`), START_TIMEOUT_MS);
      child.stderr!.setEncoding('utf8');
      child.stderr!.on('data', (chunk: string) => {
        for (const line of chunk.split('\n')) {
          if (line.trim() === '') continue;
          const inspector = INSPECTOR.exec(line);
          if (inspector) stderrState.inspectorUrl = inspector[1];
          stderrTail.push(line);
          if (stderrTail.length > 20) stderrTail.shift();
        }
      });
      child.stdout!.setEncoding('utf8');
      const onFirstLine = (chunk: string) => {
        stdoutBuffer += chunk;
        const newline = stdoutBuffer.indexOf('\n');
        if (newline < 0) return;
        child.stdout!.off('data', onFirstLine);
        // The server logs a line per join and leave; read and drop them so its pipe never fills.
        child.stdout!.on('data', () => undefined);
        const first = stdoutBuffer.slice(0, newline).trim();
        const match = LISTENING.exec(first);
        if (!match) return fail(`unexpected first line: ${JSON.stringify(first)}`);
        clearTimeout(timer);
        child.off('exit', onEarlyExit);
        resolve(new ServerProcess(child, match[1]!, stderrState));
      };
      child.stdout!.on('data', onFirstLine);
      const onEarlyExit = (code: number | null, signal: string | null) => fail(`exited before listening (code ${code}, signal ${signal})`);
      child.once('exit', onEarlyExit);
      child.once('error', (error) => fail(error.message));
    });
  }

  get pid(): number {
    return this.child.pid!;
  }

  /** User + system CPU time the server has used so far, in ms (10 ms resolution). */
  cpuMs(): number {
    const stat = readFileSync(`/proc/${this.pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces) start at the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const utime = Number(fields[11]);
    const stime = Number(fields[12]);
    return ((utime + stime) * 1000) / CLOCK_TICKS_PER_SEC;
  }

  rssKiB(): number {
    const status = readFileSync(`/proc/${this.pid}/status`, 'utf8');
    const match = /^VmRSS:\s+(\d+) kB$/m.exec(status);
    if (!match) throw new Error(`no VmRSS for pid ${this.pid}`);
    return Number(match[1]);
  }

  /** Forces full GCs through the inspector (when open), lets the allocator settle, then reads memory. */
  async settledMemory(settleMs = 500): Promise<ServerMemory> {
    let heapUsedKiB: number | null = null;
    if (this.stderrState.inspectorUrl) {
      await this.inspectorCall('HeapProfiler.collectGarbage');
      await this.inspectorCall('HeapProfiler.collectGarbage');
      const reply = await this.inspectorCall('Runtime.evaluate', {
        expression: 'process.memoryUsage().heapUsed',
        returnByValue: true,
      });
      const value = (reply as { result?: { value?: unknown } }).result?.value;
      if (typeof value === 'number') heapUsedKiB = Math.round(value / 1024);
    }
    await new Promise((resolve) => setTimeout(resolve, settleMs));
    return { rssKiB: this.rssKiB(), heapUsedKiB };
  }

  /** SIGTERM (the server closes its clients and exits), then SIGKILL if it lingers. */
  async stop(): Promise<void> {
    this.inspector?.terminate();
    this.inspector = undefined;
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), STOP_TIMEOUT_MS);
    await exited;
    clearTimeout(timer);
  }

  stderr(): string[] {
    return [...this.stderrState.tail];
  }

  private async inspectorCall(method: string, params: object = {}): Promise<unknown> {
    const socket = await this.openInspector();
    const id = ++this.inspectorRequests;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`inspector: ${method} timed out`)), 30_000);
      const onMessage = (data: Buffer) => {
        const reply = JSON.parse(data.toString()) as { id?: number; result?: unknown; error?: { message: string } };
        if (reply.id !== id) return;
        clearTimeout(timer);
        socket.off('message', onMessage);
        if (reply.error) reject(new Error(`inspector: ${method}: ${reply.error.message}`));
        else resolve(reply.result);
      };
      socket.on('message', onMessage);
      socket.send(JSON.stringify({ id, method, params }));
    });
  }

  private openInspector(): Promise<WebSocket> {
    if (this.inspector && this.inspector.readyState === WebSocket.OPEN) return Promise.resolve(this.inspector);
    const socket = new WebSocket(this.stderrState.inspectorUrl!, { perMessageDeflate: false });
    this.inspector = socket;
    return new Promise((resolve, reject) => {
      socket.once('open', () => resolve(socket));
      socket.once('error', reject);
    });
  }
}
