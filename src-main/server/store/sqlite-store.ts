import type { Database as SqliteDatabase, Statement } from 'better-sqlite3';
import type { AckedMark, DurableState, IdentityJournal, KeptState, SavedIdentity, SavedSession, SessionJournal, WaitingLine } from './durable-state';
import { idFloor, quotedIdOf } from './message-store';
import type { LinePage, MessageStore, StoredLine } from './message-store';
import type { RoomStore, SavedRoom } from './room-store';
import type { FileRecord, FileRecordStore } from '../files/file-records';
import { IS_REPLY_SQL, REPLY_TO_SQL, openDatabase } from './sqlite-schema';
import { startCheckpointer } from './sqlite-checkpointer';
import type { Checkpointer } from './sqlite-checkpointer';

/*
 * The server's durable state in one SQLite file (`--db`): the lines of every room (and,
 * later, of private dialogs: a dialog is one more `room` value), the sessions and the
 * counters. Appends and records are buffered and written in ONE transaction per flush
 * tick, before the tick's frames go out, so a line anyone saw survives kill -9. When a
 * write fails (disk full, an I/O error) it is logged once, chat goes on from memory, and
 * the same transaction is tried again a little later: what was stored stays stored.
 */

export interface SqliteStateOptions {
  /** Lines kept in the database (all rooms together); the oldest are pruned past it. */
  historyMaxLines: number;
  /** Lines older than this many days are pruned. */
  historyMaxDays: number;
  log: (line: string) => void;
  /** The better-sqlite3 addon to load (Electron's build in the desktop app); default: the package's own. */
  nativeBinding?: string;
  /** Rows deleted per pruning step; steps are spread over event-loop turns. */
  pruneBatch?: number;
  /** How often pruning starts (ms); 0: only when `prune` is called. */
  pruneIntervalMs?: number;
  /** Tests: called inside each write transaction; throwing makes the write fail as a full disk would. */
  writeFault?: () => void;
}

export const DEFAULT_PRUNE_BATCH = 500;
export const DEFAULT_PRUNE_INTERVAL_MS = 60_000;
/** After a failed write the transaction is tried again this soon. */
const RETRY_MS = 1_000;
/** Records with no socket write to ride on (a session expiring in an empty room) go out this soon. */
const LAZY_WRITE_MS = 50;
const DAY_MS = 86_400_000;
/** Lines per multi-row insert (5 parameters each, far below SQLite's limit of 32 766). */
const INSERT_CHUNK = 16;

interface LineRow {
  message_id: number;
  room: string;
  sent_at: number;
  author_session: string;
  payload: string;
}

function lineOf(row: LineRow): StoredLine {
  return { messageId: row.message_id, room: row.room, sentAt: row.sent_at, authorSession: row.author_session, payload: row.payload };
}

function errorText(error: unknown): string {
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' ? `${(error as Error).message} (${code})` : String((error as Error).message ?? error);
}

/** The lines: the stored ones in the database, the newest ones (not yet written) in memory. */
export class SqliteMessageStore implements MessageStore {
  /** Accepted, not yet committed; ids ascending, all above every stored id. */
  private pending: StoredLine[] = [];
  private readonly pendingById = new Map<number, StoredLine>();
  /** Changed lines that are already stored, waiting for the next write. */
  private readonly replaced = new Map<number, StoredLine>();
  private last: number;
  /** Rows in the table (for the line limit). */
  private stored: number;
  private readonly statements: {
    insert: Statement;
    insertChunk: Statement;
    update: Statement;
    before: Statement;
    after: Statement;
    olderExists: Statement;
    get: Statement;
    repliesTo: Statement;
  };

  /** The highest id in the table or waiting for it: a line must come above it. */
  private newestAppended: number;

