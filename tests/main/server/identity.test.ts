import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { newIdentitySecret } from '../../../src-shared/protocol';
import type { DialogHistoryMessage, ErrorMessage, PrivateMessage, ServerMessage } from '../../../src-shared/protocol';
import { ChatClient } from '../../support/chat-client';
import type { LoginParams } from '../../support/chat-client';
import { IdentityQuota } from '../../../src-main/server/identity-quota';
import { startTestServer } from './helpers';
import type { TestServer } from './helpers';

/*
 * Lasting identities and private dialogs over real sockets: a name held for an identity
 * while it is away, a dialog's history for both sides across a reconnect and a restart
 * on the same database, a line for someone offline delivered when they come back, and
 * strangers (from another address) who never receive or page a private line.
 */

const ATTACKER = '127.0.0.1';
const VICTIM = '127.0.0.2';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});
function tempDb(): string {
  const dir = mkdtempSync(join(tmpdir(), 'simplechat-identity-'));
  dirs.push(dir);
  return join(dir, 'chat.db');
}

function start(config: Parameters<typeof startTestServer>[0] = {}): Promise<TestServer> {
  return startTestServer({ exemptLoopbackFromIpLimit: false, presenceGraceMs: 0, ...config });
}

async function login(t: TestServer, params: LoginParams, from = VICTIM): Promise<ChatClient> {
  return t.join(params, { localAddress: from });
}

const isPrivate = (text: string) => (m: ServerMessage): m is PrivateMessage => m.action === 'PrivateMessage' && m.text === text;
const isDialog = (withUserId: number) => (m: ServerMessage): m is DialogHistoryMessage => m.action === 'DialogHistory' && m.with === withUserId;

async function page(client: ChatClient, withUserId: number): Promise<DialogHistoryMessage> {
  const after = client.mark();
  client.send({ action: 'History', with: withUserId });
  return client.waitFor(isDialog(withUserId), undefined, 'the DialogHistory', after);
}

