import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcessByStdio } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { buildSync } from 'esbuild';

/*
 * A private network namespace with multicast on its own loopback (issue 16 §5): mDNS
 * works inside it and nothing leaves this machine. The child (netns-child.ts) is
 * bundled with esbuild so it runs the current sources without a TypeScript loader.
 */

const SETUP = 'ip link set lo up && ip link set lo multicast on && ip route add 224.0.0.0/4 dev lo';

/** Why namespaces cannot be used here, or null when they can. */
export function namespaceUnavailable(): string | null {
  const probe = spawnSync('unshare', ['-rn', 'sh', '-c', SETUP], { encoding: 'utf8', timeout: 10_000 });
  if (probe.error) return `unshare cannot run: ${probe.error.message}`;
  if (probe.status !== 0) return `private network namespaces are not allowed here: ${probe.stderr.trim()}`;
  return null;
}

let bundled: string | null = null;
function childScript(): string {
  if (bundled !== null) return bundled;
  const dir = mkdtempSync(join(tmpdir(), 'simplechat-netns-'));
  const outfile = join(dir, 'netns-child.cjs');
  buildSync({ entryPoints: [join(import.meta.dirname, 'netns-child.ts')], outfile, bundle: true, platform: 'node', target: 'node20', format: 'cjs', logLevel: 'error' });
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  bundled = outfile;
  return outfile;
}

export type ChildEvent = Record<string, unknown>;

const WAIT_MS = 10_000;

export class Namespace {
  readonly #child: ChildProcessByStdio<Writable, Readable, null>;
  readonly #events: ChildEvent[] = [];
  #waiters: Array<() => void> = [];

  private constructor(child: ChildProcessByStdio<Writable, Readable, null>) {
    this.#child = child;
    createInterface({ input: child.stdout }).on('line', (line) => {
      this.#events.push(JSON.parse(line) as ChildEvent);
      for (const wake of this.#waiters.splice(0)) wake();
    });
  }

  static open(): Namespace {
    const child = spawn('unshare', ['-rn', 'sh', '-c', `${SETUP} && exec "${process.execPath}" "${childScript()}"`], {
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    return new Namespace(child);
  }

  send(order: object): void {
    this.#child.stdin.write(`${JSON.stringify(order)}\n`);
  }

  /** The first event, seen so far or still to come, that `test` accepts. */
  async waitFor(test: (event: ChildEvent) => boolean, what: string): Promise<ChildEvent> {
    const deadline = Date.now() + WAIT_MS;
    for (;;) {
      const found = this.#events.find(test);
      if (found !== undefined) return found;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for ${what}; events: ${JSON.stringify(this.#events.slice(-10))}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.#waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** Forgets the events seen so far, so the next waitFor looks only at later ones. */
  clear(): void {
    this.#events.length = 0;
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      if (this.#child.exitCode !== null) return resolve();
      this.#child.once('exit', () => resolve());
      this.#child.stdin.end();
      setTimeout(() => this.#child.kill('SIGKILL'), 5_000).unref();
    });
  }
}
