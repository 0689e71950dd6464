import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { LOBBY, idFloor } from '../../../../src-main/server/store/message-store';
import type { StoredLine } from '../../../../src-main/server/store/message-store';
import { APPLICATION_ID, IS_REPLY_SQL, REPLY_TO_SQL, SCHEMA_VERSION } from '../../../../src-main/server/store/sqlite-schema';
import { SqliteState } from '../../../../src-main/server/store/sqlite-store';
import type { SqliteStateOptions } from '../../../../src-main/server/store/sqlite-store';

const dirs: string[] = [];
const open: SqliteState[] = [];
afterEach(() => {
  for (const state of open.splice(0)) state.close();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});
function dbPath(): string {
  const dir = mkdtempSync(join(tmpdir(), 'simplechat-db-'));
  dirs.push(dir);
  return join(dir, 'chat.db');
}

function openState(path: string, options: Partial<SqliteStateOptions> = {}): { state: SqliteState; logs: string[] } {
  const logs: string[] = [];
  const state = new SqliteState(path, { historyMaxLines: 100_000, historyMaxDays: 365, log: (l) => logs.push(l), pruneIntervalMs: 0, ...options });
  open.push(state);
  return { state, logs };
}

function closeState(state: SqliteState): void {
  state.close();
  open.splice(open.indexOf(state), 1);
}

function say(state: SqliteState, text: string, room = LOBBY, sentAt = Date.now()): StoredLine {
  const messageId = state.messages.nextMessageId();
  const line = { messageId, room, sentAt, authorSession: 'sess', payload: JSON.stringify({ action: 'PublicMessage', text, messageId }) };
  state.messages.append(line);
  return line;
}

const texts = (lines: readonly StoredLine[]): string[] => lines.map((l) => (JSON.parse(l.payload) as { text: string }).text);

function rowCount(path: string): number {
  const db = new Database(path, { readonly: true });
  try {
    return (db.prepare('SELECT count(*) AS n FROM lines').get() as { n: number }).n;
  } finally {
    db.close();
  }
}

/** A reply as the hub stores it: `replyTo` right after the head, before the text. */
function reply(state: SqliteState, to: number, text: string, room = LOBBY): StoredLine {
  const messageId = state.messages.nextMessageId();
  const payload = `{"action":"PublicMessage","messageId":${messageId},"replyTo":{"messageId":${to},"userName":"A","excerpt":"x"},"text":${JSON.stringify(text)}}`;
  const line = { messageId, room, sentAt: Date.now(), authorSession: 'sess', payload };
  state.messages.append(line);
  return line;
}