  constructor(
    db: SqliteDatabase,
    private readonly state: SqliteState,
  ) {
    const max = (db.prepare('SELECT max(message_id) AS id FROM lines').get() as { id: number | null }).id ?? 0;
    const counted = db.prepare("SELECT value FROM counters WHERE name = 'last_message_id'").get() as { value: number } | undefined;
    this.last = Math.max(max, counted?.value ?? 0, idFloor() - 1);
    this.newestAppended = max;
    this.stored = (db.prepare('SELECT count(*) AS n FROM lines').get() as { n: number }).n;
    const columns = 'message_id, room, sent_at, author_session, payload';
    this.statements = {
      // A plain insert (OR REPLACE cost a fifth more per line): `append` keeps ids rising, so none is there yet.
      insert: db.prepare(`INSERT INTO lines (${columns}) VALUES (?, ?, ?, ?, ?)`),
      // One statement for a run of lines: a busy tick pays the per-statement cost once per chunk.
      insertChunk: db.prepare(`INSERT INTO lines (${columns}) VALUES ${Array(INSERT_CHUNK).fill('(?, ?, ?, ?, ?)').join(', ')}`),
      update: db.prepare('UPDATE lines SET room = ?, sent_at = ?, author_session = ?, payload = ? WHERE message_id = ?'),
      before: db.prepare(`SELECT ${columns} FROM lines WHERE room = ? AND message_id < ? ORDER BY message_id DESC LIMIT ?`),
      after: db.prepare(`SELECT ${columns} FROM lines WHERE room = ? AND message_id > ? ORDER BY message_id DESC LIMIT ?`),
      olderExists: db.prepare('SELECT 1 FROM lines WHERE room = ? AND message_id < ? LIMIT 1'),
      get: db.prepare(`SELECT ${columns} FROM lines WHERE message_id = ?`),
      // Both conditions as the index lines_by_quote has them, so SQLite reads the index only.
      repliesTo: db.prepare(`SELECT ${columns} FROM lines WHERE ${REPLY_TO_SQL} = ? AND ${IS_REPLY_SQL} ORDER BY message_id`),
    };
  }

  get lastMessageId(): number {
    return this.last;
  }

  /** Lines accepted and not yet committed. */
  get unwritten(): number {
    return this.pending.length;
  }

  /** Rows in the database. */
  get storedCount(): number {
    return this.stored;
  }

  nextMessageId(): number {
    this.last += 1;
    return this.last;
  }

  append(line: StoredLine): void {
    if (line.messageId > this.last) this.last = line.messageId;
    if (line.messageId <= this.newestAppended) throw new Error(`line ${line.messageId} is not newer than the last one stored`);
    this.newestAppended = line.messageId;
    this.pending.push(line);
    this.pendingById.set(line.messageId, line);
    this.state.changed();
  }

  replace(line: StoredLine): void {
    const waiting = this.pendingById.get(line.messageId);
    if (waiting !== undefined) {
      this.pending[this.pending.indexOf(waiting)] = line;
      this.pendingById.set(line.messageId, line);
      return;
    }
    if (this.get(line.messageId) === undefined) return;
    this.replaced.set(line.messageId, line);
    this.state.changed();
  }

  before(room: string, before: number, limit: number): LinePage {
    const newestFirst: StoredLine[] = [];
    for (let i = this.pending.length - 1; i >= 0 && newestFirst.length <= limit; i--) {
      const line = this.pending[i]!;
      if (line.room === room && line.messageId < before) newestFirst.push(line);
    }
    if (newestFirst.length <= limit) {
      const from = Math.min(before, this.pending[0]?.messageId ?? before);
      for (const row of this.rows(this.statements.before, room, from, limit + 1 - newestFirst.length)) newestFirst.push(this.overlay(row));
    }
    const hasMore = newestFirst.length > limit;
    return { lines: newestFirst.slice(0, limit).reverse(), hasMore };
  }

  after(room: string, after: number, limit: number): LinePage {
    const newestFirst: StoredLine[] = [];
    for (let i = this.pending.length - 1; i >= 0 && newestFirst.length < limit; i--) {
      const line = this.pending[i]!;
      if (line.messageId <= after) break;
      if (line.room === room) newestFirst.push(line);
    }
    if (newestFirst.length < limit) {
      for (const row of this.rows(this.statements.after, room, after, limit - newestFirst.length)) newestFirst.push(this.overlay(row));
    }
    const oldest = newestFirst.at(-1)?.messageId ?? Number.MAX_SAFE_INTEGER;
    return { lines: newestFirst.reverse(), hasMore: this.hasLineBefore(room, oldest) };
  }

  get(messageId: number): StoredLine | undefined {
    const waiting = this.pendingById.get(messageId) ?? this.replaced.get(messageId);
    if (waiting !== undefined) return waiting;
    const row = this.rows(this.statements.get, messageId)[0];
    return row === undefined ? undefined : lineOf(row);
  }

