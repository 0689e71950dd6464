/**
 * The load generator's scenarios. Each connects its clients, does its work, and
 * returns figures; the orchestrator reads the server's CPU and memory at the
 * checkpoints. Everything is bounded by the spec's timeouts. Clients stay open
 * after the figures are in: the orchestrator stops the server first and then this
 * process, so a thousand leaves are never timed as work.
 */
import type { CheckpointName, FanoutResult, FanoutSpec, IdleResult, IdleSpec, StormResult, StormSpec } from '../types';
import { BenchClient, benchText, nowUs, receivedAtUs, type ClientEvents } from './bench-client';
import { LatencyHistogram } from './histogram';

export type Checkpoint = (name: CheckpointName) => Promise<void>;

const noop = (): void => undefined;

function quietEvents(overrides: Partial<ClientEvents>): ClientEvents {
  return { chat: noop, authorized: noop, connected: noop, roomJoined: noop, serverError: noop, closed: noop, ...overrides };
}

/** Resolves when `done()` turns true (checked on every poll), or rejects after `timeoutMs`. */
function waitFor(what: string, done: () => boolean, timeoutMs: number, pollMs = 5): Promise<void> {
  return new Promise((resolve, reject) => {
    const deadline = Date.now() + timeoutMs;
    const poll = (): void => {
      if (done()) return resolve();
      if (Date.now() > deadline) return reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`));
      setTimeout(poll, pollMs);
    };
    poll();
  });
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function cpuPercent(start: NodeJS.CpuUsage, wallMs: number): number {
  const used = process.cpuUsage(start);
  return wallMs > 0 ? Math.round(((used.user + used.system) / 1000 / wallMs) * 1000) / 10 : 0;
}

/** Every join is broadcast to everyone online, the newcomer included: N(N+1)/2 in all. */
const joinBroadcasts = (n: number) => (n * (n + 1)) / 2;

/**
 * Logs in `count` clients with at most `concurrency` handshakes outstanding, and
 * counts the `Connected` broadcasts they receive. `events` sees everything else.
 */
class Crowd {
  readonly clients: BenchClient[] = [];
  authorized = 0;
  failed = 0;
  connectedDeliveries = 0;
  closedByServer = 0;
  allLoggedInAt = 0;
  private next = 0;
  private outstanding = 0;
  private readonly url: string;
  private readonly count: number;
  private readonly concurrency: number;
  private readonly events: Partial<ClientEvents>;
  private readonly clientEvents: ClientEvents;

  constructor(url: string, count: number, concurrency: number, events: Partial<ClientEvents>) {
    this.url = url;
    this.count = count;
    this.concurrency = concurrency;
    this.events = events;
    this.clientEvents = this.makeClientEvents();
  }

  start(): void {
    this.fill();
  }

  /** Everyone logged in (or failed) and every join broadcast delivered to those who stayed. */
  settled(): boolean {
    return this.authorized + this.failed === this.count && this.connectedDeliveries >= joinBroadcasts(this.authorized);
  }

  private fill(): void {
    while (this.outstanding < this.concurrency && this.next < this.count) {
      this.outstanding += 1;
      this.clients.push(new BenchClient(this.next, this.url, this.clientEvents));
      this.next += 1;
    }
  }

  private makeClientEvents(): ClientEvents {
    const loggedInOrFailed = (): void => {
      this.outstanding -= 1;
      if (this.authorized + this.failed === this.count) this.allLoggedInAt = performance.now();
      this.fill();
    };
    return quietEvents({
      ...this.events,
      authorized: (client) => {
        this.authorized += 1;
        loggedInOrFailed();
        this.events.authorized?.(client);
      },
      connected: (client) => {
        this.connectedDeliveries += 1;
        this.events.connected?.(client);
      },
      closed: (client, code, wasOpen) => {
        if (!client.authorized) {
          this.failed += 1;
          loggedInOrFailed();
        } else {
          this.closedByServer += 1;
        }
        this.events.closed?.(client, code, wasOpen);
      },
    });
  }
}

export async function runFanout(url: string, spec: FanoutSpec, checkpoint: Checkpoint): Promise<FanoutResult> {
  const { clients: n, senders } = spec;
  const histogram = new LatencyHistogram();
  const sent = new Float64Array(senders);
  const echoed = new Float64Array(senders);
  // Per receiver and sender: the last sequence number seen (-1: none yet).
  const lastSeq = new Int32Array(n * senders).fill(-1);
  let received = 0;
  let measuring = false;
  let measuredDeliveries = 0;
  let sending = false;
  let disordered = 0;
  let serverErrors = 0;
  let roomsJoined = 0;
  const rooms = spec.rooms;
  if (rooms !== undefined && (n % rooms !== 0 || senders > n)) throw new Error(`rooms: ${n} clients do not split into ${rooms} rooms`);
  // A line reaches its room's members (the sender included): everyone, without rooms.
  const audience = rooms === undefined ? n : n / rooms;
  const roomOf = (index: number): string | undefined => (rooms === undefined ? undefined : `r${index % rooms}`);

  const crowd = new Crowd(url, n, spec.connectConcurrency, {
    chat(client, sender, seq, sentAtUs) {
      received += 1;
      if (measuring) {
        measuredDeliveries += 1;
        histogram.record(receivedAtUs() - sentAtUs);
      }
      const slot = client.index * senders + sender;
      if (seq !== lastSeq[slot]! + 1) disordered += 1;
      lastSeq[slot] = seq;
      if (client.index === sender) {
        echoed[sender] += 1;
        if (spec.mode === 'flat') pump(sender);
      }
    },
    serverError() {
      serverErrors += 1;
    },
    roomJoined() {
      roomsJoined += 1;
    },
  });

  const pump = (sender: number): void => {
    const client = crowd.clients[sender]!;
    while (sending && client.open && sent[sender]! - echoed[sender]! < spec.window) {
      client.send(benchText(sender, sent[sender]!, nowUs()), roomOf(sender));
      sent[sender] += 1;
    }
  };

  crowd.start();
  await waitFor('every client to log in and every join broadcast', () => crowd.settled(), 60_000 + n * 20);
  if (crowd.failed > 0) throw new Error(`${crowd.failed} of ${n} clients could not log in`);
  if (rooms !== undefined) {
    for (const client of crowd.clients) client.joinRoom(roomOf(client.index)!);
    await waitFor('every client to join its room', () => roomsJoined >= n, 30_000 + n * 20);
  }

  sending = true;
  let ticker: NodeJS.Timeout | undefined;
  if (spec.mode === 'flat') {
    for (let s = 0; s < senders; s += 1) pump(s);
  } else {
    const startUs = nowUs();
    const intervalUs = 1e6 / spec.ratePerSender;
    ticker = setInterval(() => {
      const elapsed = nowUs() - startUs;
      for (let s = 0; s < senders; s += 1) {
        // Senders are staggered across one interval so their messages do not arrive in bursts.
        const due = Math.floor((elapsed - (s * intervalUs) / senders) / intervalUs) + 1;
        const client = crowd.clients[s]!;
        while (sent[s]! < due && client.open) {
          client.send(benchText(s, sent[s]!, nowUs()), roomOf(s));
          sent[s] += 1;
        }
      }
    }, 1);
  }

  await sleep(spec.warmupMs);
  measuring = true;
  const cpuStart = process.cpuUsage();
  const t0 = performance.now();
  await checkpoint('measure-start');
  await sleep(spec.measureMs);
  measuring = false;
  const measuredMs = performance.now() - t0;
  const generatorCpu = cpuPercent(cpuStart, measuredMs);
  await checkpoint('measure-end');
  sending = false;
  if (ticker) clearInterval(ticker);

  const totalSent = sent.reduce((a, b) => a + b, 0);
  const expected = totalSent * audience;
  await waitFor('the last deliveries', () => received >= expected, spec.drainTimeoutMs).catch(() => undefined);

  return {
    kind: 'fanout',
    spec,
    measuredMs: Math.round(measuredMs),
    sent: totalSent,
    deliveries: measuredDeliveries,
    deliveriesPerSec: Math.round((measuredDeliveries / measuredMs) * 1000),
    latency: histogram.summary(),
    lost: Math.max(0, expected - received),
    disordered,
    serverErrors,
    closedByServer: crowd.closedByServer,
    cpu: { server: 0, generator: generatorCpu },
  };
}

export async function runStorm(url: string, spec: StormSpec, checkpoint: Checkpoint): Promise<StormResult> {
  const crowd = new Crowd(url, spec.clients, spec.concurrency, {});
  await checkpoint('measure-start');
  const cpuStart = process.cpuUsage();
  const t0 = performance.now();
  crowd.start();
  await waitFor('the storm to settle', () => crowd.settled(), spec.timeoutMs, 1);
  const allConnectedMs = performance.now() - t0;
  const generatorCpu = cpuPercent(cpuStart, allConnectedMs);
  await checkpoint('measure-end');
  return {
    kind: 'storm',
    spec,
    allLoggedInMs: Math.round(crowd.allLoggedInAt - t0),
    allConnectedMs: Math.round(allConnectedMs),
    connectedDeliveries: crowd.connectedDeliveries,
    expectedConnectedDeliveries: joinBroadcasts(crowd.authorized),
    failedConnections: crowd.failed,
    cpu: { server: 0, generator: generatorCpu },
  };
}

export async function runIdle(url: string, spec: IdleSpec, checkpoint: Checkpoint): Promise<IdleResult> {
  const crowd = new Crowd(url, spec.clients, spec.concurrency, {});
  crowd.start();
  await waitFor('every idle client to join', () => crowd.settled(), spec.timeoutMs, 10);
  await checkpoint('all-idle');
  return {
    kind: 'idle',
    spec,
    clients: crowd.authorized - crowd.closedByServer,
    rssBeforeKiB: 0,
    rssAfterKiB: 0,
    rssPerConnectionKiB: 0,
    heapPerConnectionKiB: null,
    failedConnections: crowd.failed,
  };
}
