import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import type { ConnectRequest, ConnectionStatus } from '../../../src-shared/bridge';
import type { ServerMessage } from '../../../src-shared/protocol';
import { ClientSession } from '../../../src-shared/session';
import { ChatClient, chatUrl, withTimeout } from '../../support/chat-client';
import { RawWebSocket, handshakeWithTarget } from '../../support/raw-websocket';
import { ProbedServer } from '../../support/probed-server';
import type { MemoryReading } from '../../support/probed-server';

/*
 * Fault injection: the standalone server killed with SIGKILL mid-chat and restarted on
 * the same port; a client that stops reading; 500 clients joining and leaving. Memory
 * is read in the server's own process after a forced GC (ProbedServer).
 */

const ROOT = join(__dirname, '../../..');
const CLI = join(ROOT, 'dist/server/cli.js');
const MiB = 1024 * 1024;

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

// ---- the standalone server, killed and restarted -----------------------------------

interface CliServer {
  child: ChildProcess;
  port: number;
}

/** `node dist/server/cli.js --port <port> …`; resolves with the port from its first line. */
async function runCli(port: number, extraArgs: string[] = []): Promise<CliServer> {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`node scripts/build.mjs server\` (npm test does)`);
  const args = [CLI, '--host', '127.0.0.1', '--port', String(port), '--no-web-root', '--ping-interval-ms', '1000', ...extraArgs];
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  cleanups.push(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const first = await withTimeout(
    new Promise<string>((resolve, reject) => {
      child.once('exit', (code) => reject(new Error(`the server exited with ${code}: ${stderr}`)));
      createInterface({ input: child.stdout! }).once('line', resolve);
    }),
    10_000,
    'the server to listen',
  );
  const match = /^SimpleChat server listening on ws:\/\/127\.0\.0\.1:(\d+)$/.exec(first);
  if (!match) throw new Error(`unexpected first line: ${first}`);
  // Drain stdout so the server never blocks on a full pipe.
  child.stdout!.resume();
  return { child, port: Number(match[1]) };
}

async function kill(server: CliServer): Promise<void> {
  const exited = new Promise((resolve) => server.child.once('exit', resolve));
  server.child.kill('SIGKILL');
  await withTimeout(exited, 5_000, 'the server to die');
}

/** A ClientSession (the real client code) over `ws`, recording every message and status. */
class Participant {
  readonly session: ClientSession;
  readonly received: ServerMessage[] = [];
  readonly sent: string[] = [];
  status: ConnectionStatus = { state: 'idle' };
  private readonly listeners = new Set<() => void>();

  constructor(readonly request: ConnectRequest) {
    // No jitter, so the reconnect comes at the first backoff step (1 s).
    this.session = new ClientSession({ createSocket: (url) => new WebSocket(url), pingIntervalMs: 1_000, random: () => 0 });
    this.session.on('message', (message) => {
      this.received.push(message);
      this.wake();
    });
    this.session.on('status', (status) => {
      this.status = status;
      this.wake();
    });
    this.session.on('outbox', () => this.wake());
    cleanups.push(() => this.session.disconnect());
  }

  get name(): string {
    return this.request.userName;
  }

  /** How many times this participant has logged in, and as whom the last time. */
  get logins(): Array<Extract<ServerMessage, { action: 'Authorized' }>> {
    return this.received.filter((m): m is Extract<ServerMessage, { action: 'Authorized' }> => m.action === 'Authorized');
  }

  say(text: string): void {
    this.sent.push(text);
    this.session.send({ text, toUserId: 0 });
  }

  /** Public texts from `sender` (by name: ids start again with a new server), in arrival order. */
  textsFrom(sender: string): string[] {
    // A History (sent on a login with a session token) holds public messages said while this one was away.
    const publics = this.received.flatMap((m) => (m.action === 'History' ? m.messages : m.action === 'PublicMessage' ? [m] : []));
    return publics.flatMap((m) => (m.userName === sender ? [m.text] : []));
  }