  repliesTo(messageId: number): readonly StoredLine[] {
    const replies = this.rows(this.statements.repliesTo, messageId).map((row) => this.overlay(row));
    for (const line of this.pending) if (quotedIdOf(line.payload) === messageId) replies.push(line);
    return replies;
  }

  /** Writes what is pending (with the sessions' records: one transaction). */
  flush(): void {
    this.state.flush();
  }

  close(): void {
    this.state.close();
  }

  /** Inside the write transaction. */
  writePending(): void {
    const { insert, insertChunk, update } = this.statements;
    const pending = this.pending;
    let i = 0;
    if (pending.length >= INSERT_CHUNK) {
      const values: Array<number | string> = new Array(INSERT_CHUNK * 5);
      for (; i + INSERT_CHUNK <= pending.length; i += INSERT_CHUNK) {
        for (let k = 0; k < INSERT_CHUNK; k++) {
          const l = pending[i + k]!;
          values[k * 5] = l.messageId;
          values[k * 5 + 1] = l.room;
          values[k * 5 + 2] = l.sentAt;
          values[k * 5 + 3] = l.authorSession;
          values[k * 5 + 4] = l.payload;
        }
        insertChunk.run(values);
      }
    }
    for (; i < pending.length; i++) {
      const l = pending[i]!;
      insert.run(l.messageId, l.room, l.sentAt, l.authorSession, l.payload);
    }
    for (const l of this.replaced.values()) update.run(l.room, l.sentAt, l.authorSession, l.payload, l.messageId);
  }

  /** After the write transaction committed. */
  written(): void {
    this.stored += this.pending.length;
    this.pending = [];
    this.pendingById.clear();
    this.replaced.clear();
  }

  get dirty(): boolean {
    return this.pending.length > 0 || this.replaced.size > 0;
  }

  /** While writes fail, memory holds at most `max` unwritten lines: the oldest of them go first. */
  dropOldestUnwritten(max: number): number {
    const excess = this.pending.length - max;
    if (excess <= 0) return 0;
    for (const line of this.pending.splice(0, excess)) this.pendingById.delete(line.messageId);
    return excess;
  }

  deletedRows(count: number): void {
    this.stored = Math.max(0, this.stored - count);
  }

  private hasLineBefore(room: string, messageId: number): boolean {
    for (const line of this.pending) {
      if (line.messageId >= messageId) break;
      if (line.room === room) return true;
    }
    return this.rows(this.statements.olderExists, room, messageId).length > 0;
  }

  private overlay(row: LineRow): StoredLine {
    return this.replaced.get(row.message_id) ?? lineOf(row);
  }

  /** A read that fails (an I/O error) serves what memory has: the room goes on. */
  private rows(statement: Statement, ...params: unknown[]): LineRow[] {
    try {
      const rows = statement.all(...params) as LineRow[];
      this.state.readFailing = false;
      return rows;
    } catch (error) {
      this.state.readFailed(error);
      return [];
    }
  }
}

/** Both halves of the durable state over one database, written in one transaction per flush. */
export class SqliteState implements DurableState, SessionJournal, RoomStore, IdentityJournal {
  readonly messages: SqliteMessageStore;
  readonly kept: KeptState;
  readonly rooms: RoomStore = this;
  readonly saved: readonly SavedRoom[];
  readonly sessions: SessionJournal = this;
  readonly identities: IdentityJournal = this;
  /** The uploaded files' records (the `files` table), written with the next flush like every record. */
  readonly files: FileRecordStore;
  /** The database was created by this start (nothing was in it). */
  readonly created: boolean;
  private readonly db: SqliteDatabase;
  private readonly checkpointer: Checkpointer;
  private readonly lock: SqliteDatabase;
  /** Session records, in order, as statements to run in the next write. */
  private records: Array<() => void> = [];
  private failing = false;
  private retryAt = 0;
  private timer: NodeJS.Timeout | null = null;
  private pruneTimer: NodeJS.Timeout | null = null;
  /** The pruning under way. */
  private pruning: Promise<number> | null = null;
  private closed = false;
  private readonly write: () => void;
  private readonly pruneInTransaction: (run: () => number) => number;
  private readonly statements: {
    putSession: Statement;
    endSession: Statement;
    acked: Statement;
    putCounter: Statement;
    pruneOld: Statement;
    pruneOldest: Statement;
    putRoom: Statement;
    removeRoom: Statement;
    putIdentity: Statement;
    forgetIdentity: Statement;
    putWaiting: Statement;
    endWaiting: Statement;
  };
  private readonly pruneBatch: number;

