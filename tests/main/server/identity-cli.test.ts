import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { newIdentitySecret } from '../../../src-shared/protocol';
import type { DialogHistoryMessage, PrivateMessage, ServerMessage } from '../../../src-shared/protocol';
import { ensureBuilt } from '../../support/build';
import { ChatClient, chatUrl, withTimeout } from '../../support/chat-client';
import type { LoginParams } from '../../support/chat-client';

/*
 * The built CLI on one database, killed with SIGKILL: a private dialog's history is there
 * for both sides after the restart, a line that waited for an offline identity is
 * delivered to it then, and a stranger from another address still pages nothing.
 */

const root = resolve(__dirname, '../../..');
const cli = join(root, 'dist/server/cli.js');

beforeAll(() => ensureBuilt('server'), 60_000);

const children = new Set<ChildProcess>();
const clients = new Set<ChatClient>();
const dirs: string[] = [];
afterEach(() => {
  for (const client of clients) client.terminate();
  clients.clear();
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  children.clear();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

interface Run {
  child: ChildProcess;
  exited: Promise<number | null>;
  listening: Promise<number>;
}

function run(db: string): Run {
  const args = ['--host', '127.0.0.1', '--port', '0', '--no-web-root', '--no-loopback-exemption', '--presence-grace-ms', '0', '--db', db];
  const child = spawn(process.execPath, [cli, ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  let stdout = '';
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<number | null>((done) => child.on('exit', (code) => done(code)));
  const listening = new Promise<number>((done, reject) => {
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      const match = /^SimpleChat server listening on ws:\/\/127\.0\.0\.1:(\d+)$/m.exec(stdout);
      if (match) done(Number(match[1]));
    });
    void exited.then((code) => reject(new Error(`exited with ${code}: ${stderr}`)));
  });
  listening.catch(() => {});
  return { child, exited, listening };
}

async function login(port: number, params: LoginParams, localAddress = '127.0.0.2'): Promise<ChatClient> {
  const client = await ChatClient.connect(chatUrl(port, params), { localAddress });
  clients.add(client);
  return client;
}

const isPrivate = (text: string) => (m: ServerMessage): m is PrivateMessage => m.action === 'PrivateMessage' && m.text === text;

async function dialog(client: ChatClient, withUserId: number): Promise<DialogHistoryMessage> {
  const after = client.mark();
  client.send({ action: 'History', with: withUserId });
  return client.waitFor((m): m is DialogHistoryMessage => m.action === 'DialogHistory' && m.with === withUserId, undefined, 'DialogHistory', after);
}

describe('simplechat-server --db killed with SIGKILL: private dialogs survive', () => {
  it('both sides page the dialog after the restart, and a line that waited for an offline identity is delivered then', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'simplechat-identity-cli-'));
    dirs.push(dir);
    const db = join(dir, 'chat.db');
    const [sa, sb] = [newIdentitySecret(), newIdentitySecret()];
    const first = run(db);
    const port = await withTimeout(first.listening, 10_000, 'the server');
    const anna = await login(port, { userName: 'Anna', identity: sa });
    const bob = await login(port, { userName: 'Bob', identity: sb });
    anna.say('before the crash', bob.userId);
    await bob.waitFor(isPrivate('before the crash'));
    bob.say('answer', anna.userId);
    await anna.waitFor(isPrivate('answer'));
    await bob.close();
    await anna.waitFor((m) => m.action === 'Disconnected' && m.userId === bob.userId);
    anna.say('while you were away', bob.userId);
    const waiting = await anna.waitFor(isPrivate('while you were away'));
    expect(waiting.delivery).toBe('waiting');
    first.child.kill('SIGKILL');
    await withTimeout(first.exited, 5_000, 'the kill');
    anna.terminate();

    const second = run(db);
    const port2 = await withTimeout(second.listening, 10_000, 'the restarted server');
    const anna2 = await login(port2, { userName: 'Anna', identity: sa });
    const bob2 = await login(port2, { userName: 'Bob', identity: sb });
    expect([anna2.userId, bob2.userId, anna2.userName, bob2.userName]).toEqual([anna.userId, bob.userId, 'Anna', 'Bob']);
    const delivered = await bob2.waitFor(isPrivate('while you were away'));
    expect(delivered).toMatchObject({ messageId: waiting.messageId, delivery: 'delivered', userId: anna.userId });
    await anna2.waitFor((m) => m.action === 'Delivered' && m.messageIds.includes(waiting.messageId!));
    const expected = [
      ['Anna', 'before the crash', 'delivered'],
      ['Bob', 'answer', 'delivered'],
      ['Anna', 'while you were away', 'delivered'],
    ];
    for (const [client, peer] of [[anna2, bob.userId], [bob2, anna.userId]] as const) {
      expect((await dialog(client, peer)).messages.map((m) => [m.userName, m.text, m.delivery])).toEqual(expected);
    }
    const eve = await login(port2, { userName: 'Eve', identity: newIdentitySecret() }, '127.0.0.1');
    expect((await dialog(eve, anna.userId)).messages).toEqual([]);
    expect((await dialog(eve, bob.userId)).messages).toEqual([]);
    expect(eve.frames.some((f) => f.includes('while you were away') || f.includes('before the crash'))).toBe(false);
  }, 30_000);
});