  async until(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!check()) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`${this.name}: timed out after ${timeoutMs} ms waiting for ${what}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(left, 200));
        this.listeners.add(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  private wake(): void {
    const listeners = [...this.listeners];
    this.listeners.clear();
    for (const listener of listeners) listener();
  }
}

/** `texts` without repeats, first occurrences kept in order: what a user reads once duplicates are set aside. */
function firstOccurrences(texts: string[]): string[] {
  return [...new Set(texts)];
}

describe('the standalone server killed with SIGKILL mid-chat and restarted on the same port, with --state-file', () => {
  it('every client resumes its session (same name and id), and every message sent reaches everyone at least once, in order', async () => {
    const stateDir = mkdtempSync(join(tmpdir(), 'simplechat-faults-'));
    cleanups.push(() => rmSync(stateDir, { recursive: true, force: true }));
    const stateArgs = ['--state-file', join(stateDir, 'state.jsonl')];
    const first = await runCli(0, stateArgs);
    const port = first.port;
    const people = ['Аня', 'Борис', 'Chen'].map(
      (userName, i) => new Participant({ server: '127.0.0.1', port, userName, userColor: '#16a085', gender: (i % 3) as 0 | 1 | 2 }),
    );
    for (const person of people) person.session.connect(person.request);
    await Promise.all(people.map((p) => p.until(() => p.status.state === 'authorized', 5_000, 'the first login')));
    const online = (p: Participant): Set<string> =>
      new Set([...p.logins[0]!.users.map((u) => u.userName), ...p.received.flatMap((m) => (m.action === 'Connected' ? [m.userName] : []))]);
    await Promise.all(people.map((p) => p.until(() => online(p).size === 3, 5_000, 'everyone online')));
    const names = people.map((p) => p.logins[0]!.userName);
    expect(names).toEqual(['Аня', 'Борис', 'Chen']);
    const ids = people.map((p) => p.logins[0]!.userId);

    // Chat, and kill the server while it flows: the first echo has come back, the rest are in flight.
    for (let i = 1; i <= 6; i++) for (const person of people) person.say(`${person.name} before ${i}`);
    await people[0]!.until(() => people[0]!.textsFrom('Аня').length >= 1, 5_000, 'the first echo');
    await kill(first);
    await Promise.all(people.map((p) => p.until(() => p.status.state === 'reconnecting', 5_000, 'noticing the loss')));

    // Typed during the outage: these wait in the outbox.
    for (let i = 1; i <= 3; i++) for (const person of people) person.say(`${person.name} during ${i}`);
    expect(people.every((p) => p.session.outbox.length >= 3)).toBe(true);

    const second = await runCli(port, stateArgs);
    expect(second.port).toBe(port);
    await Promise.all(people.map((p) => p.until(() => p.logins.length === 2 && p.status.state === 'authorized', 10_000, 'the login to the restarted server')));
    // The restarted server read the sessions back: each client resumed as itself, with a History.
    expect(people.map((p) => p.logins[1]!.userName)).toEqual(names);
    expect(people.map((p) => p.logins[1]!.userId)).toEqual(ids);
    const historyAfterRestart = (p: Participant): boolean => p.received.slice(p.received.indexOf(p.logins[1]!)).some((m) => m.action === 'History');
    await Promise.all(people.map((p) => p.until(() => historyAfterRestart(p), 5_000, 'the History after the restart')));

    for (let i = 1; i <= 3; i++) for (const person of people) person.say(`${person.name} after ${i}`);

    // Everyone gets everything everyone else sent (and its own echo of each), then the outboxes are empty.
    const complete = (reader: Participant): boolean =>
      people.every((sender) => sender.sent.every((text) => reader.textsFrom(sender.name).includes(text)));
    const missing = (reader: Participant): string[] =>
      people.flatMap((sender) => sender.sent.filter((text) => !reader.textsFrom(sender.name).includes(text)));
    await Promise.all(
      people.map((p) =>
        p.until(() => complete(p) && p.session.outbox.length === 0, 15_000, 'every message').catch((error: Error) => {
          throw new Error(`${error.message}; missing ${JSON.stringify(missing(p))}, outbox ${JSON.stringify(p.session.outbox.map((m) => m.text))}, status ${p.status.state}`);
        }),
      ),
    );

    for (const reader of people) {
      for (const sender of people) {
        const seen = reader.textsFrom(sender.name);
        // At least once, and in the order it was typed. Exactly once cannot be promised: the
        // History after the restart starts after the last Ping the reader was known to have
        // answered, so lines it had already read just before the kill may come again — only
        // those, never one typed during the outage or after it (docs/SECURITY.md).
        expect(firstOccurrences(seen), `${reader.name} reading ${sender.name}`).toEqual(sender.sent);
        const repeats = seen.filter((text, i) => seen.indexOf(text) !== i);
        expect(repeats.every((text) => text.includes(' before ')), `repeats ${reader.name} got from ${sender.name}: ${JSON.stringify(repeats)}`).toBe(true);
        expect(new Set(repeats).size, `repeats ${reader.name} got from ${sender.name}`).toBe(repeats.length);
      }
    }
  }, 40_000);
});

// ---- a client that stops reading ---------------------------------------------------

function footprint(reading: MemoryReading): number {
  return reading.heapUsed + reading.external;
}

async function startProbed(config: Parameters<typeof ProbedServer.start>[0]): Promise<ProbedServer> {
  const server = await ProbedServer.start(config);
  cleanups.push(() => server.stop());
  return server;
}

describe('a client that stops reading', () => {
  it('is dropped as ConnectionLost, and the server holds no more than its unsent-data limit for it', async () => {
    const limit = 256 * 1024;
    // The rate limit is opened wide so one talker can push megabytes quickly.
    const server = await startProbed({ maxBufferedBytes: limit, rateBurst: 100_000, ratePerSecond: 100_000, pingIntervalMs: 60_000, presenceGraceMs: 20, historyLines: 200 });
    const talker = await ChatClient.connect(chatUrl(server.port, { userName: 'talker' }));
    cleanups.push(() => talker.terminate());
    const stuck = await RawWebSocket.open(server.port, handshakeWithTarget('/?userName=stuck'));
    cleanups.push(() => stuck.destroy());
    await stuck.waitForMessage((m) => m.action === 'Authorized');
    const stuckId = (await talker.waitFor((m) => m.action === 'Connected' && m.userName === 'stuck')) as { userId: number };
    // The store keeps the last 200 public messages (historyLines): fill it with ones as big as the flood's,
    // so the baseline already holds what it will hold after.
    const text = 'x'.repeat(4_000);
    for (let i = 0; i < 200; i++) talker.say(`before ${i} ${text}`);
    await stuck.waitForMessage((m) => m.action === 'PublicMessage' && String(m.text).startsWith('before 199 '), 10_000, 'the History to fill');
    const baseline = await server.memory();
    stuck.stopReading();

    // ~24 MiB of chat to every member: far beyond what the kernel's socket buffers absorb.
    const BATCH = 200;
    const peaks: number[] = [];
    let dropped = false;
    for (let batch = 0; batch < 30 && !dropped; batch++) {
      const mark = talker.mark();
      for (let i = 0; i < BATCH; i++) talker.say(`${batch}:${i} ${text}`);
      await talker.waitFor((m) => m.action === 'PublicMessage' && m.text.startsWith(`${batch}:${BATCH - 1} `), 10_000, `batch ${batch}'s echo`, mark);
      peaks.push(footprint(await server.memory()) - footprint(baseline));
      dropped = talker.messages.some((m) => m.action === 'ConnectionLost' && m.userId === stuckId.userId);
    }
    await talker.waitFor((m) => m.action === 'ConnectionLost' && m.userId === stuckId.userId, 5_000, 'the stuck reader to be dropped');
    // It was cut off, not closed politely: the others see ConnectionLost, not Disconnected as well.
    expect(talker.messages.some((m) => m.action === 'Disconnected' && m.userId === stuckId.userId)).toBe(false);
    expect(peaks.length).toBeGreaterThan(0);

    // While it was stuck the server held at most the limit (plus a frame or two in flight), never the flood.
    const worst = Math.max(...peaks);
    expect(worst, `peak growth ${(worst / MiB).toFixed(2)} MiB over baseline`).toBeLessThan(limit + 2 * MiB);
    const after = await server.memory();
    expect(after.connections).toBe(1);
    expect(footprint(after) - footprint(baseline), 'memory left over after the drop').toBeLessThan(1 * MiB);
  }, 40_000);
});