  /** Opens the database (see openDatabase: throws DatabaseOpenError with one sentence). */
  constructor(
    readonly path: string,
    private readonly options: SqliteStateOptions,
  ) {
    const opened = openDatabase(path, options.nativeBinding);
    this.db = opened.db;
    this.lock = opened.lock;
    this.created = opened.created;
    this.checkpointer = startCheckpointer(this.db, path, options.nativeBinding, options.log);
    const db = this.db;
    this.statements = {
      putSession: db.prepare(
        'INSERT OR REPLACE INTO sessions (token, user_id, user_name, gender, user_color, acked_seq) VALUES (?, ?, ?, ?, ?, ?)',
      ),
      endSession: db.prepare('DELETE FROM sessions WHERE token = ?'),
      acked: db.prepare('UPDATE sessions SET acked_seq = ? WHERE token = ?'),
      putCounter: db.prepare('INSERT OR REPLACE INTO counters (name, value) VALUES (?, ?)'),
      // Ids rise in the order lines were accepted, so the oldest by id are the oldest by time:
      // no index on sent_at to keep up on every insert.
      pruneOld: db.prepare(
        'DELETE FROM lines WHERE message_id IN (SELECT message_id FROM (SELECT message_id, sent_at FROM lines ORDER BY message_id LIMIT ?) WHERE sent_at < ?)',
      ),
      pruneOldest: db.prepare('DELETE FROM lines WHERE message_id IN (SELECT message_id FROM lines ORDER BY message_id LIMIT ?)'),
      putRoom: db.prepare('INSERT OR REPLACE INTO rooms (folded, name, key_hash, created_at) VALUES (?, ?, ?, ?)'),
      removeRoom: db.prepare('DELETE FROM rooms WHERE folded = ?'),
      putIdentity: db.prepare('INSERT OR REPLACE INTO identities (hash, user_id, user_name, last_seen) VALUES (?, ?, ?, ?)'),
      forgetIdentity: db.prepare('DELETE FROM identities WHERE hash = ?'),
      putWaiting: db.prepare('INSERT OR REPLACE INTO private_waiting (message_id, to_user_id) VALUES (?, ?)'),
      endWaiting: db.prepare('DELETE FROM private_waiting WHERE message_id = ?'),
    };
    this.pruneBatch = options.pruneBatch ?? DEFAULT_PRUNE_BATCH;
    this.messages = new SqliteMessageStore(db, this);
    this.kept = this.readKept();
    this.saved = (db.prepare('SELECT folded, name, key_hash, created_at FROM rooms ORDER BY created_at').all() as Array<{
      folded: string;
      name: string;
      key_hash: string | null;
      created_at: number;
    }>).map((r) => ({ folded: r.folded, name: r.name, keyHash: r.key_hash, createdAt: r.created_at }));
    this.files = this.fileRecords();
    this.write = db.transaction(() => {
      this.options.writeFault?.();
      this.messages.writePending();
      for (const record of this.records) record();
    });
    // The newest id is the table's max(message_id) while no line has left it: the counter is
    // written only when pruning deletes lines (a page fewer in every commit's log).
    this.pruneInTransaction = db.transaction((run: () => number): number => {
      this.statements.putCounter.run('last_message_id', this.messages.lastMessageId);
      return run();
    });
    const interval = options.pruneIntervalMs ?? DEFAULT_PRUNE_INTERVAL_MS;
    if (interval > 0) {
      this.pruneTimer = setInterval(() => void this.prune(), interval);
      this.pruneTimer.unref();
    }
    void this.prune();
  }

  started(session: SavedSession, nextUserId: number): void {
    const { putSession, putCounter } = this.statements;
    const s = { ...session };
    this.record(() => {
      putSession.run(s.token, s.userId, s.userName, s.gender, s.userColor, s.ackedSeq);
      putCounter.run('next_user_id', nextUserId);
    });
  }

  ended(token: string): void {
    const { endSession } = this.statements;
    this.record(() => endSession.run(token));
  }

  put(room: SavedRoom): void {
    const { putRoom } = this.statements;
    const r = { ...room };
    this.record(() => putRoom.run(r.folded, r.name, r.keyHash, r.createdAt));
  }

