import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CloseCode, MAX_USER_ID } from '../../../src-shared/protocol';
import { JoinRate } from '../../../src-main/server/join-rate';
import { snapshotText } from '../../../src-main/server/state-file';
import { ChatClient, withTimeout } from '../../support/chat-client';
import type { CloseEvent, LoginParams } from '../../support/chat-client';
import { startTestServer } from './helpers';
import type { TestServer } from './helpers';

/*
 * Per-address limits that one exact address could slip (issue 18, hole 9). 127.0.0.1 is
 * the attacker (or the local proxy), 127.0.0.2 another host.
 */

const ATTACKER = '127.0.0.1';
const VICTIM = '127.0.0.2';

const open = new Set<ChatClient>();
afterEach(() => {
  for (const client of open) client.terminate();
  open.clear();
});

interface Via {
  localAddress?: string;
  forwardedFor?: string;
}

/** One login: the client once Authorized (kept open), or the close it got instead. */
async function login(t: TestServer, params: LoginParams, via: Via = {}): Promise<ChatClient | CloseEvent> {
  const client = ChatClient.open(t.url(params), {
    ...(via.localAddress !== undefined ? { localAddress: via.localAddress } : {}),
    ...(via.forwardedFor !== undefined ? { headers: { 'X-Forwarded-For': via.forwardedFor } } : {}),
  });
  open.add(client);
  const outcome = await withTimeout(
    Promise.race([client.waitFor((m) => m.action === 'Authorized').then(() => client), client.closed]),
    5000,
    `a login of ${params.userName ?? 'someone'}`,
  );
  return outcome;
}

function userIdOf(outcome: ChatClient | CloseEvent): number {
  if (!(outcome instanceof ChatClient)) throw new Error(`refused: ${outcome.code} ${outcome.reason}`);
  return outcome.userId;
}

const tooMany = { code: CloseCode.tryLater, reason: 'Too many connections from your address' };

describe('joins per address', () => {
  it('a join flood from one address is refused with 4008 past the burst, while another address joins', async () => {
    const t = await startTestServer({ exemptLoopbackFromIpLimit: false, joinBurst: 5, joinsPerSecond: 0.1, maxConnectionsPerIp: 100 });
    const outcomes: Array<ChatClient | CloseEvent> = [];
    for (let i = 0; i < 10; i++) {
      const outcome = await login(t, { userName: `flood${i}` }, { localAddress: ATTACKER });
      outcomes.push(outcome);
      if (outcome instanceof ChatClient) await outcome.close();
    }
    expect(outcomes.slice(0, 5).every((o) => o instanceof ChatClient)).toBe(true);
    for (const refused of outcomes.slice(5)) {
      expect(refused).toEqual({ code: CloseCode.tryLater, reason: 'Too many logins from your address: slow down' });
    }
    expect(userIdOf(await login(t, { userName: 'victim' }, { localAddress: VICTIM }))).toBeGreaterThan(0);
  });

  it('loopback is exempt by default, so local tools and tests may log in as often as they like', async () => {
    const t = await startTestServer({ joinBurst: 2, joinsPerSecond: 0.1 });
    for (let i = 0; i < 5; i++) await ((await login(t, { userName: `local${i}` })) as ChatClient).close();
    // …but not behind a trusted proxy: there every client would be loopback.
    const proxied = await startTestServer({ joinBurst: 2, joinsPerSecond: 0.1, trustProxy: [ATTACKER] });
    const outcomes: Array<ChatClient | CloseEvent> = [];
    for (let i = 0; i < 3; i++) {
      const outcome = await login(proxied, { userName: `p${i}` }, { localAddress: ATTACKER, forwardedFor: '203.0.113.8' });
      outcomes.push(outcome);
      if (outcome instanceof ChatClient) await outcome.close();
    }
    expect(outcomes[2]).toEqual({ code: CloseCode.tryLater, reason: 'Too many logins from your address: slow down' });
  });
});

describe('JoinRate', () => {
  it('lets a burst through, then the steady rate, per /64', () => {
    const joins = new JoinRate({ burst: 3, perSecond: 1 });
    const taken = (ip: string, now: number): boolean[] => [0, 1, 2, 3].map(() => joins.take(ip, now));
    expect(taken('2001:db8:1:2::1', 0)).toEqual([true, true, true, false]);
    expect(joins.take('2001:db8:1:2::99', 0)).toBe(false);
    expect(joins.take('2001:db8:1:3::1', 0)).toBe(true);
    expect(joins.take('2001:db8:1:2::1', 1000)).toBe(true);
    expect(joins.take('2001:db8:1:2::1', 1000)).toBe(false);
  });

  it('forgets full buckets and keeps at most its cap of addresses', () => {
    const joins = new JoinRate({ burst: 2, perSecond: 1 }, 100);
    for (let i = 0; i < 5000; i++) joins.take(`10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`, 0);
    expect(joins.trackedAddresses).toBeLessThanOrEqual(100);
    joins.sweep(1000);
    expect(joins.trackedAddresses).toBe(0);
  });
});

