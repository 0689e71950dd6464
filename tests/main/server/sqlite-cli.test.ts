import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { HistoryMessage, PublicMessage, ServerMessage } from '../../../src-shared/protocol';
import { APPLICATION_ID, SCHEMA_VERSION } from '../../../src-main/server/store/sqlite-schema';
import { ChatClient, chatUrl, withTimeout } from '../../support/chat-client';
import { ensureBuilt } from '../../support/build';

/*
 * The built CLI on a real database file: every way the database cannot be opened stops
 * the server at start with one line and exit 1, and a SIGKILLed server restarted on the
 * same --db has the same history, with ids going on.
 */

const root = resolve(__dirname, '../../..');
const cli = join(root, 'dist/server/cli.js');

beforeAll(() => ensureBuilt('server'), 60_000);

const children = new Set<ChildProcess>();
const dirs: string[] = [];
afterEach(() => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  children.clear();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'simplechat-db-cli-'));
  dirs.push(dir);
  return dir;
}

interface Run {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<number | null>;
  /** Resolves with the port once the listening line is out. */
  listening: Promise<number>;
}

function run(args: string[], env: NodeJS.ProcessEnv = {}): Run {
  const child = spawn(process.execPath, [cli, '--host', '127.0.0.1', '--port', '0', '--no-web-root', ...args], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
  });
  children.add(child);
  let stdout = '';
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const listening = new Promise<number>((resolve, reject) => {
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      const match = /^SimpleChat server listening on ws:\/\/127\.0\.0\.1:(\d+)$/m.exec(stdout);
      if (match) resolve(Number(match[1]));
    });
    void exited.then((code) => reject(new Error(`exited with ${code}: ${stderr}`)));
  });
  listening.catch(() => {});
  return { child, stdout: () => stdout, stderr: () => stderr, exited, listening };
}

async function expectRefusal(db: string, message: string | RegExp): Promise<void> {
  const server = run(['--db', db]);
  expect(await withTimeout(server.exited, 10_000, 'exit')).toBe(1);
  const lines = server.stderr().split('\n').filter((line) => line !== '');
  expect(lines, server.stderr()).toHaveLength(1);
  expect(lines[0]).toMatch(message);
  expect(lines[0]).not.toMatch(/\bat .*:\d+:\d+/);
  expect(server.stdout()).toBe('');
}

const isHistory = (m: ServerMessage): m is HistoryMessage => m.action === 'History';
const publicText = (text: string) => (m: ServerMessage): m is PublicMessage => m.action === 'PublicMessage' && m.text === text;

describe('simplechat-server --db: a database that cannot be used stops the start with one line and exit 1', () => {
  it('a folder that does not exist', async () => {
    const db = join(tempDir(), 'no-such-folder', 'chat.db');
    await expectRefusal(db, `simplechat-server: The database ${db} cannot be created: its folder does not exist.`);
  });

  it('a place where no file may be made (under a file; in /proc, refused even to root)', async () => {
    await expectRefusal('/dev/null/chat.db', /^simplechat-server: The database \/dev\/null\/chat\.db cannot be opened or created \(check the folder and its permissions\)\.$/);
    await expectRefusal('/proc/simplechat-test.db', /^simplechat-server: The database \/proc\/simplechat-test\.db cannot be opened or created \(check the folder and its permissions\)\.$/);
  });

  it('a file of junk, which is left as it was', async () => {
    const db = join(tempDir(), 'chat.db');
    const junk = Buffer.from('this is no database, just a file of junk\n'.repeat(500));
    writeFileSync(db, junk);
    await expectRefusal(db, `simplechat-server: The database ${db} is not a SQLite database (left untouched).`);
    expect(readFileSync(db).equals(junk)).toBe(true);
  });

  it('a newer schema than this server knows, which is left as it was', async () => {
    const db = join(tempDir(), 'chat.db');
    const future = new Database(db);
    future.pragma(`application_id = ${APPLICATION_ID}`);
    future.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    future.exec('CREATE TABLE from_the_future (x)');
    future.close();
    const bytes = readFileSync(db);
    await expectRefusal(db, /was written by a newer SimpleChat \(schema version \d+; this server knows up to \d+\); left untouched\.$/);
    expect(readFileSync(db).equals(bytes)).toBe(true);
  });

  it('a database another server is running on; the first one goes on', async () => {
    const db = join(tempDir(), 'chat.db');
    const first = run(['--db', db]);
    const port = await withTimeout(first.listening, 10_000, 'the first server');
    await expectRefusal(db, `simplechat-server: The database ${db} is in use by another SimpleChat server (its lock ${db}.lock is held).`);
    const client = await ChatClient.connect(chatUrl(port, { userName: 'still here' }));
    expect(client.userName).toBe('still here');
    client.terminate();
  });
});

describe('simplechat-server --db killed with SIGKILL and restarted on the same file', () => {
  it('has the same history, the edit and the deletion kept, sessions come back as themselves, and ids go on after the last one', async () => {
    const db = join(tempDir(), 'chat.db');
    const first = run(['--db', db]);
    const port = await withTimeout(first.listening, 10_000, 'the server');
    const anna = await ChatClient.connect(chatUrl(port, { userName: 'Аня' }));
    const bob = await ChatClient.connect(chatUrl(port, { userName: 'Bob' }));
    const seen: PublicMessage[] = [];
    // 18 lines, an edit and a delete: within the default burst of 20.
    for (let i = 1; i <= 18; i++) anna.say(`line ${i}`);
    // Every line Bob was shown was committed before its frame left the server.
    seen.push(await bob.waitFor(publicText('line 18')));
    const lines = bob.all('PublicMessage');
    expect(lines).toHaveLength(18);
    // An edit and a deletion, each seen by Bob before the kill.
    anna.send({ action: 'Edit', messageId: lines[2]!.messageId, text: 'line 3, edited' });
    anna.send({ action: 'Delete', messageId: lines[4]!.messageId });
    await bob.waitFor((m) => m.action === 'MessageEdited');
    await bob.waitFor((m) => m.action === 'MessageDeleted');
    const shown = lines.map((m, i) => [m.messageId, i === 2 ? 'line 3, edited' : i === 4 ? '' : m.text]);
    first.child.kill('SIGKILL');
    await withTimeout(first.exited, 5_000, 'the kill');
    anna.terminate();
    bob.terminate();

    // The second start finds the file through SIMPLECHAT_DB.
    const second = run([], { SIMPLECHAT_DB: db });
    const port2 = await withTimeout(second.listening, 10_000, 'the restarted server');
    const back = await ChatClient.connect(chatUrl(port2, { userName: 'someone else', sessionToken: anna.authorized.sessionToken! }));
    expect(back.authorized).toMatchObject({ userId: anna.userId, userName: 'Аня' });
    back.terminate();
    const carol = await ChatClient.connect(chatUrl(port2, { userName: 'Carol' }));
    const history = await carol.waitFor(isHistory);
    expect(history.messages.map((m) => [m.messageId, m.text])).toEqual(shown);
    expect(history.messages[2]).toMatchObject({ editedAt: expect.any(Number) });
    expect(history.messages[4]).toMatchObject({ deleted: true, text: '' });
    carol.say('after the restart');
    const after = await carol.waitFor(publicText('after the restart'));
    expect(after.messageId).toBeGreaterThan(seen[0]!.messageId!);
    carol.terminate();
  }, 30_000);
});