  remove(folded: string): void {
    const { removeRoom } = this.statements;
    this.record(() => removeRoom.run(folded));
  }

  acked(marks: readonly AckedMark[]): void {
    if (marks.length === 0) return;
    const { acked } = this.statements;
    const copy = marks.map((m) => [m.ackedSeq, m.token] as const);
    this.record(() => {
      for (const [seq, token] of copy) acked.run(seq, token);
    });
  }

  seen(identity: SavedIdentity): void {
    const { putIdentity } = this.statements;
    const i = { ...identity };
    this.record(() => putIdentity.run(i.hash, i.userId, i.userName, i.lastSeen));
  }

  forgot(hash: string): void {
    const { forgetIdentity } = this.statements;
    this.record(() => forgetIdentity.run(hash));
  }

  waiting(line: WaitingLine): void {
    const { putWaiting } = this.statements;
    const { messageId, toUserId } = line;
    this.record(() => putWaiting.run(messageId, toUserId));
  }

  delivered(messageId: number): void {
    const { endWaiting } = this.statements;
    this.record(() => endWaiting.run(messageId));
  }

  private fileRecords(): FileRecordStore {
    const db = this.db;
    const put = db.prepare(
      'INSERT OR REPLACE INTO files (file_id, name, size, type, width, height, sha256, owner, uploaded_at, scope) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
    );
    const remove = db.prepare('DELETE FROM files WHERE file_id = ?');
    type Row = {
      file_id: string;
      name: string;
      size: number;
      type: string;
      width: number | null;
      height: number | null;
      sha256: string;
      owner: string;
      uploaded_at: number;
      scope: string | null;
    };
    const rows = db.prepare('SELECT file_id, name, size, type, width, height, sha256, owner, uploaded_at, scope FROM files').all() as Row[];
    const saved = rows.map((r): FileRecord => {
      const record: FileRecord = { fileId: r.file_id, name: r.name, size: r.size, type: r.type, sha256: r.sha256, owner: r.owner, uploadedAt: r.uploaded_at, scope: r.scope };
      return r.width !== null && r.height !== null ? { ...record, width: r.width, height: r.height } : record;
    });
    return {
      saved,
      put: (record) => {
        const f = { ...record };
        this.record(() => put.run(f.fileId, f.name, f.size, f.type, f.width ?? null, f.height ?? null, f.sha256, f.owner, f.uploadedAt, f.scope));
      },
      remove: (fileId) => this.record(() => remove.run(fileId)),
    };
  }

  /** A line or record is waiting: it goes out with the next frames, or shortly if there are none. */
  changed(): void {
    this.schedule(LAZY_WRITE_MS);
  }

  flush(): void {
    if (this.closed || (!this.messages.dirty && this.records.length === 0)) return;
    if (this.failing && Date.now() < this.retryAt) return;
    try {
      this.write();
    } catch (error) {
      this.writeFailed(error);
      return;
    }
    this.messages.written();
    this.records = [];
    // A busy room does not wait for the next round: the table stays near its limit.
    if (this.messages.storedCount > this.options.historyMaxLines + this.pruneBatch) void this.prune();
    if (this.failing) {
      this.failing = false;
      this.options.log(`database ${this.path}: written again, nothing lost`);
    }
  }

  close(): void {
    if (this.closed) return;
    this.retryAt = 0;
    this.flush();
    if (this.failing) this.options.log(`error: database ${this.path}: ${this.messages.unwritten} line(s) could not be written before closing`);
    this.closed = true;
    if (this.timer !== null) clearTimeout(this.timer);
    if (this.pruneTimer !== null) clearInterval(this.pruneTimer);
    void this.checkpointer.stop();
    this.db.close();
    this.lock.close();
  }

  /**
   * Deletes lines past the limits, a batch per event-loop turn so chat never waits long.
   * Resolves with the number deleted (by the pruning under way, if there is one).
   */
  prune(): Promise<number> {
    if (this.pruning !== null) return this.pruning;
    if (this.closed) return Promise.resolve(0);
    this.pruning = new Promise((resolve) => {
      let total = 0;
      const step = (): void => {
        const deleted = this.closed ? 0 : this.pruneStep();
        total += deleted;
        if (deleted > 0) {
          setImmediate(step);
          return;
        }
        this.pruning = null;
        resolve(total);
      };
      setImmediate(step);
    });
    return this.pruning;
  }

