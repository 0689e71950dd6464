import { describe, expect, it } from 'vitest';
import { CloseCode, isValidCloseCode } from '../../../src-shared/protocol';
import { KeyGuard } from '../../../src-main/server/key-guard';
import { ChatClient, withTimeout } from '../../support/chat-client';
import type { CloseEvent, LoginParams } from '../../support/chat-client';
import { startTestServer } from './helpers';
import type { TestServer } from './helpers';

/*
 * Room key guessing (issue 18, hole 3). 127.0.0.1 is the guesser, 127.0.0.2 (and
 * further loopback addresses) other hosts.
 */

const ATTACKER = '127.0.0.1';
const VICTIM = '127.0.0.2';

/** One login attempt from `localAddress`: Authorized (then closed again) or the close it got. */
async function attempt(t: TestServer, localAddress: string, params: LoginParams): Promise<'authorized' | CloseEvent> {
  const client = ChatClient.open(t.url(params), { localAddress });
  const outcome = await withTimeout(
    Promise.race([client.waitFor((m) => m.action === 'Authorized').then(() => 'authorized' as const), client.closed]),
    5000,
    `a login attempt from ${localAddress}`,
  );
  if (outcome === 'authorized') await client.close();
  return outcome;
}

/** Tries the right key until it gets in (the lockout ends), at most `tries` times. */
async function eventuallyGetsIn(t: TestServer, localAddress: string, tries = 100): Promise<CloseEvent[]> {
  const refusals: CloseEvent[] = [];
  for (let i = 0; i < tries; i++) {
    const outcome = await attempt(t, localAddress, { userName: 'back', key: 'sesame' });
    if (outcome === 'authorized') return refusals;
    refusals.push(outcome);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`still refused after ${tries} tries: ${JSON.stringify(refusals.at(-1))}`);
}

describe('room key guessing', () => {
  it('after the free wrong keys an address gets 4029, even with the right key; another address still gets in; after the lockout it works again', async () => {
    const t = await startTestServer({
      roomKey: 'sesame',
      keyTriesPerAddress: 3,
      keyTriesPerRoom: 1000,
      // Long enough that the attempts below surely fall inside it, even on a loaded machine.
      keyLockoutMaxMs: 2000,
      keyTryWindowMs: 60_000,
    });
    const outcomes: Array<'authorized' | CloseEvent> = [];
    for (let guess = 0; guess < 8; guess++) outcomes.push(await attempt(t, ATTACKER, { userName: 'guesser', key: `guess-${guess}` }));
    const wrong = { code: CloseCode.forbidden, reason: 'Wrong room key' };
    // Three free, the fourth is checked (and starts the lockout), the rest are not even compared.
    expect(outcomes.slice(0, 4)).toEqual([wrong, wrong, wrong, wrong]);
    for (const outcome of outcomes.slice(4)) {
      expect(outcome).toMatchObject({ code: CloseCode.tooManyKeyTries, reason: expect.stringMatching(/^Too many wrong room keys from your address: try again in \d+ s$/) });
    }
    expect(isValidCloseCode(CloseCode.tooManyKeyTries)).toBe(true);

    expect(await attempt(t, ATTACKER, { userName: 'guesser', key: 'sesame' })).toMatchObject({ code: CloseCode.tooManyKeyTries });
    expect(await attempt(t, VICTIM, { userName: 'victim', key: 'sesame' })).toBe('authorized');

    // The lockout (capped at 2 s here) ends; the right key gets in again.
    const whileLocked = await eventuallyGetsIn(t, ATTACKER);
    for (const refusal of whileLocked) expect(refusal.code).toBe(CloseCode.tooManyKeyTries);
  });

  it('a window after the lockout the address has its free tries back', async () => {
    const t = await startTestServer({ roomKey: 'sesame', keyTriesPerAddress: 2, keyTriesPerRoom: 1000, keyTryWindowMs: 300 });
    const codes = async (n: number): Promise<number[]> => {
      const seen: number[] = [];
      for (let i = 0; i < n; i++) {
        const outcome = await attempt(t, ATTACKER, { key: `guess-${i}` });
        seen.push(outcome === 'authorized' ? 0 : outcome.code);
      }
      return seen;
    };
    expect(await codes(4)).toEqual([CloseCode.forbidden, CloseCode.forbidden, CloseCode.forbidden, CloseCode.tooManyKeyTries]);
    // Longer than the lockout (1 s) plus the window (300 ms) after it: the tally is forgotten.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(await codes(4)).toEqual([CloseCode.forbidden, CloseCode.forbidden, CloseCode.forbidden, CloseCode.tooManyKeyTries]);
  });

  it('applies to loopback even with the loopback exemption on (a wrong key is never legitimate traffic in volume)', async () => {
    const t = await startTestServer({ roomKey: 'sesame', keyTriesPerAddress: 2, exemptLoopbackFromIpLimit: true });
    for (let guess = 0; guess < 3; guess++) await attempt(t, ATTACKER, { key: `guess-${guess}` });
    expect(await attempt(t, ATTACKER, { key: 'sesame' })).toMatchObject({ code: CloseCode.tooManyKeyTries });
  });

  it('a guess spread over many addresses locks the whole room out for a while, at a higher threshold', async () => {
    const t = await startTestServer({ roomKey: 'sesame', keyTriesPerAddress: 100, keyTriesPerRoom: 4, keyLockoutMaxMs: 1000 });
    for (let host = 10; host < 15; host++) {
      expect(await attempt(t, `127.0.0.${host}`, { key: `guess-${host}` })).toEqual({ code: CloseCode.forbidden, reason: 'Wrong room key' });
    }
    // A host that never guessed: no key is taken from anyone during the room's lockout.
    expect(await attempt(t, '127.0.0.20', { key: 'sesame' })).toMatchObject({
      code: CloseCode.tooManyKeyTries,
      reason: expect.stringMatching(/^Too many wrong room keys: try again in \d+ s$/),
    });
    await eventuallyGetsIn(t, '127.0.0.20');
  });

  it('a member coming back with its session token is not held to a lockout: its token shows it had the key', async () => {
    const t = await startTestServer({ roomKey: 'sesame', keyTriesPerAddress: 100, keyTriesPerRoom: 2, keyLockoutMaxMs: 60_000 });
    const member = await t.join({ userName: 'member', key: 'sesame' }, { localAddress: VICTIM });
    const token = member.authorized.sessionToken!;
    member.terminate();
    for (let host = 10; host < 13; host++) await attempt(t, `127.0.0.${host}`, { key: `guess-${host}` });
    expect(await attempt(t, VICTIM, { userName: 'member', key: 'sesame' })).toMatchObject({ code: CloseCode.tooManyKeyTries });
    const back = await t.join({ userName: 'member', key: 'sesame', sessionToken: token }, { localAddress: VICTIM, awaitOwnConnected: false });
    expect(back.userId).toBe(member.userId);
  });

  it('logs in aggregate: the first wrong key from an address, then summaries, never a line per guess', async () => {
    const t = await startTestServer({ roomKey: 'sesame', keyTriesPerAddress: 1000, keyTryWindowMs: 1000, pingIntervalMs: 100 });
    for (let guess = 0; guess < 30; guess++) await attempt(t, ATTACKER, { key: `guess-${guess}` });
    const keyLines = (): string[] => t.logs.filter((line) => /wrong room key/i.test(line));
    expect(keyLines()[0]).toMatch(/^error 127\.0\.0\.1: refused: Wrong room key \(more from 127\.0\.0\.1 are summarised once a window\)$/);
    expect(t.logs.filter((line) => line.includes('refused: Wrong room key'))).toHaveLength(1);
    const summarised = (): number =>
      keyLines()
        .slice(1)
        .reduce((sum, line) => sum + Number(/: refused (\d+) more wrong room key\(s\) in the last \d+ s/.exec(line)?.[1] ?? Number.NaN), 0);
    // The heartbeat writes the summary once a window has passed since the last line.
    await withTimeout(
      (async () => {
        while (summarised() < 29) await new Promise((resolve) => setTimeout(resolve, 50));
      })(),
      5000,
      'the summary lines',
    );
    expect(summarised()).toBe(29);
    expect(keyLines().length).toBeLessThanOrEqual(4);
  });
});

