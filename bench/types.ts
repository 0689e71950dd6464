/** What the orchestrator (run.ts), the load generator and the report share. */
import type { LatencySummary } from './load/histogram';

/** `simplechat-db`: the real server with `--db` (a fresh SQLite file per run). */
export type TargetName = 'simplechat' | 'simplechat-db' | 'yardstick';

export interface FanoutSpec {
  kind: 'fanout';
  clients: number;
  senders: number;
  /** `flat`: as fast as the in-flight window allows; `rate`: a fixed rate per sender. */
  mode: 'flat' | 'rate';
  /** Unanswered messages each sender may have out (flat mode). */
  window: number;
  /** Messages per second per sender (rate mode). */
  ratePerSender: number;
  /**
   * Issue 13: the clients are split into this many rooms (client i joins room `r<i mod rooms>`)
   * and each sender talks in its own room; `clients` must be a multiple of it. Absent: one room, the lobby.
   */
  rooms?: number;
  warmupMs: number;
  measureMs: number;
  /** How long to wait after the last send for every delivery to arrive. */
  drainTimeoutMs: number;
  connectConcurrency: number;
}

export interface StormSpec {
  kind: 'storm';
  clients: number;
  /** Handshakes not yet answered by `Authorized`, at most. */
  concurrency: number;
  timeoutMs: number;
}

export interface IdleSpec {
  kind: 'idle';
  clients: number;
  concurrency: number;
  timeoutMs: number;
}

export type LoadSpec = FanoutSpec | StormSpec | IdleSpec;

export interface CpuShare {
  /** Percent of one core over the measured window. */
  server: number;
  generator: number;
}

export interface FanoutResult {
  kind: 'fanout';
  spec: FanoutSpec;
  measuredMs: number;
  /** Messages the senders sent over the whole run (warm-up included). */
  sent: number;
  /** Deliveries received inside the measured window. */
  deliveries: number;
  deliveriesPerSec: number;
  latency: LatencySummary;
  /** Deliveries expected (sent × clients) that never arrived before the drain timeout. */
  lost: number;
  /** Deliveries that arrived out of order or twice. */
  disordered: number;
  /** `Error` messages the server sent (e.g. rate-limited). */
  serverErrors: number;
  /** Clients the server closed during the run. */
  closedByServer: number;
  cpu: CpuShare;
}

export interface StormResult {
  kind: 'storm';
  spec: StormSpec;
  /** From the first connect until the last client got `Authorized`. */
  allLoggedInMs: number;
  /** From the first connect until every `Connected` broadcast reached every client online. */
  allConnectedMs: number;
  connectedDeliveries: number;
  expectedConnectedDeliveries: number;
  failedConnections: number;
  cpu: CpuShare;
}

export interface IdleResult {
  kind: 'idle';
  spec: IdleSpec;
  clients: number;
  rssBeforeKiB: number;
  rssAfterKiB: number;
  rssPerConnectionKiB: number;
  /** V8 heap (used) per connection, when the server's heap could be read. */
  heapPerConnectionKiB: number | null;
  failedConnections: number;
}

export type LoadResult = FanoutResult | StormResult | IdleResult;

// ---- generator ↔ orchestrator messages (child_process IPC) ------------------

export type ToGenerator =
  | { type: 'run'; url: string; spec: LoadSpec }
  /** Answers a `checkpoint`. */
  | { type: 'continue' };

export type FromGenerator =
  /** The orchestrator should act (read the server's CPU or memory) and answer `continue`. */
  | { type: 'checkpoint'; name: CheckpointName }
  | { type: 'result'; result: LoadResult }
  | { type: 'failed'; message: string };

export type CheckpointName = 'measure-start' | 'measure-end' | 'all-idle';

// ---- the UI bench (Chromium) ----------------------------------------------------

export interface LongTaskSummary {
  count: number;
  maxMs: number;
  totalMs: number;
}

/** Where the page's main thread spent a phase (Chromium's counters). */
export interface MainThreadWork {
  scriptMs: number;
  styleMs: number;
  layoutMs: number;
  layouts: number;
}

export interface FirstLoadRun {
  /** Navigation start → the connect dialog's Connect button visible and enabled. */
  usableMs: number;
  /** On the wire, headers included, for a cold cache. */
  bytes: number;
  requests: number;
  reloadUsableMs: number;
  reloadBytes: number;
  /** Requests the reload got a 304 for. */
  reloadNotModified: number;
}

export interface FirstLoadResult {
  runs: number;
  unthrottled: FirstLoadRun[];
  /** Chromium's CPU throttled 4× (Emulation.setCPUThrottlingRate), a phone stand-in. */
  throttled4x: FirstLoadRun[];
  medians: { bytes: number; usableMs: number; usableMs4x: number; reloadBytes: number };
}

export interface UiResult {
  /** A guest's first load of the hosted room's page, from the real server. */
  firstLoad?: FirstLoadResult;
  /** Lines appended at a steady rate. */
  append: {
    lines: number;
    linesPerSec: number;
    durationMs: number;
    longTasks: LongTaskSummary;
    /** Longest gap between two animation frames while appending. */
    maxFrameGapMs: number;
    mainThread: MainThreadWork;
  };
  /** Lines pushed as fast as the page takes them, 1000 at a time, each batch until its frame is painted. */
  burst: {
    lines: number;
    msPer1000Lines: number;
    maxMsPer1000Lines: number;
    mainThread: MainThreadWork;
  };
  scroll: {
    lines: number;
    /** Lines the log holds after 100 000 were pushed (less if it caps its history). */
    linesKept: number | null;
    steps: number;
    /** Most `.line` elements in the log's DOM after any step (a virtual list keeps this small). */
    maxLinesInDom: number;
    durationMs: number;
    longTasks: LongTaskSummary;
    maxFrameGapMs: number;
    mainThread: MainThreadWork;
  };
  heap: {
    /** JS heap used after a forced GC: page loaded, after the append, after the 100 000-line log. */
    baselineMiB: number;
    afterAppendMiB: number;
    afterScrollLogMiB: number;
  };
  /** More lines after the scroll, past the log's cap: does the heap stay where it was? (Not in earlier results.) */
  pastCap?: {
    /** Lines appended in all, from the start. */
    lines: number;
    linesKept: number | null;
    heapMiB: number;
  };
  /** What is measured: the page and its chat-log component as found. */
  page: string;
}
