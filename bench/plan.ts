/**
 * What a run measures: the scenarios of issue 5 at full or quick size, the servers
 * they run against, and the targets the full-size figures are held to.
 */
import type { FanoutSpec, IdleSpec, LoadSpec, StormSpec, TargetName } from './types';

export interface Scenario {
  id: string;
  title: string;
  spec: LoadSpec;
}

export interface ServerTarget {
  name: TargetName;
  label: string;
  /** The built script, relative to the repository root. */
  script: string;
  args: string[];
}

/**
 * The real server with its limits on, set wide enough for the bench: the flat-out
 * senders need a message rate far above a person's (at most ~2 000/s per sender
 * here; the limit is set 50× above that). Loopback is exempt from the per-IP limit
 * by default; the total (10 000), the slow-consumer limit (1 MiB), the heartbeat
 * and validation keep their defaults.
 */
export const SIMPLECHAT: ServerTarget = {
  name: 'simplechat',
  label: 'SimpleChat',
  script: 'dist/server/cli.js',
  args: ['--host', '127.0.0.1', '--port', '0', '--rate-burst', '10000', '--rate-per-second', '100000'],
};

/**
 * The same server keeping every line in SQLite (`--db`, a fresh file per run); for the
 * connect storm the file already holds a room's history, so every newcomer gets 50 lines.
 */
export const SIMPLECHAT_DB: ServerTarget = {
  name: 'simplechat-db',
  label: 'SimpleChat --db',
  script: SIMPLECHAT.script,
  args: SIMPLECHAT.args,
};

/** The scenarios the --db server runs (idle memory would only measure the same sockets again). */
export const DB_KINDS: ReadonlySet<LoadSpec['kind']> = new Set(['fanout', 'storm']);

/** Lines in the database before a storm: the history on join (50) and some. */
export const STORM_HISTORY_LINES = 200;

export const YARDSTICK: ServerTarget = {
  name: 'yardstick',
  label: 'yardstick',
  script: 'dist/bench/yardstick-server.js',
  args: ['--host', '127.0.0.1', '--port', '0'],
};

interface Sizes {
  fanout: Array<{ clients: number; senders: number }>;
  flatWindow: number;
  /** Fixed-rate runs send this many messages per second in all (spread over the senders). */
  fixedRateMessagesPerSec: (clients: number) => number;
  warmupMs: number;
  measureMs: number;
  storm: number;
  idle: number[];
  /** Issue 13: this many clients in rooms of `roomSize`, every one talking. */
  rooms: { clients: number; roomSize: number };
}

const FULL: Sizes = {
  fanout: [
    { clients: 100, senders: 10 },
    { clients: 1000, senders: 5 },
  ],
  flatWindow: 8,
  // About 100 000 deliveries/s: a busy room, well under the machine's limit.
  fixedRateMessagesPerSec: (clients) => Math.round(100_000 / clients),
  warmupMs: 1_000,
  measureMs: 5_000,
  storm: 2_000,
  idle: [1_000, 5_000],
  rooms: { clients: 1000, roomSize: 10 },
};

const QUICK: Sizes = {
  fanout: [
    { clients: 20, senders: 4 },
    { clients: 60, senders: 3 },
  ],
  flatWindow: 16,
  fixedRateMessagesPerSec: (clients) => Math.round(20_000 / clients),
  warmupMs: 150,
  measureMs: 500,
  storm: 200,
  idle: [200],
  rooms: { clients: 60, roomSize: 10 },
};

/** Overrides from the command line, for exploring (the defaults are what the doc reports). */
export interface PlanOverrides {
  window?: number;
  measureMs?: number;
}

/** `rooms-100x10`: the rooms scenario's id. */
export function roomsScenarioId(rooms: number, roomSize: number): string {
  return `rooms-${rooms}x${roomSize}`;
}

/** The one-room run a rooms run is held to: the same clients, the same deliveries a second. */
export function oneRoomBaselineId(clients: number): string {
  return `fanout-${clients}-rate`;
}

export function scenarios(quick: boolean, overrides: PlanOverrides = {}): Scenario[] {
  const sizes = quick ? QUICK : FULL;
  const list: Scenario[] = [];
  for (const mode of ['flat', 'rate'] as const) {
    for (const { clients, senders } of sizes.fanout) {
      const spec: FanoutSpec = {
        kind: 'fanout',
        clients,
        senders,
        mode,
        window: overrides.window ?? sizes.flatWindow,
        ratePerSender: Math.max(1, Math.round(sizes.fixedRateMessagesPerSec(clients) / senders)),
        warmupMs: sizes.warmupMs,
        measureMs: overrides.measureMs ?? sizes.measureMs,
        drainTimeoutMs: 5_000,
        connectConcurrency: 100,
      };
      const how = mode === 'flat' ? 'flat out' : `${spec.ratePerSender * senders} msg/s`;
      list.push({ id: `fanout-${clients}-${mode}`, title: `fan-out ${clients} clients / ${senders} senders, ${how}`, spec });
    }
  }
  {
    // The same deliveries a second as the one-room run at this size (fanout-N-rate), spread over
    // N/roomSize rooms with every client talking: what a delivery costs is held to that run's.
    const { clients, roomSize } = sizes.rooms;
    const rooms = clients / roomSize;
    const deliveriesPerSec = sizes.fixedRateMessagesPerSec(clients) * clients;
    const spec: FanoutSpec = {
      kind: 'fanout',
      clients,
      senders: clients,
      mode: 'rate',
      window: sizes.flatWindow,
      ratePerSender: Math.max(1, Math.round(deliveriesPerSec / roomSize / clients)),
      rooms,
      warmupMs: sizes.warmupMs,
      measureMs: overrides.measureMs ?? sizes.measureMs,
      drainTimeoutMs: 5_000,
      connectConcurrency: 100,
    };
    const id = roomsScenarioId(rooms, roomSize);
    list.push({ id, title: `rooms: ${rooms} × ${roomSize} clients, all talking, ${spec.ratePerSender * clients} msg/s`, spec });
  }
  const storm: StormSpec = { kind: 'storm', clients: sizes.storm, concurrency: 100, timeoutMs: 120_000 };
  list.push({ id: `storm-${sizes.storm}`, title: `connect storm, ${sizes.storm} clients (100 at a time)`, spec: storm });
  for (const clients of sizes.idle) {
    const idle: IdleSpec = { kind: 'idle', clients, concurrency: 100, timeoutMs: 300_000 };
    list.push({ id: `idle-${clients}`, title: `idle memory, ${clients} clients`, spec: idle });
  }
  return list;
}
