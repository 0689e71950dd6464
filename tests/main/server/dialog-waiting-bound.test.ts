import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { newIdentitySecret } from '../../../src-shared/protocol';
import type { DialogHistoryMessage, PrivateMessage, ServerMessage } from '../../../src-shared/protocol';
import type { ChatClient } from '../../support/chat-client';
import type { LoginParams } from '../../support/chat-client';
import { startTestServer } from './helpers';
import type { TestServer } from './helpers';

/*
 * Lines waiting for an identity that never comes back are stored lines: retention takes
 * them. What the server remembers of them as waiting must go with them, or a sender
 * grows that record without end at the chat rate.
 */

const SENDER = '127.0.0.1';
const RECIPIENT = '127.0.0.2';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function start(config: Parameters<typeof startTestServer>[0]): Promise<TestServer> {
  return startTestServer({ exemptLoopbackFromIpLimit: false, presenceGraceMs: 0, rateBurst: 100, ...config });
}

function login(t: TestServer, params: LoginParams, from: string): Promise<ChatClient> {
  return t.join(params, { localAddress: from });
}

const isPrivate = (text: string) => (m: ServerMessage): m is PrivateMessage => m.action === 'PrivateMessage' && m.text === text;

describe('lines waiting for an identity that does not come back', () => {
  it('are forgotten as waiting once retention has taken them', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'simplechat-waiting-'));
    dirs.push(dir);
    const dbFile = join(dir, 'chat.db');
    const t1 = await start({ dbFile });
    const sender = newIdentitySecret();
    const anna = await login(t1, { userName: 'Anna', identity: sender }, SENDER);
    const bob = await login(t1, { userName: 'Bob', identity: newIdentitySecret() }, RECIPIENT);
    const bobId = bob.userId;
    await bob.close();
    await anna.waitFor((m) => m.action === 'Disconnected' && m.userId === bobId);
    for (let i = 1; i <= 10; i++) anna.say(`line ${i}`, bobId);
    await anna.waitFor(isPrivate('line 10'));
    await t1.server.close();

    // Retention keeps two lines: it prunes the other eight at start.
    const t2 = await start({ dbFile, historyMaxLines: 2 });
    const anna2 = await login(t2, { userName: 'Anna', identity: sender }, SENDER);
    // Pruning runs in the background: the dialog shows when it is done.
    for (let pages = 0; ; pages++) {
      expect(pages).toBeLessThan(100);
      const after = anna2.mark();
      anna2.send({ action: 'History', with: bobId });
      const page = await anna2.waitFor((m): m is DialogHistoryMessage => m.action === 'DialogHistory', undefined, 'the DialogHistory', after);
      if (page.messages.length <= 2) break;
    }
    anna2.say('one more', bobId);
    expect(await anna2.waitFor(isPrivate('one more'))).toMatchObject({ delivery: 'waiting' });
    await t2.server.close();

    const db = new Database(dbFile, { readonly: true });
    try {
      const orphans = db.prepare('SELECT COUNT(*) AS n FROM private_waiting WHERE message_id NOT IN (SELECT message_id FROM lines)').get() as { n: number };
      const waiting = db.prepare('SELECT COUNT(*) AS n FROM private_waiting').get() as { n: number };
      expect(orphans.n).toBe(0);
      expect(waiting.n).toBeLessThanOrEqual(3);
    } finally {
      db.close();
    }
  });
});