describe('a name held by a lasting identity', () => {
  it('is not given to a newcomer while the identity is away: it gets "Name (2)"; the identity gets its name and id back', async () => {
    const t = await start();
    const secret = newIdentitySecret();
    const anna = await login(t, { userName: 'Anna', identity: secret });
    await anna.close();
    const squatter = await login(t, { userName: 'anna' }, ATTACKER);
    expect(squatter.userName).toBe('anna (2)');
    await squatter.close();
    const other = await login(t, { userName: 'Anna', identity: newIdentitySecret() }, ATTACKER);
    expect(other.userName).toBe('Anna (2)');
    await other.close();
    const back = await login(t, { userName: 'Anna', identity: secret });
    expect(back.authorized).toMatchObject({ userName: 'Anna', userId: anna.userId });
  });

  it('keeps look-alikes off it too, and moves with the identity when it takes another name', async () => {
    const t = await start();
    const secret = newIdentitySecret();
    await (await login(t, { userName: 'Admin', identity: secret })).close();
    const lookAlike = await login(t, { userName: '\u0410dmin' }, ATTACKER);
    expect(lookAlike.userName).toBe('\u0410dmin (2)');
    await lookAlike.close();
    const renamed = await login(t, { userName: 'Root', identity: secret });
    expect(renamed.userName).toBe('Root');
    await renamed.close();
    const observer = await login(t, { userName: 'Observer' }, ATTACKER);
    expect((await login(t, { userName: 'Admin' }, ATTACKER)).userName).toBe('Admin');
    expect((await login(t, { userName: 'Root' }, ATTACKER)).userName).toBe('Root (2)');
    await observer.close();
  });

  it('is free again once the identity has not been seen for --name-hold-days (here: the database says 31 days)', async () => {
    const dbFile = tempDb();
    const t1 = await start({ dbFile });
    const anna = await login(t1, { userName: 'Anna', identity: newIdentitySecret() });
    await anna.close();
    await t1.server.close();
    const db = new Database(dbFile);
    expect(db.prepare('UPDATE identities SET last_seen = ?').run(Date.now() - 31 * 86_400_000).changes).toBe(1);
    db.close();
    const t2 = await start({ dbFile });
    expect((await login(t2, { userName: 'Anna' }, ATTACKER)).userName).toBe('Anna');
  });

  it('past --max-identities, the one away longest makes room once its hold is over (forgotten on disk, its name free); one seen lately never does', async () => {
    const dbFile = tempDb();
    const t1 = await start({ dbFile, maxIdentities: 2 });
    const anna = await login(t1, { userName: 'Anna', identity: newIdentitySecret() });
    const bob = await login(t1, { userName: 'Bob', identity: newIdentitySecret() });
    expect([anna.authorized.lasting, bob.authorized.lasting]).toEqual([true, true]);
    await anna.close();
    await bob.close();
    await t1.server.close();
    const db = new Database(dbFile);
    db.prepare('UPDATE identities SET last_seen = ? WHERE user_name = ?').run(Date.now() - 31 * 86_400_000, 'Anna');
    db.close();
    const t2 = await start({ dbFile, maxIdentities: 2 });
    const carol = await login(t2, { userName: 'Carol', identity: newIdentitySecret() });
    expect(carol.authorized.lasting).toBe(true);
    // Bob was seen today: his place is not taken, so a fourth login goes on without an identity.
    expect((await login(t2, { userName: 'Dave', identity: newIdentitySecret() })).authorized.lasting).toBeUndefined();
    expect((await login(t2, { userName: 'Anna' }, ATTACKER)).userName).toBe('Anna');
    expect((await login(t2, { userName: 'Bob' }, ATTACKER)).userName).toBe('Bob (2)');
    await t2.server.close();
    const check = new Database(dbFile, { readonly: true });
    try {
      expect((check.prepare('SELECT user_name FROM identities ORDER BY user_id').all() as Array<{ user_name: string }>).map((r) => r.user_name)).toEqual(['Bob', 'Carol']);
    } finally {
      check.close();
    }
  });

  it('is held across a restart on the same database, and not at all with --name-hold-days 0', async () => {
    const dbFile = tempDb();
    const t1 = await start({ dbFile });
    await (await login(t1, { userName: 'Anna', identity: newIdentitySecret() })).close();
    await t1.server.close();
    const t2 = await start({ dbFile });
    expect((await login(t2, { userName: 'Anna' }, ATTACKER)).userName).toBe('Anna (2)');
    const t3 = await start({ nameHoldDays: 0 });
    await (await login(t3, { userName: 'Anna', identity: newIdentitySecret() })).close();
    expect((await login(t3, { userName: 'Anna' }, ATTACKER)).userName).toBe('Anna');
  });

  it('refuses a junk secret with an Error to that client only; it logs in with no lasting identity', async () => {
    const t = await start();
    const bob = await login(t, { userName: 'Bob' }, VICTIM);
    for (const junk of ['short', 'x'.repeat(44), `${newIdentitySecret().slice(0, 42)}=`, 'é'.repeat(43)]) {
      const client = await login(t, { userName: 'Junk', identity: junk }, ATTACKER);
      const error = await client.waitFor((m): m is ErrorMessage => m.action === 'Error');
      expect(error).toMatchObject({ code: 'invalid-parameter', message: expect.stringContaining('identity') });
      // No lasting identity: its name is not held once it leaves.
      await client.close();
      const next = await login(t, { userName: 'Junk' }, ATTACKER);
      expect(next.userName).toBe('Junk');
      await next.close();
    }
    expect(bob.all('Error')).toEqual([]);
  });
});