describe('behind a trusted proxy (--trust-proxy)', () => {
  it('counts each X-Forwarded-For client on its own, and holds one to maxConnectionsPerIp though the proxy is loopback', async () => {
    const t = await startTestServer({ trustProxy: [ATTACKER], maxConnectionsPerIp: 2 });
    const one = { localAddress: ATTACKER, forwardedFor: '203.0.113.5' };
    userIdOf(await login(t, { userName: 'a1' }, one));
    userIdOf(await login(t, { userName: 'a2' }, one));
    expect(await login(t, { userName: 'a3' }, one)).toEqual(tooMany);
    // Another client behind the same proxy is someone else.
    userIdOf(await login(t, { userName: 'b1' }, { localAddress: ATTACKER, forwardedFor: '198.51.100.7' }));
    // The proxy's own entry on the right of a spoofed list: the address it heard from is the client.
    expect(await login(t, { userName: 'a4' }, { localAddress: ATTACKER, forwardedFor: '192.0.2.99, 203.0.113.5' })).toEqual(tooMany);
    expect(t.logs.some((line) => line.startsWith('join ') && line.includes('from 203.0.113.5'))).toBe(true);
    // From a peer that is not a trusted proxy the header is the client's word, and ignored.
    userIdOf(await login(t, { userName: 'v1' }, { localAddress: VICTIM, forwardedFor: '203.0.113.5' }));
  });

  it('ignores X-Forwarded-For from a peer that is not a trusted proxy', async () => {
    const t = await startTestServer({ trustProxy: [ATTACKER], maxConnectionsPerIp: 1, exemptLoopbackFromIpLimit: false });
    userIdOf(await login(t, { userName: 'v1' }, { localAddress: VICTIM, forwardedFor: '203.0.113.1' }));
    expect(await login(t, { userName: 'v2' }, { localAddress: VICTIM, forwardedFor: '203.0.113.2' })).toEqual(tooMany);
    // The proxy's clients are counted apart from it and from each other.
    userIdOf(await login(t, { userName: 'p1' }, { localAddress: ATTACKER, forwardedFor: '203.0.113.1' }));
    userIdOf(await login(t, { userName: 'p2' }, { localAddress: ATTACKER, forwardedFor: '203.0.113.2' }));
  });

  it('the proxy itself is not held to the per-address socket caps: it carries every client', async () => {
    const t = await startTestServer({ trustProxy: [ATTACKER], exemptLoopbackFromIpLimit: false, maxSocketsPerIp: 3, maxConnectionsPerIp: 3 });
    for (let i = 0; i < 6; i++) userIdOf(await login(t, { userName: `c${i}` }, { localAddress: ATTACKER, forwardedFor: `203.0.113.${i + 1}` }));
    expect(t.server.connectionCount).toBe(6);
  });

  it('counts an IPv6 client by its /64', async () => {
    const t = await startTestServer({ trustProxy: [ATTACKER], maxConnectionsPerIp: 2 });
    const from = (forwardedFor: string) => ({ localAddress: ATTACKER, forwardedFor });
    userIdOf(await login(t, { userName: 'x1' }, from('2001:db8:1:2::1')));
    userIdOf(await login(t, { userName: 'x2' }, from('2001:db8:1:2::2')));
    expect(await login(t, { userName: 'x3' }, from('2001:db8:1:2:ffff::3'))).toEqual(tooMany);
    userIdOf(await login(t, { userName: 'y1' }, from('2001:db8:1:3::1')));
  });

  it('a missing or malformed header falls back to the proxy itself, which is then not loopback-exempt', async () => {
    const t = await startTestServer({ trustProxy: [ATTACKER], maxConnectionsPerIp: 2 });
    userIdOf(await login(t, { userName: 'm1' }, { localAddress: ATTACKER }));
    userIdOf(await login(t, { userName: 'm2' }, { localAddress: ATTACKER, forwardedFor: 'not an address' }));
    expect(await login(t, { userName: 'm3' }, { localAddress: ATTACKER, forwardedFor: '' })).toEqual(tooMany);
  });
});

describe('user ids never run out', () => {
  it('past the maximum they start again at 1, skipping ids online or held for a session', async () => {
    const t = await startTestServer({ maxUserId: 3, presenceGraceMs: 0 });
    const a = (await login(t, { userName: 'a' })) as ChatClient;
    const b = (await login(t, { userName: 'b' })) as ChatClient;
    const c = (await login(t, { userName: 'c' })) as ChatClient;
    expect([a.userId, b.userId, c.userId]).toEqual([1, 2, 3]);
    const bToken = b.authorized.sessionToken!;
    await c.close();
    b.terminate();
    await a.waitFor((m) => m.action === 'ConnectionLost' && m.userId === 2, 5000, "b's ConnectionLost");
    // 1 is online and 2 waits for b's token: the next free one is 3.
    const d = (await login(t, { userName: 'd' })) as ChatClient;
    expect(d.userId).toBe(3);
    expect(await login(t, { userName: 'e' })).toEqual({ code: CloseCode.tryLater, reason: 'Every user id is in use' });
    const bAgain = (await login(t, { userName: 'b', sessionToken: bToken })) as ChatClient;
    expect(bAgain.userId).toBe(2);
    // Many joins and leaves past the maximum: every one gets an id no one online has.
    await bAgain.close();
    await d.close();
    for (let round = 0; round < 10; round++) {
      const fresh = (await login(t, { userName: `n${round}` })) as ChatClient;
      expect(fresh.userId).toBeGreaterThanOrEqual(2);
      expect(fresh.userId).toBeLessThanOrEqual(3);
      expect(fresh.authorized.users.filter((u) => u.userId === fresh.userId)).toHaveLength(1);
      await fresh.close();
    }
    expect(a.authorized.userId).toBe(1);
  });

  it('a state file whose next id is past the maximum still admits, with ids not held by its sessions', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'simplechat-ids-'));
    try {
      const stateFile = join(dir, 'state.jsonl');
      const held = { token: 'held-session-token-1234', userId: 1, userName: 'held', gender: 0 as const, userColor: '#34495e', ackedSeq: 0 };
      writeFileSync(stateFile, snapshotText({ nextUserId: MAX_USER_ID + 1, sessions: [held], messages: [] }));
      const t = await startTestServer({ stateFile });
      const first = await login(t, { userName: 'first' });
      expect(userIdOf(first)).toBe(2);
      await t.server.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
