import { describe, expect, it } from 'vitest';
import type { Identity, ServerMessage } from '../../../src-shared/protocol';
import { RECIPIENT_OFFLINE_TEXT } from '../../../src-main/server/chat-hub';
import { ChatClient } from '../../support/chat-client';
import { startTestServer } from './helpers';

const isPublic = (text: string) => (m: ServerMessage) => m.action === 'PublicMessage' && m.text === text;
const identityOf = (m: Identity): Identity => ({ userId: m.userId, userName: m.userName, gender: m.gender, userColor: m.userColor });

describe('presence', () => {
  it('sends Authorized with everyone in join order, then Connected to everyone including the newcomer', async () => {
    const t = await startTestServer();
    const a = await t.join({ userName: 'Аня', userColor: '#16a085', gender: 2 });
    const b = await t.join({ userName: 'Bob', userColor: '#abc', gender: 1 });
    expect(b.messages[0]).toEqual({
      action: 'Authorized',
      userId: b.userId,
      userName: 'Bob',
      gender: 1,
      userColor: '#abc',
      users: [
        { userId: a.userId, userName: 'Аня', gender: 2, userColor: '#16a085' },
        { userId: b.userId, userName: 'Bob', gender: 1, userColor: '#abc' },
      ],
      sessionToken: expect.any(String),
    });
    const connected = { action: 'Connected', ...identityOf(b.authorized) };
    expect(await b.waitFor((m) => m.action === 'Connected' && m.userId === b.userId)).toEqual(connected);
    expect(await a.waitFor((m) => m.action === 'Connected' && m.userId === b.userId)).toEqual(connected);
    // Authorized is the newcomer's first message, before its own Connected.
    expect(b.messages.findIndex((m) => m.action === 'Connected')).toBeGreaterThan(0);
  });

  it('sends the field types exactly as the original: integer userId and gender, string colour', async () => {
    const t = await startTestServer();
    const a = await t.join({ userName: 'a', gender: '2' });
    const raw = JSON.parse(a.frames[0]!) as Record<string, unknown>;
    expect(Number.isInteger(raw.userId)).toBe(true);
    expect(raw.gender).toBe(2);
    expect(typeof raw.userColor).toBe('string');
    expect(Array.isArray(raw.users)).toBe(true);
  });

  it('tells the rest Disconnected when a user closes', async () => {
    const t = await startTestServer();
    const a = await t.join('a');
    const b = await t.join('b');
    const identity = identityOf(b.authorized);
    await b.close();
    expect(await a.waitFor((m) => m.action === 'Disconnected')).toEqual({ action: 'Disconnected', ...identity });
    expect(t.server.connectionCount).toBe(1);
    expect(t.logs.some((line) => line.startsWith(`leave #${identity.userId} "b"`))).toBe(true);
  });

  it('gives positive, never reused ids', async () => {
    const t = await startTestServer();
    const seen = new Set<number>();
    for (let i = 0; i < 5; i++) {
      const c = await t.join('same');
      expect(c.userId).toBeGreaterThan(0);
      expect(c.userId).toBeLessThan(2 ** 31);
      expect(seen.has(c.userId)).toBe(false);
      seen.add(c.userId);
      await c.close();
    }
  });

  it('makes names unique case-insensitively with (2), (3)', async () => {
    const t = await startTestServer();
    const a = await t.join('Anna');
    const b = await t.join('anna');
    const c = await t.join('ANNA');
    expect([a.userName, b.userName, c.userName]).toEqual(['Anna', 'anna (2)', 'ANNA (3)']);
  });

  it('cleans names, colours and gender, and uses the configured default name', async () => {
    const t = await startTestServer({ defaultUserName: 'Гость' });
    const a = await t.join({ userName: '  <b>Zoë</b>\t\n  O’Neil  ', userColor: "red' style='x", gender: 7 });
    expect(a.authorized).toMatchObject({ userName: 'bZoëb ONeil', userColor: '#34495e', gender: 0 });
    const b = await t.join({ userName: '!!!' });
    expect(b.userName).toBe('Гость');
    const c = await t.join({});
    expect(c.userName).toBe('Гость (2)');
  });
});