describe('a private dialog between two identities', () => {
  it('is paged by both sides across a reconnect; the echo says delivered', async () => {
    const t = await start();
    const [sa, sb] = [newIdentitySecret(), newIdentitySecret()];
    const carol = await login(t, { userName: 'Carol' }, ATTACKER);
    const anna = await login(t, { userName: 'Anna', identity: sa });
    const bob = await login(t, { userName: 'Bob', identity: sb });
    anna.say('hi Bob', bob.userId);
    const echo = await anna.waitFor(isPrivate('hi Bob'));
    expect(echo).toMatchObject({ toUserId: bob.userId, delivery: 'delivered', messageId: expect.any(Number) });
    await bob.waitFor(isPrivate('hi Bob'));
    bob.say('hi Anna', anna.userId);
    await anna.waitFor(isPrivate('hi Anna'));
    await Promise.all([anna.close(), bob.close()]);
    for (const gone of [anna, bob]) await carol.waitFor((m) => m.action === 'Disconnected' && m.userId === gone.userId);

    const anna2 = await login(t, { userName: 'Anna', identity: sa });
    const bob2 = await login(t, { userName: 'Bob', identity: sb });
    expect([anna2.userId, bob2.userId]).toEqual([anna.userId, bob.userId]);
    for (const [client, peer] of [[anna2, bob.userId], [bob2, anna.userId]] as const) {
      const history = await page(client, peer);
      expect(history.messages.map((m) => [m.userName, m.text])).toEqual([['Anna', 'hi Bob'], ['Bob', 'hi Anna']]);
      expect(history.hasMore).toBe(false);
    }
    // Paged like a room: one line before the second.
    const second = (await page(anna2, bob.userId)).messages[1]!;
    anna2.send({ action: 'History', with: bob.userId, before: second.messageId, limit: 1 });
    const older = await anna2.waitFor((m): m is DialogHistoryMessage => m.action === 'DialogHistory' && m.messages.length === 1 && m.messages[0]!.text === 'hi Bob');
    expect(older.hasMore).toBe(false);
    // Private lines stay out of the room's History.
    const dave = await login(t, { userName: 'Dave' }, ATTACKER);
    expect(dave.all('History').flatMap((h) => h.messages)).toEqual([]);
    expect(carol.frames.some((f) => f.includes('hi Bob') || f.includes('hi Anna'))).toBe(false);
  });

  it('keeps a line for an offline identity, delivers it when it comes back (after a restart), and tells the sender', async () => {
    const dbFile = tempDb();
    const t1 = await start({ dbFile });
    const [sa, sb] = [newIdentitySecret(), newIdentitySecret()];
    const anna = await login(t1, { userName: 'Anna', identity: sa });
    const bob = await login(t1, { userName: 'Bob', identity: sb });
    const bobId = bob.userId;
    await bob.close();
    await anna.waitFor((m) => m.action === 'Disconnected' && m.userId === bobId);
    anna.say('are you there?', bobId);
    const echo = await anna.waitFor(isPrivate('are you there?'));
    expect(echo).toMatchObject({ toUserId: bobId, delivery: 'waiting' });
    expect(anna.all('PrivateMessage').some((m) => m.error !== undefined)).toBe(false);
    await t1.server.close();

    const t2 = await start({ dbFile });
    const anna2 = await login(t2, { userName: 'Anna', identity: sa });
    const waiting = await page(anna2, bobId);
    expect(waiting.messages.map((m) => [m.text, m.delivery])).toEqual([['are you there?', 'waiting']]);
    const bob2 = await login(t2, { userName: 'Bob', identity: sb });
    expect(bob2.userId).toBe(bobId);
    const delivered = await bob2.waitFor(isPrivate('are you there?'));
    expect(delivered).toMatchObject({ userId: anna.userId, messageId: echo.messageId, delivery: 'delivered' });
    const notice = await anna2.waitFor((m) => m.action === 'Delivered');
    expect(notice).toEqual({ action: 'Delivered', toUserId: bobId, messageIds: [echo.messageId] });
    expect((await page(anna2, bobId)).messages.map((m) => m.delivery)).toEqual(['delivered']);
    // Delivered once: a later login gets nothing again.
    await bob2.close();
    await anna2.waitFor((m) => m.action === 'Disconnected' && m.userId === bobId);
    const bob3 = await login(t2, { userName: 'Bob', identity: sb });
    const mark = bob3.mark();
    expect((await page(bob3, anna.userId)).messages).toHaveLength(1);
    expect(bob3.messages.slice(0, mark).filter((m) => m.action === 'PrivateMessage')).toEqual([]);
  });

  it('is never received or paged by a stranger (another identity, from another address)', async () => {
    const t = await start();
    const anna = await login(t, { userName: 'Anna', identity: newIdentitySecret() });
    const bob = await login(t, { userName: 'Bob', identity: newIdentitySecret() });
    const eve = await login(t, { userName: 'Eve', identity: newIdentitySecret() }, ATTACKER);
    const qt = await login(t, { userName: 'Mallory' }, ATTACKER);
    anna.say('secret for Bob', bob.userId);
    await bob.waitFor(isPrivate('secret for Bob'));
    // Offline too: Bob leaves, Anna writes again.
    await bob.close();
    await anna.waitFor((m) => m.action === 'Disconnected' && m.userId === bob.userId);
    anna.say('second secret', bob.userId);
    await anna.waitFor(isPrivate('second secret'));
    for (const stranger of [eve, qt]) {
      for (const peer of [anna.userId, bob.userId]) {
        stranger.send({ action: 'History', with: peer });
      }
    }
    expect((await page(eve, bob.userId)).messages).toEqual([]);
    expect((await page(eve, anna.userId)).messages).toEqual([]);
    await qt.waitFor((m) => m.action === 'Error' && m.code === 'invalid-history-request');
    // A canary public line after everything: whatever was coming has come.
    anna.say('canary');
    for (const stranger of [eve, qt]) {
      await stranger.waitFor((m) => m.action === 'PublicMessage' && m.text === 'canary');
      expect(stranger.frames.some((f) => f.includes('secret'))).toBe(false);
    }
  });

  it('reaches every session of the recipient identity (two tabs), and pages the same dialog from each', async () => {
    const t = await start();
    const sb = newIdentitySecret();
    const anna = await login(t, { userName: 'Anna', identity: newIdentitySecret() });
    const tab1 = await login(t, { userName: 'Bob', identity: sb });
    const tab2 = await login(t, { userName: 'Bob', identity: sb });
    expect(tab2.userName).toBe('Bob (2)');
    anna.say('to both tabs', tab1.userId);
    await tab1.waitFor(isPrivate('to both tabs'));
    await tab2.waitFor(isPrivate('to both tabs'));
    expect((await page(tab2, anna.userId)).messages.map((m) => m.text)).toEqual(['to both tabs']);
    expect((await page(anna, tab2.userId)).messages.map((m) => m.text)).toEqual(['to both tabs']);
    // The name held is the one the first tab has, not the second tab's suffixed one.
    await Promise.all([tab1.close(), tab2.close()]);
    for (const tab of [tab1, tab2]) await anna.waitFor((m) => m.action === 'Disconnected' && m.userId === tab.userId);
    expect((await login(t, { userName: 'Bob' }, ATTACKER)).userName).toBe('Bob (2)');
  });

  it('a line from a second tab names the identity’s own user id, so the other side replies to the identity (and it reaches both tabs)', async () => {
    const t = await start();
    const sb = newIdentitySecret();
    const anna = await login(t, { userName: 'Anna', identity: newIdentitySecret() });
    const tab1 = await login(t, { userName: 'Bob', identity: sb });
    const tab2 = await login(t, { userName: 'Bob', identity: sb }, ATTACKER);
    expect(tab2.userId).not.toBe(tab1.userId);
    tab2.say('from the second tab', anna.userId);
    const got = await anna.waitFor(isPrivate('from the second tab'));
    expect(got.userId).toBe(tab1.userId);
    expect((await tab1.waitFor(isPrivate('from the second tab'))).userId).toBe(tab1.userId);
    expect((await page(anna, tab1.userId)).messages.map((m) => [m.userId, m.text])).toEqual([[tab1.userId, 'from the second tab']]);
    anna.say('the reply', got.userId);
    await tab1.waitFor(isPrivate('the reply'));
    await tab2.waitFor(isPrivate('the reply'));
  });

  it('refuses junk dialog requests with an Error to the sender only; the others keep chatting', async () => {
    const t = await start();
    const anna = await login(t, { userName: 'Anna', identity: newIdentitySecret() });
    const eve = await login(t, { userName: 'Eve', identity: newIdentitySecret() }, ATTACKER);
    for (const junk of [{ with: 'x' }, { with: -1 }, { with: 0 }, { with: 1.5 }, { with: [1] }, { with: anna.userId, limit: 0 }, { with: anna.userId, before: 'x' }]) {
      const after = eve.mark();
      eve.send({ action: 'History', ...junk });
      await eve.waitFor((m) => m.action === 'Error' && m.code === 'invalid-history-request', undefined, JSON.stringify(junk), after);
    }
    anna.say('still here');
    await eve.waitFor((m) => m.action === 'PublicMessage' && m.text === 'still here');
    expect(anna.all('Error')).toEqual([]);
  });
});

