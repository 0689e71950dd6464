import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import type { HistoryMessage, RoomListMessage } from '../../../../src-shared/protocol';
import { SqliteState } from '../../../../src-main/server/store/sqlite-store';
import { startTestServer } from '../helpers';
import { joinRoom, lineWith, mustJoin, sayIn } from './room-helpers';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'simplechat-rooms-'));
  dirs.push(dir);
  return dir;
}

describe('rooms across a restart', () => {
  it('with --db the rooms, their locks and their history come back; the key is stored only as a hash', async () => {
    const dbFile = join(tempDir(), 'chat.db');
    const first = await startTestServer({ dbFile });
    const anna = await first.join('Anna');
    await mustJoin(anna, 'Ops');
    await mustJoin(anna, 'Vault', 'the key');
    await mustJoin(anna, 'Empty');
    sayIn(anna, 'Ops', 'ops line');
    sayIn(anna, 'Vault', 'vault line');
    anna.say('lobby line');
    await anna.waitFor(lineWith('ops line'));
    await anna.waitFor(lineWith('vault line'));
    await anna.waitFor(lineWith('lobby line'));
    await first.server.close();

    const db = new Database(dbFile, { readonly: true });
    const rows = db.prepare('SELECT name, folded, key_hash FROM rooms ORDER BY folded').all() as Array<{ name: string; folded: string; key_hash: string | null }>;
    db.close();
    expect(rows.map((r) => [r.name, r.folded, r.key_hash === null])).toEqual([['Empty', 'empty', true], ['Ops', 'ops', true], ['Vault', 'vault', false]]);
    expect(rows[2]!.key_hash).toMatch(/^scrypt\$/);
    expect(readFileSync(dbFile).includes('the key')).toBe(false);

    const second = await startTestServer({ dbFile });
    const bob = await second.join('Bob');
    expect((await bob.waitFor((m): m is HistoryMessage => m.action === 'History')).messages.map((m) => m.text)).toEqual(['lobby line']);
    bob.send({ action: 'ListRooms' });
    expect((await bob.waitFor((m): m is RoomListMessage => m.action === 'RoomList')).rooms).toEqual([
      { room: 'Empty', users: 0, locked: false },
      { room: 'Ops', users: 0, locked: false },
      { room: 'Vault', users: 0, locked: true },
    ]);
    expect((await mustJoin(bob, 'OPS')).history.messages.map((m) => [m.text, m.room])).toEqual([['ops line', 'Ops']]);
    const refused = await joinRoom(bob, 'vault', 'wrong');
    expect('error' in refused && refused.error.code).toBe('room-forbidden');
    expect((await mustJoin(bob, 'vault', 'the key')).history.messages.map((m) => m.text)).toEqual(['vault line']);
  });

  it('with --state-file a room’s lines stay out of the file: after a restart the lobby shows none of them', async () => {
    const path = join(tempDir(), 'state.jsonl');
    const first = await startTestServer({ stateFile: path });
    const anna = await first.join('Anna');
    await mustJoin(anna, 'Ops');
    sayIn(anna, 'Ops', 'room only');
    anna.say('lobby line');
    await anna.waitFor(lineWith('room only'));
    await anna.waitFor(lineWith('lobby line'));
    await first.server.close();
    expect(readFileSync(path, 'utf8')).not.toContain('room only');

    const second = await startTestServer({ stateFile: path });
    const bob = await second.join('Bob');
    expect((await bob.waitFor((m): m is HistoryMessage => m.action === 'History')).messages.map((m) => m.text)).toEqual(['lobby line']);
  });
});

describe('the rooms table', () => {
  it('keeps what was put, forgets what was removed, across a reopen', () => {
    const dbFile = join(tempDir(), 'rooms.db');
    const options = { historyMaxLines: 100, historyMaxDays: 1, log: () => {}, pruneIntervalMs: 0 };
    const first = new SqliteState(dbFile, options);
    expect(first.rooms.saved).toEqual([]);
    first.rooms.put({ name: 'Ops', folded: 'ops', keyHash: null, createdAt: 1 });
    first.rooms.put({ name: 'Vault', folded: 'vault', keyHash: 'scrypt$h', createdAt: 2 });
    first.rooms.put({ name: 'Gone', folded: 'gone', keyHash: null, createdAt: 3 });
    first.flush();
    first.rooms.remove('gone');
    first.close();
    const second = new SqliteState(dbFile, options);
    expect(second.rooms.saved).toEqual([
      { name: 'Ops', folded: 'ops', keyHash: null, createdAt: 1 },
      { name: 'Vault', folded: 'vault', keyHash: 'scrypt$h', createdAt: 2 },
    ]);
    second.close();
  });
});
