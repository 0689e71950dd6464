import { describe, expect, it } from 'vitest';
import { isValidCloseCode } from '../../../src-shared/protocol';
import type { ServerMessage } from '../../../src-shared/protocol';
import { ChatClient, expectCanaryPairChats } from '../../support/chat-client';
import { handshakeWithTarget, Opcode, RawWebSocket } from '../../support/raw-websocket';
import { startTestServer } from './helpers';

/* The "Known faults of the original" in original-protocol.md that concern the server, one test each. */

const marker = (text: string) => (m: ServerMessage) => m.action === 'PublicMessage' && m.text === text;

describe('faults of the original server, fixed', () => {
  it('a private message no longer crashes the room: everyone stays, ids do not restart', async () => {
    const t = await startTestServer();
    const a = await t.join('a');
    const b = await t.join('b');
    a.say('private', b.userId);
    await b.waitFor((m) => m.action === 'PrivateMessage' && m.text === 'private');
    await a.waitFor((m) => m.action === 'PrivateMessage' && m.text === 'private');
    const c = await t.join('c');
    expect(c.userId).toBe(3);
    expect(t.server.connectionCount).toBe(3);
    expect(a.all('Disconnected')).toEqual([]);
  });

  it('mentions are not greedy: {A} и {B} gives two bold runs', async () => {
    const t = await startTestServer();
    const a = await t.join('a');
    a.say('{A} и {B}');
    expect(await a.waitFor((m) => m.action === 'PublicMessage')).toMatchObject({ text: '<b>A</b> и <b>B</b>' });
  });

  it('userColor cannot inject markup: anything but #rgb/#rrggbb becomes the default', async () => {
    const t = await startTestServer();
    const a = await t.join({ userName: 'a', userColor: "#000'><img src=x onerror=alert(1)>" });
    const b = await t.join('b');
    a.say('hello');
    const m = await b.waitFor(marker('hello'));
    expect(m).toMatchObject({ userColor: '#34495e' });
    expect(b.frames.join('')).not.toContain('onerror');
  });

  it.each([
    ['?userName[]=x in the handshake', null, '/?userName[]=x'],
    ['{"text":["x"]}', '{"text":["x"]}', null],
    ['a JSON scalar', '42', null],
  ])('%s no longer crashes the server', async (_name, frame, target) => {
    const t = await startTestServer();
    const watcher = await t.join('watcher');
    if (target !== null) {
      const raw = await RawWebSocket.open(t.port, handshakeWithTarget(target));
      expect(await raw.waitForMessage((m) => m.action === 'Authorized')).toMatchObject({ userName: 'Инкогнито' });
      raw.destroy();
    } else {
      const sender = await t.join('sender');
      sender.send(frame!);
      await sender.waitFor((m) => m.action === 'Error');
    }
    await expectCanaryPairChats(t.port);
    expect(watcher.ws.readyState).toBe(watcher.ws.OPEN);
  });

  it('non-JSON input no longer broadcasts an empty message', async () => {
    const t = await startTestServer();
    const sender = await t.join('sender');
    const watcher = await t.join('watcher');
    sender.send('this is not json');
    sender.send('');
    sender.say('marker');
    await watcher.waitFor(marker('marker'));
    expect(watcher.all('PublicMessage').map((m) => m.text)).toEqual(['marker']);
  });

  it('empty names are not allowed: an empty or all-symbol name gets the default', async () => {
    const t = await startTestServer();
    expect((await t.join({ userName: '' })).userName).toBe('Инкогнито');
    expect((await t.join({ userName: '   ' })).userName).toBe('Инкогнито (2)');
  });

  it('names and texts have length limits', async () => {
    const t = await startTestServer();
    const a = await t.join('n'.repeat(1000));
    expect(a.userName).toHaveLength(32);
    a.say('t'.repeat(5000));
    expect(await a.waitFor((m) => m.action === 'Error')).toMatchObject({ code: 'text-too-long' });
  });

  it('there is a rate limit', async () => {
    const t = await startTestServer({ rateBurst: 3, ratePerSecond: 1 });
    const a = await t.join('a');
    for (let i = 0; i < 4; i++) a.say(`m${i}`);
    expect(await a.waitFor((m) => m.action === 'Error')).toMatchObject({ code: 'rate-limited' });
  });

  it('unknown client fields are not echoed to anyone', async () => {
    const t = await startTestServer();
    const a = await t.join('a');
    const b = await t.join('b');
    a.send({ text: 'hi', toUserId: 0, evil: '<script>', userName: 'root', userId: 42, gender: 9, userColor: 'x' });
    await b.waitFor(marker('hi'));
    const raw = JSON.parse(b.frames.find((f) => f.includes('"hi"'))!) as Record<string, unknown>;
    expect(Object.keys(raw).sort()).toEqual(['action', 'gender', 'messageId', 'sentAt', 'text', 'userColor', 'userId', 'userName']);
    expect(raw).toMatchObject({ userId: a.userId, userName: 'a', gender: 0 });
  });

  it('only valid close codes are sent (the original sent 10000)', async () => {
    const t = await startTestServer({ rateBurst: 2, ratePerSecond: 0.1, maxConnections: 3 });
    const codes: number[] = [];
    const binary = await RawWebSocket.open(t.port, handshakeWithTarget('/?userName=bin'));
    await binary.waitForMessage((m) => m.action === 'Authorized');
    binary.sendFrame(Opcode.binary, Buffer.from([1, 2, 3]));
    codes.push((await binary.waitForCloseFrame()).code);
    const flooder = await t.join('flood');
    for (let i = 0; i < 10; i++) flooder.say('x');
    codes.push((await flooder.waitForClose()).code);
    await t.join('one');
    await t.join('two');
    await t.join('three');
    const refused = ChatClient.open(t.url({ userName: 'four' }));
    codes.push((await refused.waitForClose()).code);
    // Binary frames, a flood, and a full room (4008: ours, "try again later").
    expect(codes).toEqual([1003, 1008, 4008]);
    expect(codes.every(isValidCloseCode)).toBe(true);
  });
});