describe('new lasting identities per address', () => {
  it('past --identities-per-address-per-day an address logs in with no identity (no dialogs, no name held); another address still gets one', async () => {
    const t = await start({ identitiesPerAddressPerDay: 2 });
    const victim = await login(t, { userName: 'Vic', identity: newIdentitySecret() }, VICTIM);
    const secrets = [newIdentitySecret(), newIdentitySecret()];
    for (const [i, secret] of secrets.entries()) {
      const made = await login(t, { userName: `M${i + 1}`, identity: secret }, ATTACKER);
      expect((await page(made, victim.userId)).messages).toEqual([]);
      await made.close();
    }
    const past = await login(t, { userName: 'M3', identity: newIdentitySecret() }, ATTACKER);
    const after = past.mark();
    past.send({ action: 'History', with: victim.userId });
    await past.waitFor((m) => m.action === 'Error' && m.code === 'invalid-history-request', undefined, 'the refusal', after);
    await past.close();
    // It held no name: a newcomer gets M3 itself.
    expect((await login(t, { userName: 'M3' }, VICTIM)).userName).toBe('M3');
    // An identity the address made before is known again: the cap is on new ones.
    const back = await login(t, { userName: 'M1', identity: secrets[0]! }, ATTACKER);
    expect((await page(back, victim.userId)).messages).toEqual([]);
    const fresh = await login(t, { userName: 'Other', identity: newIdentitySecret() }, VICTIM);
    expect((await page(fresh, victim.userId)).messages).toEqual([]);
  });
});

