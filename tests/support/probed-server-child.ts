import { getHeapSpaceStatistics, writeHeapSnapshot } from 'node:v8';
import { startChatServer } from '../../src-main/server';
import type { ChatServer, ServerConfig } from '../../src-main/server';
import type { ProbeReply, ProbeRequest } from './probed-server';

/*
 * Test-only entry, run in its own Node process with --expose-gc (probed-server.ts
 * bundles and forks it): a chat server whose memory a test can read after a forced
 * GC, so what the test runner itself allocates never counts.
 */

const gc = (globalThis as { gc?: () => void }).gc;
let server: ChatServer | null = null;
/** The latest log lines only: keeping them all would be a leak of the test's own making. */
const MAX_LOG_LINES = 100;
const logs: string[] = [];

function keepLog(line: string): void {
  logs.push(line);
  if (logs.length > MAX_LOG_LINES) logs.shift();
}

function reply(message: ProbeReply): void {
  process.send!(message);
}

function collect(): void {
  if (gc === undefined) throw new Error('run with --expose-gc');
  // Several passes: weak references and finalizers free more on the second.
  for (let i = 0; i < 4; i++) gc();
}

async function handle(request: ProbeRequest): Promise<void> {
  switch (request.type) {
    case 'start': {
      server = await startChatServer({ host: '127.0.0.1', port: 0, ...(request.config as Partial<ServerConfig>), log: keepLog });
      reply({ type: 'listening', port: server.port });
      return;
    }
    case 'memory': {
      // Sockets closed a moment ago finish on the next turns of the loop.
      await new Promise((resolve) => setImmediate(resolve));
      collect();
      const usage = process.memoryUsage();
      reply({
        type: 'memory',
        heapUsed: usage.heapUsed,
        external: usage.external,
        arrayBuffers: usage.arrayBuffers,
        rss: usage.rss,
        connections: server?.connectionCount ?? 0,
        spaces: Object.fromEntries(getHeapSpaceStatistics().map((space) => [space.space_name, space.space_used_size])),
      });
      return;
    }
    case 'snapshot':
      collect();
      reply({ type: 'snapshot', path: writeHeapSnapshot(request.path) });
      return;
    case 'logs':
      reply({ type: 'logs', lines: logs.splice(0) });
      return;
    case 'stop':
      await server?.close();
      reply({ type: 'stopped' });
      process.disconnect();
      return;
  }
}

process.on('message', (request: ProbeRequest) => {
  handle(request).catch((error: unknown) => reply({ type: 'failed', message: String((error as Error).stack ?? error) }));
});
