import { describe, expect, it } from 'vitest';
import type { BuzzMessage, ErrorMessage, ServerMessage, StatusChangedMessage } from '../../../src-shared/protocol';
import { newIdentitySecret } from '../../../src-shared/protocol';
import { expectCanaryPairChats } from '../../support/chat-client';
import type { ChatClient } from '../../support/chat-client';
import { RawWebSocket, qtClientHandshake } from '../../support/raw-websocket';
import { Buzzes } from '../../../src-main/server/buzz';
import type { Member } from '../../../src-main/server/member';
import { startTestServer } from './helpers';
import { mustJoin } from './rooms/room-helpers';

/*
 * Issue 13 §3 (statuses) and §4 (buzz) over real sockets. Two loopback addresses stand
 * in for two hosts: the victim on 127.0.0.2, the attacker on 127.0.0.1.
 */

const VICTIM = { localAddress: '127.0.0.2' };
const ATTACKER = { localAddress: '127.0.0.1' };
const NO_EXEMPTION = { exemptLoopbackFromIpLimit: false };

const isStatus = (userId: number) => (m: ServerMessage): m is StatusChangedMessage => m.action === 'StatusChanged' && m.userId === userId;
const isBuzz = (m: ServerMessage): m is BuzzMessage => m.action === 'Buzz';
const isError = (m: ServerMessage): m is ErrorMessage => m.action === 'Error';

/** Sends a frame and resolves with the Error it earns. */
async function refusal(client: ChatClient, message: object | string): Promise<ErrorMessage> {
  const after = client.mark();
  client.send(message);
  return client.waitFor(isError, undefined, 'an Error', after);
}

/**
 * Nothing of `actions` reached `others` since their marks: a line said after the refusals
 * arrives after anything they could have caused.
 */
async function expectNothingSent(sayer: ChatClient, others: ChatClient[], marks: number[], actions: string[]): Promise<void> {
  const text = `after ${Math.random()}`;
  sayer.say(text);
  for (const [i, other] of others.entries()) {
    await other.waitFor((m) => m.action === 'PublicMessage' && m.text === text, undefined, 'the line after', marks[i]);
    expect(other.messages.slice(marks[i]).filter((m) => actions.includes(m.action))).toEqual([]);
  }
}