describe('IdentityQuota (new identities per address per day)', () => {
  it('counts per address (IPv6 by /64) for a day, then afresh; it tracks at most maxTracked addresses', () => {
    let now = 0;
    const quota = new IdentityQuota(2, false, () => now, 100);
    expect([quota.take('10.0.0.1'), quota.take('10.0.0.1'), quota.take('10.0.0.1')]).toEqual([true, true, false]);
    expect([quota.take('2001:db8::1'), quota.take('2001:db8::2'), quota.take('2001:db8::3')]).toEqual([true, true, false]);
    expect(quota.take('10.0.0.2')).toBe(true);
    now += 86_400_000;
    expect(quota.take('10.0.0.1')).toBe(true);
    for (let i = 0; i < 1_000; i++) quota.take(`10.1.${i >> 8}.${i & 255}`);
    expect(quota.trackedAddresses).toBeLessThanOrEqual(100);
    // With the loopback exemption (the default), loopback is not counted, as for the join rate.
    const exempt = new IdentityQuota(1, true, () => now);
    expect([exempt.take('127.0.0.1'), exempt.take('127.0.0.1'), exempt.take('10.0.0.1'), exempt.take('10.0.0.1')]).toEqual([true, true, true, false]);
  });
});

describe('a private dialog with --state-file (no database)', () => {
  it('is never written to the file, so no restart brings its lines back in the room’s History', async () => {
    const stateFile = join(tempDb().replace(/chat\.db$/, ''), 'state.json');
    const t1 = await start({ stateFile, historyLines: 50 });
    const anna = await login(t1, { userName: 'Anna', identity: newIdentitySecret() });
    const bob = await login(t1, { userName: 'Bob', identity: newIdentitySecret() });
    anna.say('public before');
    anna.say('secret before the restart', bob.userId);
    await bob.waitFor(isPrivate('secret before the restart'));
    await bob.close();
    await anna.waitFor((m) => m.action === 'Disconnected' && m.userId === bob.userId);
    anna.say('secret while away', bob.userId);
    await anna.waitFor(isPrivate('secret while away'));
    await t1.server.close();
    expect(readFileSync(stateFile, 'utf8')).not.toContain('secret');
    const t2 = await start({ stateFile, historyLines: 50 });
    const eve = await login(t2, { userName: 'Eve' }, ATTACKER);
    const history = eve.all('History').flatMap((h) => h.messages).map((m) => m.text);
    expect(history).toEqual(['public before']);
  });
});

describe('the original Qt client (no identity)', () => {
  it('sends and gets private lines as today: no delivery field, recipient-offline for someone offline', async () => {
    const t = await start();
    const anna = await login(t, { userName: 'Anna', identity: newIdentitySecret() });
    const qt = await login(t, { userName: 'Qt' }, ATTACKER);
    anna.say('hello Qt', qt.userId);
    await qt.waitFor(isPrivate('hello Qt'));
    const raw = qt.frames.find((f) => f.includes('hello Qt'))!;
    expect(raw).not.toContain('delivery');
    await anna.close();
    await qt.waitFor((m) => m.action === 'Disconnected' && m.userId === anna.userId);
    qt.say('anyone?', anna.userId);
    await qt.waitFor((m) => m.action === 'PrivateMessage' && m.error === 'recipient-offline');
  });
});
