import Database from 'better-sqlite3';
import type { Database as SqliteDatabase } from 'better-sqlite3';
import { QUOTE_MARK } from './message-store';

/*
 * Opening a SimpleChat database: the lock that keeps a second server off it, the checks
 * that it is ours and not from a newer version, and the forward migrations. Every way
 * this can fail becomes one sentence (DatabaseOpenError) and leaves the file as it was.
 */

/** 'SChT' in PRAGMA application_id: marks a file as SimpleChat's. */
export const APPLICATION_ID = 0x53436854;

/** True for a reply's row (its payload holds QUOTE_MARK, see message-store.ts). */
export const IS_REPLY_SQL = `instr(payload, '${QUOTE_MARK}') > 0`;
/** The id a reply's row quotes: the digits after QUOTE_MARK (CAST reads a leading integer). */
export const REPLY_TO_SQL = `CAST(substr(payload, instr(payload, '${QUOTE_MARK}') + ${QUOTE_MARK.length}) AS INTEGER)`;

/**
 * MIGRATIONS[n] takes a database from schema version n to n + 1 (PRAGMA user_version),
 * each in its own transaction. Only ever append to this list.
 */
const MIGRATIONS: readonly string[] = [
  `CREATE TABLE lines (
     message_id INTEGER PRIMARY KEY,
     room TEXT NOT NULL,
     sent_at INTEGER NOT NULL,
     author_session TEXT NOT NULL,
     payload TEXT NOT NULL
   );
   CREATE INDEX lines_by_room ON lines (room, message_id);
   CREATE INDEX lines_by_time ON lines (sent_at);
   CREATE TABLE sessions (
     token TEXT PRIMARY KEY,
     user_id INTEGER NOT NULL,
     user_name TEXT NOT NULL,
     gender INTEGER NOT NULL,
     user_color TEXT NOT NULL,
     acked_seq INTEGER NOT NULL
   ) WITHOUT ROWID;
   CREATE TABLE counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;`,
  // 1 → 2: age pruning walks the oldest ids (ids rise with time); a time index cost every insert.
  'DROP INDEX IF EXISTS lines_by_time;',
  // Rooms besides the lobby: their lines are in `lines` under `name`.
  `CREATE TABLE rooms (
     folded TEXT PRIMARY KEY,
     name TEXT NOT NULL,
     key_hash TEXT,
     created_at INTEGER NOT NULL
   ) WITHOUT ROWID;`,
  // Lasting identities (only a hash of each secret) and the private lines still waiting for their recipient.
  `CREATE TABLE identities (
     hash TEXT PRIMARY KEY,
     user_id INTEGER NOT NULL UNIQUE,
     user_name TEXT NOT NULL,
     last_seen INTEGER NOT NULL
   ) WITHOUT ROWID;
   CREATE TABLE private_waiting (
     message_id INTEGER PRIMARY KEY,
     to_user_id INTEGER NOT NULL
   );`,
  // Uploaded files (the bytes are in the files folder under file_id); scope: where it was sent, NULL until then.
  `CREATE TABLE files (
     file_id TEXT PRIMARY KEY,
     name TEXT NOT NULL,
     size INTEGER NOT NULL,
     type TEXT NOT NULL,
     width INTEGER,
     height INTEGER,
     sha256 TEXT NOT NULL,
     owner TEXT NOT NULL,
     uploaded_at INTEGER NOT NULL,
     scope TEXT
   ) WITHOUT ROWID;`,
  // Replies by the line they quote, so a deletion finds them at once; the expression is REPLY_TO_SQL's.
  `CREATE INDEX lines_by_quote ON lines (${REPLY_TO_SQL}) WHERE ${IS_REPLY_SQL};`,
];

export const SCHEMA_VERSION = MIGRATIONS.length;

/** A database that cannot be used; `message` is one sentence for the operator. */
export class DatabaseOpenError extends Error {
  override readonly name = 'DatabaseOpenError';
}

export interface OpenedDatabase {
  readonly db: SqliteDatabase;
  /** Held for as long as the server runs: a second server on the same file is refused. */
  readonly lock: SqliteDatabase;
  /** The file was created (or was empty) just now. */
  readonly created: boolean;
}