describe('statuses (issue 13 §3)', () => {
  it('a status is seen by everyone who shares the room, the user too, and by newcomers in Authorized and Connected', async () => {
    const t = await startTestServer(NO_EXEMPTION);
    const anna = await t.join('Аня', VICTIM);
    const bob = await t.join('Bob', VICTIM);
    const carol = await t.join('Carol', ATTACKER);
    anna.send({ action: 'SetStatus', status: 'working', text: '  on <the> "report"\n & more  ' });
    const seen = await Promise.all([anna, bob, carol].map((c) => c.waitFor(isStatus(anna.userId))));
    for (const changed of seen) {
      expect(changed).toEqual({ action: 'StatusChanged', userId: anna.userId, status: 'working', text: 'on &lt;the&gt; &quot;report&quot; &amp; more' });
    }
    const dave = await t.join('Dave', ATTACKER);
    const listed = dave.authorized.users.find((u) => u.userId === anna.userId);
    expect(listed).toEqual({ ...anna.authorized.users[0], status: 'working', statusText: 'on &lt;the&gt; &quot;report&quot; &amp; more' });
    // Someone who never set one is listed as before: no status is online.
    expect(dave.authorized.users.find((u) => u.userId === bob.userId)).toEqual({ userId: bob.userId, userName: 'Bob', gender: 0, userColor: '#34495e' });
    // Back to online with no text: the fields go again.
    bob.send({ action: 'SetStatus', status: 'busy' });
    await dave.waitFor(isStatus(bob.userId));
    expect(dave.all('StatusChanged').at(-1)).toEqual({ action: 'StatusChanged', userId: bob.userId, status: 'busy', text: '' });
    anna.send({ action: 'SetStatus', status: 'online', text: '' });
    await dave.waitFor((m) => isStatus(anna.userId)(m) && m.status === 'online');
    const erin = await t.join('Erin', VICTIM);
    expect(erin.authorized.users.find((u) => u.userId === anna.userId)).toEqual({ userId: anna.userId, userName: 'Аня', gender: 0, userColor: '#34495e' });
    expect(erin.authorized.users.find((u) => u.userId === bob.userId)?.status).toBe('busy');
  });

  it('RoomJoined lists each member with its status, also after a change (its cached list is rebuilt)', async () => {
    const t = await startTestServer(NO_EXEMPTION);
    const anna = await t.join('Аня', VICTIM);
    const bob = await t.join('Bob', ATTACKER);
    anna.send({ action: 'SetStatus', status: 'busy', text: 'call' });
    await bob.waitFor(isStatus(anna.userId));
    await mustJoin(anna, 'Ops');
    const first = await mustJoin(bob, 'Ops');
    expect(first.joined.users.find((u) => u.userId === anna.userId)).toMatchObject({ status: 'busy', statusText: 'call' });
    expect(first.joined.users.find((u) => u.userId === bob.userId)).not.toHaveProperty('status');
    anna.send({ action: 'SetStatus', status: 'resting', text: '' });
    await bob.waitFor((m) => isStatus(anna.userId)(m) && m.status === 'resting');
    const carol = await t.join('Carol', VICTIM);
    const later = await mustJoin(carol, 'Ops');
    expect(later.joined.users.find((u) => u.userId === anna.userId)).toEqual({ userId: anna.userId, userName: 'Аня', gender: 0, userColor: '#34495e', status: 'resting' });
  });

  it('the same status again tells nobody anything', async () => {
    const t = await startTestServer(NO_EXEMPTION);
    const anna = await t.join('Аня', VICTIM);
    const bob = await t.join('Bob', ATTACKER);
    anna.send({ action: 'SetStatus', status: 'away', text: 'lunch' });
    await bob.waitFor(isStatus(anna.userId));
    const marks = [anna.mark(), bob.mark()];
    anna.send({ action: 'SetStatus', status: 'away', text: ' lunch ' });
    await expectNothingSent(anna, [anna, bob], marks, ['StatusChanged']);
  });

  it('refuses junk with invalid-status, to the sender only; the others keep chatting', async () => {
    const t = await startTestServer(NO_EXEMPTION);
    const attacker = await t.join('Mallory', ATTACKER);
    const victim = await t.join('Victim', VICTIM);
    const marks = [victim.mark()];
    const junk: object[] = [
      { action: 'SetStatus' },
      { action: 'SetStatus', status: 5 },
      { action: 'SetStatus', status: 'sleeping' },
      { action: 'SetStatus', status: 'ONLINE' },
      { action: 'SetStatus', status: ['online'] },
      { action: 'SetStatus', status: 'online', text: 42 },
      { action: 'SetStatus', status: 'online', text: ['x'] },
      { action: 'SetStatus', status: 'online', text: 'x'.repeat(81) },
      { action: 'AllowBuzz' },
      { action: 'AllowBuzz', allow: 'no' },
    ];
    for (const frame of junk) expect((await refusal(attacker, frame)).code).toBe('invalid-status');
    // 80 characters (code points, not UTF-16 units) is the most.
    attacker.send({ action: 'SetStatus', status: 'resting', text: '😀'.repeat(80) });
    expect((await victim.waitFor(isStatus(attacker.userId))).text).toBe('😀'.repeat(80));
    expect(victim.messages.slice(marks[0]).filter(isError)).toEqual([]);
    await expectCanaryPairChats(t.port);
  });
});