  /** Reads are failing (logged once until one succeeds again). */
  readFailing = false;

  readFailed(error: unknown): void {
    if (!this.readFailing) this.options.log(`error: database ${this.path}: cannot read (${errorText(error)}); serving what memory has`);
    this.readFailing = true;
  }

  private pruneStep(): number {
    try {
      const cutoff = Date.now() - this.options.historyMaxDays * DAY_MS;
      const excess = this.messages.storedCount - this.options.historyMaxLines;
      const deleted = this.pruneInTransaction(() => {
        const old = this.statements.pruneOld.run(this.pruneBatch, cutoff).changes;
        if (old > 0 || excess <= 0) return old;
        return this.statements.pruneOldest.run(Math.min(excess, this.pruneBatch)).changes;
      });
      this.messages.deletedRows(deleted);
      return deleted;
    } catch (error) {
      // Pruning waits for the next round; a write failure is reported by the writes.
      if (!this.failing) this.options.log(`error: database ${this.path}: cannot prune (${errorText(error)})`);
      return 0;
    }
  }

  private record(run: () => void): void {
    if (this.closed) return;
    this.records.push(run);
    this.changed();
  }

  private schedule(ms: number): void {
    if (this.timer !== null || this.closed) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.flush();
      if (this.failing) this.schedule(Math.max(0, this.retryAt - Date.now()));
    }, ms);
    this.timer.unref();
  }

  private writeFailed(error: unknown): void {
    if (!this.failing) {
      this.options.log(`error: database ${this.path}: cannot write (${errorText(error)}); chat goes on in memory, retrying`);
    }
    this.failing = true;
    this.retryAt = Date.now() + RETRY_MS;
    const dropped = this.messages.dropOldestUnwritten(this.options.historyMaxLines);
    if (dropped > 0) this.options.log(`error: database ${this.path}: ${dropped} unwritten line(s) dropped from memory (--history-max-lines)`);
    this.schedule(RETRY_MS);
  }

  private readKept(): KeptState {
    const next = this.db.prepare("SELECT value FROM counters WHERE name = 'next_user_id'").get() as { value: number } | undefined;
    const rows = this.db.prepare('SELECT token, user_id, user_name, gender, user_color, acked_seq FROM sessions').all() as Array<{
      token: string;
      user_id: number;
      user_name: string;
      gender: number;
      user_color: string;
      acked_seq: number;
    }>;
    const sessions: SavedSession[] = [];
    let nextUserId = next?.value ?? 1;
    for (const r of rows) {
      if (r.gender !== 0 && r.gender !== 1 && r.gender !== 2) continue;
      sessions.push({ token: r.token, userId: r.user_id, userName: r.user_name, gender: r.gender, userColor: r.user_color, ackedSeq: r.acked_seq });
      if (next === undefined) nextUserId = Math.max(nextUserId, r.user_id + 1);
    }
    const identities = (this.db.prepare('SELECT hash, user_id, user_name, last_seen FROM identities').all() as Array<{
      hash: string;
      user_id: number;
      user_name: string;
      last_seen: number;
    }>).map((r): SavedIdentity => ({ hash: r.hash, userId: r.user_id, userName: r.user_name, lastSeen: r.last_seen }));
    const waiting = (this.db.prepare('SELECT message_id, to_user_id FROM private_waiting ORDER BY message_id').all() as Array<{
      message_id: number;
      to_user_id: number;
    }>).map((r): WaitingLine => ({ messageId: r.message_id, toUserId: r.to_user_id }));
    const kept: KeptState = { nextUserId, sessions };
    if (identities.length > 0) kept.identities = identities;
    if (waiting.length > 0) kept.waiting = waiting;
    return kept;
  }

  /** Puts a state file's contents into a database just created (one transaction). */
  importState(kept: KeptState, lines: readonly StoredLine[]): void {
    const { putSession, putCounter } = this.statements;
    this.db.transaction(() => {
      for (const s of kept.sessions) putSession.run(s.token, s.userId, s.userName, s.gender, s.userColor, s.ackedSeq);
      putCounter.run('next_user_id', kept.nextUserId);
    })();
    for (const line of lines) this.messages.append(line);
    this.flush();
    this.kept.nextUserId = kept.nextUserId;
    this.kept.sessions.push(...kept.sessions);
  }
}