function reason(error: unknown): string {
  const code = (error as { code?: unknown }).code;
  const message = (error as Error).message;
  switch (code) {
    case 'SQLITE_NOTADB':
      return 'is not a SQLite database (left untouched)';
    case 'SQLITE_BUSY':
    case 'SQLITE_LOCKED':
      return 'is in use by another SimpleChat server';
    case 'SQLITE_CANTOPEN':
      return 'cannot be opened or created (check the folder and its permissions)';
    case 'SQLITE_READONLY':
    case 'SQLITE_PERM':
    case 'SQLITE_AUTH':
      return 'may not be written (read-only file or file system)';
    case 'SQLITE_CORRUPT':
      return 'is damaged (left untouched; restore a backup)';
    default:
      if (/directory does not exist/i.test(message)) return 'cannot be created: its folder does not exist';
      return `cannot be used: ${message}`;
  }
}

function fail(path: string, error: unknown): never {
  if (error instanceof DatabaseOpenError) throw error;
  throw new DatabaseOpenError(`The database ${path} ${reason(error)}.`, { cause: error });
}

/**
 * Takes the lock beside the database (`<path>.lock`, a tiny SQLite file held in EXCLUSIVE
 * locking mode). The kernel lets it go when the process dies, even by SIGKILL, so a crash
 * never leaves a stale lock; and the database itself stays readable for a backup.
 */
function takeLock(path: string, nativeBinding: string | undefined): SqliteDatabase {
  let lock: SqliteDatabase | null = null;
  try {
    lock = new Database(`${path}.lock`, { timeout: 0, nativeBinding });
    lock.pragma('locking_mode = EXCLUSIVE');
    lock.exec('BEGIN EXCLUSIVE; COMMIT');
    return lock;
  } catch (error) {
    lock?.close();
    if ((error as { code?: unknown }).code === 'SQLITE_BUSY') {
      throw new DatabaseOpenError(`The database ${path} is in use by another SimpleChat server (its lock ${path}.lock is held).`, { cause: error });
    }
    fail(path, error);
  }
}

function tableNames(db: SqliteDatabase): string[] {
  return (db.prepare("SELECT name FROM sqlite_schema WHERE type = 'table'").all() as Array<{ name: string }>).map((row) => row.name);
}

/**
 * Opens (creating) the database at `path` for this server alone, brought up to
 * SCHEMA_VERSION. Throws DatabaseOpenError, with the file untouched, when it cannot be
 * opened, is not a SQLite file, is another program's, is newer than this server, or is
 * held by another server.
 */
export function openDatabase(path: string, nativeBinding?: string): OpenedDatabase {
  const lock = takeLock(path, nativeBinding);
  let db: SqliteDatabase | null = null;
  try {
    db = new Database(path, { timeout: 1_000, nativeBinding });
    // Reading the header first: a file that is not ours is refused before anything is written.
    const version = db.pragma('user_version', { simple: true }) as number;
    const applicationId = db.pragma('application_id', { simple: true }) as number;
    const tables = tableNames(db);
    if (applicationId !== APPLICATION_ID && (version !== 0 || tables.length > 0)) {
      throw new DatabaseOpenError(`The database ${path} belongs to another program (left untouched).`);
    }
    if (version > SCHEMA_VERSION) {
      throw new DatabaseOpenError(
        `The database ${path} was written by a newer SimpleChat (schema version ${version}; this server knows up to ${SCHEMA_VERSION}); left untouched.`,
      );
    }
    const mode = db.pragma('journal_mode = WAL', { simple: true });
    if (mode !== 'wal') throw new DatabaseOpenError(`The database ${path} cannot use write-ahead logging (journal mode ${String(mode)}).`);
    // With WAL a commit is safe from a crash of the process without an fsync; a power cut may lose the last moments.
    db.pragma('synchronous = NORMAL');
    for (let v = version; v < SCHEMA_VERSION; v++) {
      const step = MIGRATIONS[v]!;
      const opened = db;
      opened.transaction(() => {
        opened.exec(step);
        opened.pragma(`application_id = ${APPLICATION_ID}`);
        opened.pragma(`user_version = ${v + 1}`);
      })();
    }
    return { db, lock, created: version === 0 };
  } catch (error) {
    db?.close();
    lock.close();
    fail(path, error);
  }
}
