import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import type { HistoryMessage, PublicMessage, ServerMessage } from '../../../src-shared/protocol';
import { startChatServer } from '../../../src-main/server/chat-server';
import { snapshotText } from '../../../src-main/server/state-file';
import { SqliteState } from '../../../src-main/server/store/sqlite-store';
import { ChatClient, chatUrl } from '../../support/chat-client';
import { startTestServer } from './helpers';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'simplechat-sqlite-'));
  dirs.push(dir);
  return dir;
}

const isHistory = (m: ServerMessage): m is HistoryMessage => m.action === 'History';
const publicText = (text: string) => (m: ServerMessage): m is PublicMessage => m.action === 'PublicMessage' && m.text === text;

function countLines(dbFile: string): number {
  const db = new Database(dbFile, { readonly: true, timeout: 1_000 });
  try {
    return (db.prepare('SELECT count(*) AS n FROM lines').get() as { n: number }).n;
  } finally {
    db.close();
  }
}

/** Polls `check` (what it waits for is not a message) for at most 5 s. */
async function until(check: () => boolean, what: string): Promise<void> {
  for (const deadline = Date.now() + 5_000; !check(); ) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('a server with --db', () => {
  it('restarted, has the same history, gives sessions back with what they missed, and ids go on', async () => {
    const dbFile = join(tempDir(), 'chat.db');
    const first = await startTestServer({ dbFile, pingIntervalMs: 30 });
    const anna = await first.join('Аня');
    const bob = await first.join('Bob');
    const token = anna.authorized.sessionToken!;
    anna.say('one');
    const one = await anna.waitFor(publicText('one'));
    const pings = anna.all('Ping').length;
    await anna.waitFor(() => anna.all('Ping').length >= pings + 3, 2000, 'three pings');
    anna.answerPings = false;
    anna.ws.pause();
    bob.say('two');
    const two = await bob.waitFor(publicText('two'));
    await first.server.close();

    const second = await startTestServer({ dbFile });
    const again = await second.join({ userName: 'ignored', sessionToken: token });
    expect(again.authorized).toMatchObject({ userId: anna.userId, userName: 'Аня', sessionToken: token });
    expect((await again.waitFor(isHistory)).messages.map((m) => m.text)).toEqual(['two']);
    const carol = await second.join('Carol');
    const history = await carol.waitFor(isHistory);
    expect(history.messages.map((m) => [m.messageId, m.text])).toEqual([[one.messageId, 'one'], [two.messageId, 'two']]);
    expect(carol.userId).toBe(3);
    carol.say('three');
    const three = await carol.waitFor(publicText('three'));
    expect(three.messageId).toBeGreaterThan(two.messageId!);
  });

  it('a deletion empties the excerpt of its replies stored on disk, so History after a restart keeps no trace of it', async () => {
    const dbFile = join(tempDir(), 'chat.db');
    const first = await startTestServer({ dbFile });
    const anna = await first.join('Аня');
    anna.say('the secret');
    const quoted = await anna.waitFor(publicText('the secret'));
    anna.send({ action: 'Message', text: 'about it', toUserId: 0, replyTo: quoted.messageId });
    await anna.waitFor(publicText('about it'));
    // Past one flush tick, so the reply is a row, not a pending line.
    await until(() => countLines(dbFile) === 2, 'both lines on disk');
    anna.send({ action: 'Delete', messageId: quoted.messageId });
    await anna.waitFor((m) => m.action === 'MessageDeleted' && m.messageId === quoted.messageId);
    await first.server.close();

    const second = await startTestServer({ dbFile });
    const history = await (await second.join('Bob')).waitFor(isHistory);
    expect(history.messages.map((m) => m.text)).toEqual(['', 'about it']);
    expect(history.messages[1]!.replyTo).toEqual({ messageId: quoted.messageId, userName: 'Аня', excerpt: '' });
    expect(JSON.stringify(history)).not.toContain('secret');
  });

  it('a write that fails is logged once, chat goes on, and once the disk is back every line is stored', async () => {
    const dbFile = join(tempDir(), 'chat.db');
    let full = false;
    const logs: string[] = [];
    const durable = new SqliteState(dbFile, {
      historyMaxLines: 1000,
      historyMaxDays: 365,
      log: (line) => logs.push(line),
      writeFault: () => {
        if (full) throw Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' });
      },
    });
    const server = await startChatServer({ host: '127.0.0.1', port: 0, dbFile }, { durable });
    const anna = await ChatClient.connect(chatUrl(server.port, { userName: 'Аня' }));
    const bob = await ChatClient.connect(chatUrl(server.port, { userName: 'Bob' }));
    anna.say('before');
    await bob.waitFor(publicText('before'));
    full = true;
    for (const text of ['during 1', 'during 2', 'during 3']) {
      anna.say(text);
      await bob.waitFor(publicText(text));
    }
    expect(logs.filter((l) => /cannot write .*chat goes on in memory, retrying/.test(l))).toHaveLength(1);
    // A newcomer gets the lines from memory meanwhile.
    const carol = await ChatClient.connect(chatUrl(server.port, { userName: 'Carol' }));
    expect((await carol.waitFor(isHistory)).messages.map((m) => m.text)).toEqual(['before', 'during 1', 'during 2', 'during 3']);
    full = false;
    await until(() => logs.some((l) => /written again, nothing lost/.test(l)), 'the retry');
    for (const client of [anna, bob, carol]) client.terminate();
    await server.close();

    const again = await startTestServer({ dbFile });
    const dave = await again.join('Dave');
    expect((await dave.waitFor(isHistory)).messages.map((m) => m.text)).toEqual(['before', 'during 1', 'during 2', 'during 3']);
  });

  it('keeps at most --history-max-lines lines, pruned in the background', async () => {
    const dbFile = join(tempDir(), 'chat.db');
    const first = await startTestServer({ dbFile, rateBurst: 100 });
    const anna = await first.join('Аня');
    for (let i = 1; i <= 30; i++) anna.say(`line ${i}`);
    await anna.waitFor(publicText('line 30'));
    await first.server.close();
    const second = await startTestServer({ dbFile, historyMaxLines: 5 });
    await until(() => countLines(dbFile) === 5, 'the pruning');
    const bob = await second.join('Bob');
    const history = await bob.waitFor(isHistory);
    expect(history.messages.map((m) => m.text)).toEqual(['line 26', 'line 27', 'line 28', 'line 29', 'line 30']);
    expect(history.hasMore).toBe(false);
  });

  it('with --state-file, imports it into a new database once, and keeps it aside', async () => {
    const dir = tempDir();
    const stateFile = join(dir, 'state.jsonl');
    const dbFile = join(dir, 'chat.db');
    const payload = JSON.stringify({ action: 'PublicMessage', userId: 1, userName: 'Аня', gender: 2, userColor: '#16a085', text: 'from the state file', messageId: 5, sentAt: Date.now() - 60_000 });
    const session = { token: 'tok-anna', userId: 1, userName: 'Аня', gender: 2 as const, userColor: '#16a085', ackedSeq: 5 };
    writeFileSync(stateFile, snapshotText({ nextUserId: 2, sessions: [session], messages: [{ seq: 5, payload }] }));
    const first = await startTestServer({ dbFile, stateFile });
    expect(first.logs.some((l) => l.includes(`imported into ${dbFile}`))).toBe(true);
    expect(existsSync(stateFile)).toBe(false);
    expect(existsSync(`${stateFile}.imported`)).toBe(true);
    const bob = await first.join('Bob');
    expect((await bob.waitFor(isHistory)).messages.map((m) => m.text)).toEqual(['from the state file']);
    expect(bob.userId).toBe(2);
    await first.server.close();

    // The database is the source of truth now: a state file named again is not read.
    writeFileSync(stateFile, snapshotText({ nextUserId: 50, sessions: [], messages: [] }));
    const second = await startTestServer({ dbFile, stateFile });
    expect(second.logs.some((l) => /not read, the database .* already holds the state/.test(l))).toBe(true);
    const anna = await second.join({ userName: 'x', sessionToken: 'tok-anna' });
    expect(anna.authorized).toMatchObject({ userId: 1, userName: 'Аня' });
  });
});