// ---- 500 clients in churn ----------------------------------------------------------

/**
 * Resolves once the server's first message (Authorized) arrives, and from then on
 * answers Pings. It parses nothing else: 500 of these get every join and leave of
 * the others, and keeping those would load the test process, not the server.
 */
function lightLogin(client: WebSocket): Promise<void> {
  return new Promise((resolve, reject) => {
    client.on('error', () => {});
    client.once('close', (code) => reject(new Error(`closed with ${code} before Authorized`)));
    client.on('message', (data) => {
      const text = data.toString();
      if (text.startsWith('{"action":"Authorized"')) resolve();
      else if (text === '{"action":"Ping"}') client.send('{"action":"Pong"}');
    });
  });
}

describe('500 clients joining and leaving in churn', () => {
  it("the server's heap returns to within 10% of where it started", async () => {
    // A short resume window and ping interval, so the names kept for reconnects expire within the test.
    const resumeMs = 500;
    // Pings every second: slower would delay the expiry; faster would drop users of this
    // busy test process that answer late.
    const pingMs = 1_000;
    // One talker fills the History at once, so its burst is opened wide.
    const server = await startProbed({ sessionResumeMs: resumeMs, pingIntervalMs: pingMs, presenceGraceMs: 100, rateBurst: 300 });
    const open = new Set<WebSocket>();
    cleanups.push(() => {
      for (const client of open) client.terminate();
    });
    let serial = 0;
    const join = (): Promise<WebSocket> => {
      const client = new WebSocket(chatUrl(server.port, { userName: `churn ${serial++}` }));
      open.add(client);
      return withTimeout(lightLogin(client), 10_000, 'a churn login').then(() => client);
    };
    const leave = async (client: WebSocket, abruptly: boolean): Promise<void> => {
      open.delete(client);
      if (abruptly) client.terminate();
      else {
        const closed = new Promise((resolve) => client.once('close', resolve));
        client.close(1000);
        await withTimeout(closed, 5_000, 'a churn client to close');
      }
    };
    const settle = async (): Promise<MemoryReading> => {
      await withTimeout(
        (async () => {
          while ((await server.memory()).connections > 0) await new Promise((resolve) => setTimeout(resolve, 50));
        })(),
        10_000,
        'everyone to be gone',
      );
      // Past the resume window and the next heartbeat, the kept names are freed.
      await new Promise((resolve) => setTimeout(resolve, resumeMs + pingMs + 500));
      return server.memory();
    };

    // 500 online, then for a bounded time random ones leave (politely or not) and new ones join.
    const round = async (): Promise<{ peak: MemoryReading; cycles: number }> => {
      const crowd: WebSocket[] = [];
      for (let group = 0; group < 10; group++) crowd.push(...(await Promise.all(Array.from({ length: 50 }, join))));
      const peak = await server.memory();
      expect(peak.connections).toBe(500);
      const stopAt = Date.now() + 3_000;
      let cycles = 0;
      while (Date.now() < stopAt) {
        const leaving = crowd.splice(0, 25);
        await Promise.all(leaving.map((client, i) => leave(client, i % 2 === 0)));
        crowd.push(...(await Promise.all(Array.from({ length: 25 }, join))));
        crowd[cycles % crowd.length]!.send(JSON.stringify({ text: `churn ${cycles}`, toUserId: 0 }));
        cycles++;
      }
      await Promise.all(crowd.splice(0).map((client) => leave(client, false)));
      return { peak, cycles };
    };

    // Warm-up: a full History (200) and one whole round, so what Node and V8 keep for reuse at
    // that size (parser and buffer pools, and the code the JIT compiles for the join, leave and
    // error paths: the bulk of what one round adds, as heap snapshots show) is in the baseline;
    // a leak is what the second round adds on top.
    const watcher = await ChatClient.connect(chatUrl(server.port, { userName: 'watcher' }));
    const talker = await join();
    for (let i = 0; i < 210; i++) talker.send(JSON.stringify({ text: `warm-up ${i}`, toUserId: 0 }));
    await watcher.waitFor((m) => m.action === 'PublicMessage' && m.text === 'warm-up 209', 10_000, 'the warm-up chat');
    await watcher.close();
    await leave(talker, false);
    await round();
    const baseline = await settle();

    const { peak, cycles } = await round();
    const end = await settle();

    const growth = (end.heapUsed - baseline.heapUsed) / baseline.heapUsed;
    const detail = `baseline ${(baseline.heapUsed / MiB).toFixed(2)} MiB, 500 online ${(peak.heapUsed / MiB).toFixed(2)} MiB, after ${cycles} churn cycles and all gone ${(end.heapUsed / MiB).toFixed(2)} MiB`;
    console.log(`churn: ${detail}`);
    // The measure can see what 500 users cost, so returning to the baseline means something.
    expect(peak.heapUsed - baseline.heapUsed, detail).toBeGreaterThan(0.1 * baseline.heapUsed);
    expect(growth, detail).toBeLessThanOrEqual(0.1);
    expect(cycles).toBeGreaterThan(0);
  }, 60_000);
});