describe('KeyGuard', () => {
  const limits = { triesPerAddress: 2, triesPerRoom: 1_000_000, windowMs: 60_000, lockoutMaxMs: 300_000 };

  it('doubles the lockout with each wrong key past the free ones, up to the cap', () => {
    const guard = new KeyGuard({ ...limits, lockoutMaxMs: 5_000 }, () => {});
    let now = 0;
    const waits: number[] = [];
    for (let wrong = 0; wrong < 8; wrong++) {
      const lockout = guard.check('192.0.2.1', now);
      if (lockout !== null) now += lockout.retryAfterMs;
      guard.failed('192.0.2.1', now);
      waits.push(guard.check('192.0.2.1', now)?.retryAfterMs ?? 0);
    }
    expect(waits).toEqual([0, 0, 1000, 2000, 4000, 5000, 5000, 5000]);
  });

  it('counts an IPv6 /64 as one address', () => {
    const guard = new KeyGuard(limits, () => {});
    for (const host of ['2001:db8:1:2::1', '2001:db8:1:2::2', '2001:db8:1:2:ffff::9']) guard.failed(host, 0);
    expect(guard.check('2001:db8:1:2::77', 0)).toMatchObject({ scope: 'address' });
    expect(guard.check('2001:db8:1:3::1', 0)).toBeNull();
  });

  it('forgets an address a window after its last wrong key or lockout', () => {
    const guard = new KeyGuard(limits, () => {});
    for (let i = 0; i < 3; i++) guard.failed('192.0.2.1', 0);
    expect(guard.check('192.0.2.1', 500)).not.toBeNull();
    guard.sweep(1000 + 59_999);
    expect(guard.trackedAddresses).toBe(1);
    guard.sweep(1000 + 60_000);
    expect(guard.trackedAddresses).toBe(0);
    expect(guard.check('192.0.2.1', 1000 + 60_000)).toBeNull();
  });

  it('summarises wrong keys and the attempts refused while locked out, once a window', () => {
    const lines: string[] = [];
    const guard = new KeyGuard(limits, (line) => lines.push(line));
    for (let i = 0; i < 3; i++) guard.failed('192.0.2.1', i);
    for (let i = 0; i < 5; i++) expect(guard.check('192.0.2.1', 10 + i)).not.toBeNull();
    expect(lines).toHaveLength(1);
    guard.sweep(30_000);
    expect(lines).toHaveLength(1);
    guard.sweep(60_000);
    expect(lines[1]).toBe('error 192.0.2.1: refused 2 more wrong room key(s) and 5 key attempt(s) while locked out in the last 60 s');
    guard.sweep(120_000);
    expect(lines).toHaveLength(2);
  });

  it('keeps at most its cap of addresses, however many guess', () => {
    const guard = new KeyGuard(limits, () => {}, 100);
    for (let i = 0; i < 5000; i++) guard.failed(`10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`, i);
    expect(guard.trackedAddresses).toBeLessThanOrEqual(100);
  });
});