describe('buzz (issue 13 §4)', () => {
  it('reaches the recipient, and the sender gets the same frame as its receipt; nobody else hears of it', async () => {
    const t = await startTestServer(NO_EXEMPTION);
    const anna = await t.join('Аня', VICTIM);
    const bob = await t.join('Bob', ATTACKER);
    const carol = await t.join('Carol', VICTIM);
    const carolMark = carol.mark();
    anna.send({ action: 'Buzz', toUserId: bob.userId });
    const expected = { action: 'Buzz', userId: anna.userId, toUserId: bob.userId };
    expect(await bob.waitFor(isBuzz)).toEqual(expected);
    expect(await anna.waitFor(isBuzz)).toEqual(expected);
    await expectNothingSent(anna, [carol], [carolMark], ['Buzz']);
  });

  it('at most one per sender and recipient per interval: more get rate-limited, another pair is not held up', async () => {
    const t = await startTestServer(NO_EXEMPTION);
    const anna = await t.join('Аня', ATTACKER);
    const bob = await t.join('Bob', VICTIM);
    const carol = await t.join('Carol', VICTIM);
    anna.send({ action: 'Buzz', toUserId: bob.userId });
    await bob.waitFor(isBuzz);
    const bobMark = bob.mark();
    for (let i = 0; i < 3; i++) {
      const error = await refusal(anna, { action: 'Buzz', toUserId: bob.userId });
      expect(error).toMatchObject({ code: 'rate-limited', refused: 'Buzz' });
    }
    // Another recipient, and the other way round, have their own allowance.
    anna.send({ action: 'Buzz', toUserId: carol.userId });
    expect(await carol.waitFor(isBuzz)).toMatchObject({ userId: anna.userId });
    bob.send({ action: 'Buzz', toUserId: anna.userId });
    expect(await anna.waitFor((m) => isBuzz(m) && m.userId === bob.userId)).toMatchObject({ toUserId: anna.userId });
    await expectNothingSent(carol, [bob], [bobMark], ['Error']);
    expect(bob.messages.slice(bobMark).filter((m) => isBuzz(m) && m.userId === anna.userId)).toEqual([]);
  });

  it('a sender counts as its address (no identity) or its identity (every tab): logging in afresh does not reset the interval', async () => {
    const t = await startTestServer(NO_EXEMPTION);
    const bob = await t.join('Bob', VICTIM);
    const first = await t.join('Mallory', ATTACKER);
    first.send({ action: 'Buzz', toUserId: bob.userId });
    await first.waitFor(isBuzz);
    await first.close();
    // A new login from the same address gets a new user id, not a new allowance.
    const again = await t.join('Mallory', ATTACKER);
    expect(again.userId).not.toBe(first.userId);
    expect(await refusal(again, { action: 'Buzz', toUserId: bob.userId })).toMatchObject({ code: 'rate-limited', refused: 'Buzz' });
    // An identity is one sender whichever of its tabs buzzes, wherever it is.
    const secret = newIdentitySecret();
    const tab1 = await t.join({ userName: 'Anna', identity: secret }, VICTIM);
    const tab2 = await t.join({ userName: 'Anna', identity: secret }, ATTACKER);
    tab1.send({ action: 'Buzz', toUserId: bob.userId });
    await tab1.waitFor(isBuzz);
    expect(await refusal(tab2, { action: 'Buzz', toUserId: bob.userId })).toMatchObject({ code: 'rate-limited', refused: 'Buzz' });
    const bobMark = bob.mark();
    await expectNothingSent(tab1, [bob], [bobMark], ['Buzz']);
  });

  it('passes again once the interval is over', async () => {
    const t = await startTestServer({ ...NO_EXEMPTION, buzzIntervalMs: 50 });
    const anna = await t.join('Аня', ATTACKER);
    const bob = await t.join('Bob', VICTIM);
    anna.send({ action: 'Buzz', toUserId: bob.userId });
    await Promise.all([anna.waitFor(isBuzz), bob.waitFor(isBuzz)]);
    for (;;) {
      const after = anna.mark();
      anna.send({ action: 'Buzz', toUserId: bob.userId });
      const answer = await anna.waitFor((m) => isBuzz(m) || isError(m), undefined, 'an answer', after);
      if (answer.action === 'Buzz') break;
      expect(answer).toMatchObject({ code: 'rate-limited' });
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await bob.waitFor(isBuzz, undefined, 'the second buzz', bob.messages.indexOf(bob.all('Buzz')[0]!) + 1);
  });

  it('to an unknown or offline user, or to oneself: an Error of its own, to the sender only', async () => {
    const t = await startTestServer({ ...NO_EXEMPTION, presenceGraceMs: 60_000 });
    const anna = await t.join('Аня', ATTACKER);
    const bob = await t.join('Bob', VICTIM);
    const gone = await t.join('Gone', VICTIM);
    const goneId = gone.userId;
    // 1006 keeps it shown (the presence grace), but it has no connection to buzz.
    gone.terminate();
    await new Promise((resolve) => setTimeout(resolve, 50));
    const bobMark = bob.mark();
    expect(await refusal(anna, { action: 'Buzz', toUserId: 999 })).toMatchObject({ code: 'user-offline', refused: 'Buzz' });
    expect(await refusal(anna, { action: 'Buzz', toUserId: goneId })).toMatchObject({ code: 'user-offline', refused: 'Buzz' });
    expect(await refusal(anna, { action: 'Buzz', toUserId: anna.userId })).toMatchObject({ code: 'invalid-buzz', refused: 'Buzz' });
    await expectNothingSent(anna, [bob], [bobMark], ['Buzz', 'Error']);
  });

  it('refuses junk with invalid-buzz, to the sender only; the others keep chatting', async () => {
    const t = await startTestServer(NO_EXEMPTION);
    const attacker = await t.join('Mallory', ATTACKER);
    const victim = await t.join('Victim', VICTIM);
    const mark = victim.mark();
    for (const toUserId of [undefined, null, 0, -1, 1.5, '2', [2], { id: 2 }, 2 ** 31, 1e300]) {
      expect((await refusal(attacker, { action: 'Buzz', toUserId })).code).toBe('invalid-buzz');
    }
    await expectNothingSent(attacker, [victim], [mark], ['Buzz', 'Error']);
    await expectCanaryPairChats(t.port);
  });

  it('to a user who turned buzzes off: the sender gets buzz-off and the recipient nothing; on again, it passes', async () => {
    const t = await startTestServer(NO_EXEMPTION);
    const anna = await t.join('Аня', ATTACKER);
    const bob = await t.join('Bob', VICTIM);
    bob.send({ action: 'AllowBuzz', allow: false });
    // AllowBuzz has no answer: a line after it shows it was read.
    bob.say('off');
    await anna.waitFor((m) => m.action === 'PublicMessage' && m.text === 'off');
    const bobMark = bob.mark();
    expect(await refusal(anna, { action: 'Buzz', toUserId: bob.userId })).toMatchObject({ code: 'buzz-off', refused: 'Buzz' });
    await expectNothingSent(anna, [bob], [bobMark], ['Buzz']);
    bob.send({ action: 'AllowBuzz', allow: true });
    bob.say('on');
    await anna.waitFor((m) => m.action === 'PublicMessage' && m.text === 'on');
    anna.send({ action: 'Buzz', toUserId: bob.userId });
    expect(await bob.waitFor(isBuzz)).toMatchObject({ userId: anna.userId });
  });

  it('the original Qt client cannot take a buzz (buzz-off), and sees a status only as a frame it ignores', async () => {
    const t = await startTestServer(NO_EXEMPTION);
    const qt = await RawWebSocket.open(t.port, qtClientHandshake());
    await qt.waitForResponse();
    const authorized = await qt.waitForMessage((m) => m.action === 'Authorized');
    const qtId = (authorized as { userId: number }).userId;
    const anna = await t.join('Аня', VICTIM);
    expect(await refusal(anna, { action: 'Buzz', toUserId: qtId })).toMatchObject({ code: 'buzz-off' });
    anna.send({ action: 'SetStatus', status: 'busy', text: 'x' });
    await qt.waitForMessage((m) => m.action === 'StatusChanged');
    qt.destroy();
  });
});

describe('Buzzes (the pairs it remembers)', () => {
  it('forgets pairs whose interval is over, so memory stays bounded however many pairs buzz', () => {
    let now = 0;
    const sent: string[] = [];
    const buzzes = new Buzzes(10_000, (member, frame) => sent.push(`${member.userId}:${frame.subarray(2).toString()}`), () => now);
    const member = (userId: number) =>
      ({ userId, allowsBuzz: true, legacy: false, lasting: null, ip: `10.0.${userId >> 8}.${userId & 255}` }) as unknown as Member;
    const from = member(1);
    for (let to = 2; to < 3_000; to++) buzzes.buzz(from, member(to));
    expect(buzzes.size).toBeLessThanOrEqual(3_000);
    now += 10_000;
    buzzes.buzz(member(2), member(1));
    buzzes.buzz(member(3), member(1));
    expect(buzzes.size).toBeLessThan(1_100);
    // A pair whose interval is over passes again.
    buzzes.buzz(from, member(2));
    expect(sent.at(-1)).toBe('1:{"action":"Buzz","userId":1,"toUserId":2}');
  });
});
