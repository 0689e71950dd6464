import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type { Database as SqliteDatabase } from 'better-sqlite3';

/*
 * WAL checkpoints off the chat's thread. SQLite checkpoints from inside a commit once
 * the log passes 1000 pages: the commit then copies megabytes into the database and
 * waits for the disk, and every frame of that tick waits with it (flat out at 100
 * clients, deliveries with --db fell from 95% to 80% of the memory store's, the worst
 * latency tripled). So the server's connection never checkpoints; a worker thread with
 * a connection of its own runs a PASSIVE checkpoint (it never blocks the writer) every
 * `CHECKPOINT_INTERVAL_MS`. Where no worker can start, the connection checkpoints
 * itself as SQLite would.
 */

/** How often the worker folds the write-ahead log into the database. */
export const CHECKPOINT_INTERVAL_MS = 1_000;

// CommonJS, evaluated in the worker: it needs nothing but better-sqlite3, whose path it is given.
const WORKER_SOURCE = `
const { workerData, parentPort } = require('node:worker_threads');
let db = null;
let timer = null;
const failed = (error) => parentPort.postMessage({ failed: String(error && error.message) });
const checkpoint = () => {
  try { db.pragma('wal_checkpoint(PASSIVE)'); } catch (error) { failed(error); }
};
try {
  const Database = require(workerData.modulePath);
  db = new Database(workerData.path, { fileMustExist: true, timeout: 1000, nativeBinding: workerData.nativeBinding });
  timer = setInterval(checkpoint, workerData.intervalMs);
} catch (error) {
  failed(error);
}
parentPort.on('message', () => {
  if (timer !== null) clearInterval(timer);
  if (db !== null) { checkpoint(); db.close(); }
  parentPort.close();
});
`;

export interface Checkpointer {
  /** Stops the worker after a last checkpoint; resolves once it is gone. */
  stop(): Promise<void>;
}

/**
 * Starts checkpointing `path` (opened as `db`) in a worker. On any failure to start or
 * later, `db` goes back to checkpointing itself and `log` hears of it once.
 */
export function startCheckpointer(
  db: SqliteDatabase,
  path: string,
  nativeBinding: string | undefined,
  log: (line: string) => void,
  intervalMs = CHECKPOINT_INTERVAL_MS,
): Checkpointer {
  let worker: Worker;
  try {
    const modulePath = createRequire(import.meta.url).resolve('better-sqlite3');
    worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { modulePath, path, nativeBinding, intervalMs } });
  } catch (error) {
    log(`database ${path}: checkpoints stay in the server's thread (${(error as Error).message})`);
    return { stop: () => Promise.resolve() };
  }
  db.pragma('wal_autocheckpoint = 0');
  let selfCheckpointing = false;
  let stopping = false;
  const fallBack = (why: string): void => {
    // Once the server closes its connection, nothing is left to fall back to.
    if (selfCheckpointing || stopping || !db.open) return;
    selfCheckpointing = true;
    db.pragma('wal_autocheckpoint = 1000');
    log(`database ${path}: checkpoints back in the server's thread (${why})`);
  };
  worker.on('message', (message: { failed?: string }) => {
    if (message.failed !== undefined) fallBack(message.failed);
  });
  worker.on('error', (error) => fallBack(error.message));
  worker.unref();
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  return {
    stop: () => {
      stopping = true;
      worker.postMessage('stop');
      return exited;
    },
  };
}