describe('public messages', () => {
  it('go to everyone, the sender included, with the sender’s identity and nothing a client made up', async () => {
    const t = await startTestServer();
    const a = await t.join({ userName: 'Аня', userColor: '#16a085', gender: 2 });
    const b = await t.join('Bob');
    a.send({ action: 'PublicMessage', text: '  hi all  ', toUserId: 0, userId: 999, userName: 'Admin', userColor: '<x>', html: '<img>' });
    const expected = { action: 'PublicMessage', userId: a.userId, userName: 'Аня', gender: 2, userColor: '#16a085', text: 'hi all' };
    await a.waitFor(isPublic('hi all'));
    await b.waitFor(isPublic('hi all'));
    const raw = b.frames.map((f) => JSON.parse(f) as Record<string, unknown>).find((m) => m.text === 'hi all');
    // Plus the line's place in the server's record: its id and the server's time.
    expect(raw).toEqual({ ...expected, messageId: expect.any(Number), sentAt: expect.any(Number) });
  });

  it('accept the Qt client’s form: no action, no toUserId', async () => {
    const t = await startTestServer();
    const a = await t.join('a');
    const b = await t.join('b');
    a.send({ text: 'qt style', toUserId: 0 });
    a.send({ text: 'no recipient' });
    await b.waitFor(isPublic('qt style'));
    await b.waitFor(isPublic('no recipient'));
  });

  it('are escaped and each {…} becomes bold, non-greedily', async () => {
    const t = await startTestServer();
    const a = await t.join('a');
    a.say(`{A} и {B} <script>alert("x")</script> & 'q'`);
    const m = await a.waitFor((m) => m.action === 'PublicMessage');
    expect(m).toMatchObject({
      text: '<b>A</b> и <b>B</b> &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#039;q&#039;',
    });
  });

  it('skip empty text and refuse text over 4096 characters with an Error to the sender only', async () => {
    const t = await startTestServer();
    const a = await t.join('a');
    const b = await t.join('b');
    const mark = b.mark();
    a.say('   ');
    a.say('x'.repeat(4097));
    expect(await a.waitFor((m) => m.action === 'Error')).toMatchObject({ action: 'Error', code: 'text-too-long' });
    a.say('😀'.repeat(4096));
    a.say('after');
    await b.waitFor(isPublic('after'), undefined, undefined, mark);
    const seen = b.messages.slice(mark).filter((m) => m.action !== 'Connected' && m.action !== 'Ping');
    expect(seen.map((m) => (m.action === 'PublicMessage' ? m.text.length : m.action))).toEqual(['😀'.repeat(4096).length, 5]);
  });
});

describe('private messages', () => {
  it('go to the target and one copy to the sender, nobody else', async () => {
    const t = await startTestServer();
    const a = await t.join('a');
    const b = await t.join('b');
    const c = await t.join('c');
    const markC = c.mark();
    a.say('psst {b}', b.userId);
    const expected = { action: 'PrivateMessage', ...identityOf(a.authorized), text: 'psst <b>b</b>', toUserId: b.userId };
    const received = await b.waitFor((m) => m.action === 'PrivateMessage');
    expect(received).toEqual({ ...expected, messageId: expect.any(Number), sentAt: expect.any(Number) });
    // The sender's copy is the same line, id and all.
    expect(await a.waitFor((m) => m.action === 'PrivateMessage')).toEqual(received);
    a.say('public after');
    await c.waitFor(isPublic('public after'), undefined, undefined, markC);
    expect(c.all('PrivateMessage')).toEqual([]);
    await a.waitFor(isPublic('public after'));
    expect(a.all('PrivateMessage')).toHaveLength(1);
  });

  it('to oneself arrive once', async () => {
    const t = await startTestServer();
    const a = await t.join('a');
    a.say('note to self', a.userId);
    a.say('marker');
    await a.waitFor(isPublic('marker'));
    expect(a.all('PrivateMessage').map((m) => m.text)).toEqual(['note to self']);
  });

  it('to someone offline come back to the sender only, explained, with error recipient-offline', async () => {
    const t = await startTestServer();
    const a = await t.join('a');
    const b = await t.join('b');
    const gone = await t.join('gone');
    const goneId = gone.userId;
    await gone.close();
    await a.waitFor((m) => m.action === 'Disconnected' && m.userId === goneId);
    const markB = b.mark();
    a.say('are you there?', goneId);
    const reply = await a.waitFor((m) => m.action === 'PrivateMessage');
    expect(reply).toEqual({
      action: 'PrivateMessage', ...identityOf(a.authorized), text: RECIPIENT_OFFLINE_TEXT, toUserId: goneId, error: 'recipient-offline',
    });
    a.say('marker');
    await b.waitFor(isPublic('marker'), undefined, undefined, markB);
    expect(b.all('PrivateMessage')).toEqual([]);
  });
});

describe('an Error for the sender only', () => {
  it.each([
    ['{"text": 5}', 'invalid-text'],
    ['{"text": "x", "toUserId": -1}', 'invalid-recipient'],
    ['{"text": "x", "toUserId": 1.5}', 'invalid-recipient'],
    ['{"action": "Bogus"}', 'unknown-action'],
    ['[1,2]', 'not-an-object'],
    ['nope', 'invalid-json'],
  ])('%s → %s', async (frame, code) => {
    const t = await startTestServer();
    const a = await t.join('a');
    const b = await t.join('b');
    const markB = b.mark();
    a.send(frame);
    expect(await a.waitFor((m) => m.action === 'Error')).toMatchObject({ code, message: expect.any(String) });
    a.say('marker');
    await b.waitFor(isPublic('marker'), undefined, undefined, markB);
    expect(b.messages.slice(markB).map((m) => m.action)).toEqual(['PublicMessage']);
  });
});

describe('the Qt client and ours side by side', () => {
  it('a client with an odd query still gets in', async () => {
    const t = await startTestServer();
    const c = ChatClient.open(`ws://127.0.0.1:${t.port}/?userName=Tom&Jerry&userColor=%23123&gender=1&extra=1`);
    const authorized = await c.waitFor((m) => m.action === 'Authorized');
    expect(authorized).toMatchObject({ userName: 'Tom', userColor: '#123', gender: 1 });
    c.terminate();
  });
});