describe('SqliteState (the --db store)', () => {
  it('finds the replies to a line, written and unwritten, in any room, by the lines_by_quote index', () => {
    const path = dbPath();
    const { state } = openState(path);
    const quoted = say(state, 'q');
    const other = say(state, 'other');
    reply(state, quoted.messageId, 'r1');
    reply(state, other.messageId, 'not this one');
    // An id that starts with the quoted one's digits is another line.
    reply(state, quoted.messageId * 10, 'longer id');
    reply(state, quoted.messageId, 'r2', '@1:2');
    state.flush();
    reply(state, quoted.messageId, 'r3 unwritten', 'Ops');
    say(state, `text "replyTo":{"messageId":${quoted.messageId},`);
    expect(texts(state.messages.repliesTo(quoted.messageId))).toEqual(['r1', 'r2', 'r3 unwritten']);
    expect(state.messages.repliesTo(other.messageId)).toHaveLength(1);
    state.flush();
    const db = new Database(path, { readonly: true });
    try {
      const plan = db
        .prepare(
          `EXPLAIN QUERY PLAN SELECT message_id FROM lines WHERE ${REPLY_TO_SQL} = ? AND ${IS_REPLY_SQL} ORDER BY message_id`,
        )
        .all(quoted.messageId) as Array<{ detail: string }>;
      expect(plan.map((row) => row.detail).join(' ')).toContain('lines_by_quote');
    } finally {
      db.close();
    }
  });

  it('pages over written and unwritten lines alike, per room, and keeps everything across a reopen with ids going on', () => {
    const path = dbPath();
    const floor = idFloor();
    const { state } = openState(path);
    expect(state.created).toBe(true);
    const first = say(state, 'a1');
    expect(first.messageId).toBeGreaterThanOrEqual(floor);
    say(state, 'b1', 'room-b');
    say(state, 'a2');
    state.flush();
    say(state, 'a3');
    say(state, 'a4');
    // a3 and a4 are in memory only; a page mixes both.
    expect(texts(state.messages.before(LOBBY, Number.MAX_SAFE_INTEGER, 3).lines)).toEqual(['a2', 'a3', 'a4']);
    expect(state.messages.before(LOBBY, Number.MAX_SAFE_INTEGER, 3).hasMore).toBe(true);
    expect(state.messages.before(LOBBY, Number.MAX_SAFE_INTEGER, 4)).toMatchObject({ hasMore: false });
    expect(texts(state.messages.after(LOBBY, first.messageId, 2).lines)).toEqual(['a3', 'a4']);
    expect(state.messages.after(LOBBY, first.messageId, 2).hasMore).toBe(true);
    expect(texts(state.messages.before('room-b', Number.MAX_SAFE_INTEGER, 50).lines)).toEqual(['b1']);
    expect(state.messages.get(first.messageId)?.payload).toBe(first.payload);
    const last = state.messages.lastMessageId;
    state.messages.replace({ ...first, payload: JSON.stringify({ action: 'PublicMessage', text: 'a1 edited' }) });
    closeState(state);

    const { state: again } = openState(path);
    expect(again.created).toBe(false);
    expect(texts(again.messages.before(LOBBY, Number.MAX_SAFE_INTEGER, 50).lines)).toEqual(['a1 edited', 'a2', 'a3', 'a4']);
    expect(again.messages.nextMessageId()).toBeGreaterThan(last);
  });

  it('writes a flush tick’s lines and records in one transaction, and nothing when nothing is pending', () => {
    const path = dbPath();
    const { state } = openState(path);
    for (let i = 0; i < 100; i++) say(state, `line ${i}`);
    state.sessions.started({ token: 't1', userId: 7, userName: 'Аня', gender: 2, userColor: '#16a085', ackedSeq: 0 }, 8);
    state.sessions.acked([{ token: 't1', userId: 7, ackedSeq: 42 }]);
    const db = new Database(path, { readonly: true });
    const before = db.pragma('data_version', { simple: true });
    state.flush();
    const after = db.pragma('data_version', { simple: true });
    // data_version moves once per commit made by another connection.
    expect(Number(after) - Number(before)).toBe(1);
    state.flush();
    expect(db.pragma('data_version', { simple: true })).toBe(after);
    db.close();
    closeState(state);
    const { state: again } = openState(path);
    expect(again.kept).toEqual({ nextUserId: 8, sessions: [{ token: 't1', userId: 7, userName: 'Аня', gender: 2, userColor: '#16a085', ackedSeq: 42 }] });
  });

  it('keeps texts, names and rooms byte for byte, SQL in them included', () => {
    const path = dbPath();
    const { state } = openState(path);
    const tricky = ["'); DROP TABLE lines; --", 'привет 👋 你好', '\u0000 and " quotes \\'];
    for (const text of tricky) say(state, text, "room'; DELETE FROM sessions; --");
    state.sessions.started({ token: "t'1", userId: 1, userName: "Robert'); DROP TABLE sessions;--", gender: 1, userColor: '#16a085', ackedSeq: 0 }, 2);
    closeState(state);
    const { state: again } = openState(path);
    expect(texts(again.messages.before("room'; DELETE FROM sessions; --", Number.MAX_SAFE_INTEGER, 50).lines)).toEqual(tricky);
    expect(again.kept.sessions[0]?.userName).toBe("Robert'); DROP TABLE sessions;--");
  });

  it('a session that ended is not kept', () => {
    const path = dbPath();
    const { state } = openState(path);
    state.sessions.started({ token: 't1', userId: 1, userName: 'a', gender: 0, userColor: '#16a085', ackedSeq: 0 }, 2);
    state.sessions.started({ token: 't2', userId: 2, userName: 'b', gender: 0, userColor: '#16a085', ackedSeq: 0 }, 3);
    state.sessions.ended('t1');
    closeState(state);
    const { state: again } = openState(path);
    expect(again.kept.sessions.map((s) => s.token)).toEqual(['t2']);
    expect(again.kept.nextUserId).toBe(3);
  });

  it('prunes past --history-max-lines and --history-max-days in small batches, oldest first', async () => {
    const path = dbPath();
    const { state } = openState(path, { historyMaxLines: 10, historyMaxDays: 1, pruneBatch: 7 });
    const old = Date.now() - 3 * 86_400_000;
    for (let i = 0; i < 5; i++) say(state, `old ${i}`, LOBBY, old);
    for (let i = 0; i < 30; i++) say(state, `new ${i}`);
    state.flush();
    expect(rowCount(path)).toBe(35);
    const deleted = await state.prune();
    expect(deleted).toBe(25);
    expect(rowCount(path)).toBe(10);
    expect(texts(state.messages.before(LOBBY, Number.MAX_SAFE_INTEGER, 50).lines)).toEqual(Array.from({ length: 10 }, (_, i) => `new ${i + 20}`));
    expect(await state.prune()).toBe(0);
  });

  it('ids go on above a line that pruning removed, even when the table is left empty', async () => {
    const path = dbPath();
    const { state } = openState(path, { historyMaxDays: 1 });
    // An id above the clock floor, so only the stored counter can carry it over a reopen.
    const ahead = idFloor() + 50_000_000;
    state.messages.append({ messageId: ahead, room: LOBBY, sentAt: Date.now() - 3 * 86_400_000, authorSession: 's', payload: '{}' });
    state.flush();
    expect(await state.prune()).toBe(1);
    expect(rowCount(path)).toBe(0);
    closeState(state);
    const { state: again } = openState(path);
    expect(again.messages.nextMessageId()).toBeGreaterThan(ahead);
  });

  it('writes a busy tick (more lines than one multi-row insert holds) whole and in order', () => {
    const path = dbPath();
    const { state } = openState(path);
    const said = Array.from({ length: 37 }, (_, i) => say(state, `line ${i}`));
    state.flush();
    expect(rowCount(path)).toBe(37);
    closeState(state);
    const { state: again } = openState(path);
    const page = again.messages.before(LOBBY, Number.MAX_SAFE_INTEGER, 50).lines;
    expect(page.map((l) => l.messageId)).toEqual(said.map((l) => l.messageId));
    expect(texts(page)).toEqual(said.map((_, i) => `line ${i}`));
  });

  it('a failing write is logged once, chat is served from memory, and the retry writes everything', () => {
    const path = dbPath();
    let full = false;
    const { state, logs } = openState(path, {
      writeFault: () => {
        if (full) throw Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' });
      },
    });
    say(state, 'stored before');
    state.flush();
    full = true;
    say(state, 'during 1');
    state.flush();
    say(state, 'during 2');
    state.sessions.started({ token: 't1', userId: 1, userName: 'a', gender: 0, userColor: '#16a085', ackedSeq: 0 }, 2);
    state.flush();
    expect(logs.filter((l) => /cannot write .*SQLITE_FULL.*chat goes on in memory, retrying/.test(l))).toHaveLength(1);
    expect(texts(state.messages.before(LOBBY, Number.MAX_SAFE_INTEGER, 50).lines)).toEqual(['stored before', 'during 1', 'during 2']);
    expect(rowCount(path)).toBe(1);
    full = false;
    // close() tries once more at once (the retry timer would do it within a second).
    closeState(state);
    expect(logs.some((l) => /written again, nothing lost/.test(l))).toBe(true);
    const { state: again } = openState(path);
    expect(texts(again.messages.before(LOBBY, Number.MAX_SAFE_INTEGER, 50).lines)).toEqual(['stored before', 'during 1', 'during 2']);
    expect(again.kept.sessions).toHaveLength(1);
  });

  it('migrates an older schema forwards, keeping every line', () => {
    const path = dbPath();
    const old = new Database(path);
    old.pragma('journal_mode = WAL');
    // Schema version 1, as the first release wrote it.
    old.exec(`CREATE TABLE lines (message_id INTEGER PRIMARY KEY, room TEXT NOT NULL, sent_at INTEGER NOT NULL, author_session TEXT NOT NULL, payload TEXT NOT NULL);
      CREATE INDEX lines_by_room ON lines (room, message_id);
      CREATE INDEX lines_by_time ON lines (sent_at);
      CREATE TABLE sessions (token TEXT PRIMARY KEY, user_id INTEGER NOT NULL, user_name TEXT NOT NULL, gender INTEGER NOT NULL, user_color TEXT NOT NULL, acked_seq INTEGER NOT NULL) WITHOUT ROWID;
      CREATE TABLE counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;`);
    old.prepare('INSERT INTO lines VALUES (?, ?, ?, ?, ?)').run(idFloor() - 10, LOBBY, Date.now(), 's', JSON.stringify({ action: 'PublicMessage', text: 'from v1' }));
    old.pragma(`application_id = ${APPLICATION_ID}`);
    old.pragma('user_version = 1');
    old.close();
    const { state } = openState(path);
    expect(state.created).toBe(false);
    expect(texts(state.messages.before(LOBBY, Number.MAX_SAFE_INTEGER, 50).lines)).toEqual(['from v1']);
    closeState(state);
    const db = new Database(path, { readonly: true });
    expect(db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    expect(db.prepare("SELECT name FROM sqlite_schema WHERE type = 'index' AND name = 'lines_by_time'").get()).toBeUndefined();
    db.close();
  });

  it('refuses, untouched, a file of junk, another program’s database, a newer schema, and a second opener', () => {
    const junk = dbPath();
    const bytes = Buffer.from('not a database, just some junk\n'.repeat(200));
    writeFileSync(junk, bytes);
    expect(() => openState(junk)).toThrow(`The database ${junk} is not a SQLite database (left untouched).`);
    expect(readFileSync(junk)).toEqual(bytes);

    const foreign = dbPath();
    const other = new Database(foreign);
    other.exec('CREATE TABLE recipes (name TEXT)');
    other.close();
    expect(() => openState(foreign)).toThrow(/belongs to another program/);

    const newer = dbPath();
    const future = new Database(newer);
    future.pragma(`application_id = ${APPLICATION_ID}`);
    future.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    future.close();
    expect(() => openState(newer)).toThrow(`was written by a newer SimpleChat (schema version ${SCHEMA_VERSION + 1}; this server knows up to ${SCHEMA_VERSION})`);

    const shared = dbPath();
    openState(shared);
    expect(() => openState(shared)).toThrow(/is in use by another SimpleChat server/);
  });
});
