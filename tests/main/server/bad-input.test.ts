import { connect } from 'node:net';
import { describe, expect, it } from 'vitest';
import { CloseCode, isValidCloseCode } from '../../../src-shared/protocol';
import type { ServerMessage } from '../../../src-shared/protocol';
import { ChatClient, expectCanaryPairChats, withTimeout } from '../../support/chat-client';
import type { TestServer } from './helpers';
import { handshakeWithTarget, Opcode, RawWebSocket } from '../../support/raw-websocket';
import { startTestServer } from './helpers';

/*
 * Every bad input: the sender gets an Error or a fitting close code, nobody else sees
 * anything of it, the server stays up, and a canary pair can still chat afterwards.
 */

/** What an observer saw between `mark` and the sender's marker (or its departure). */
function observed(observer: ChatClient, mark: number): string[] {
  return observer.messages.slice(mark).filter((m) => m.action !== 'Ping').map((m) => m.action);
}

async function withObserver(test: (t: TestServer, sender: ChatClient, observer: ChatClient) => Promise<void>): Promise<void> {
  // A close frame with a code other than 1000 keeps the session: its leave is told after a short grace.
  const t = await startTestServer({ maxFrameBytes: 64 * 1024, presenceGraceMs: 20 });
  const observer = await t.join('observer');
  const sender = await t.join('sender');
  await observer.waitFor((m) => m.action === 'Connected' && m.userId === sender.userId);
  await test(t, sender, observer);
  await expectCanaryPairChats(t.port);
  expect(t.server.connectionCount).toBeGreaterThanOrEqual(1);
}

const isMarker = (m: ServerMessage) => m.action === 'PublicMessage' && m.text === 'marker';

describe('bad frames from a logged-in client', () => {
  it.each([
    ['non-JSON', 'hello there', 'invalid-json'],
    ['a JSON scalar', '42', 'not-an-object'],
    ['a JSON string', '"text"', 'not-an-object'],
    ['JSON null', 'null', 'not-an-object'],
    ['a JSON array', '[{"text":"x"}]', 'not-an-object'],
    ['text that is an array', '{"text":["x"],"toUserId":0}', 'invalid-text'],
    ['text that is an object', '{"text":{"a":1}}', 'invalid-text'],
    ['toUserId as a string', '{"text":"x","toUserId":"1"}', 'invalid-recipient'],
    ['toUserId negative', '{"text":"x","toUserId":-5}', 'invalid-recipient'],
    ['toUserId too large', '{"text":"x","toUserId":4294967296}', 'invalid-recipient'],
    ['an unknown action', '{"action":"Kick","userId":1}', 'unknown-action'],
    ['deep nesting', `${'['.repeat(5000)}${']'.repeat(5000)}`, 'not-an-object'],
  ])('%s gets an Error to the sender only', async (_name, frame, code) => {
    await withObserver(async (_t, sender, observer) => {
      const mark = observer.mark();
      sender.send(frame);
      expect(await sender.waitFor((m) => m.action === 'Error')).toMatchObject({ action: 'Error', code });
      sender.say('marker');
      await observer.waitFor(isMarker, undefined, 'the marker', mark);
      expect(observed(observer, mark)).toEqual(['PublicMessage']);
    });
  });

  it.each([
    ['a binary frame', (raw: RawWebSocket) => raw.sendFrame(Opcode.binary, Buffer.from('{"text":"x"}')), CloseCode.unsupportedData],
    ['invalid UTF-8', (raw: RawWebSocket) => raw.sendFrame(Opcode.text, Buffer.from([0x7b, 0xff, 0xfe, 0x7d])), CloseCode.invalidPayload],
    ['a frame over 64 KiB', (raw: RawWebSocket) => raw.sendText(JSON.stringify({ text: 'x'.repeat(70_000) })), CloseCode.messageTooBig],
    ['an unmasked frame', (raw: RawWebSocket) => raw.sendFrame(Opcode.text, '{"text":"x"}', { mask: false }), 1002],
    ['reserved bits', (raw: RawWebSocket) => raw.sendFrame(Opcode.text, '{"text":"x"}', { rsv: 4 }), 1002],
    ['an unknown opcode', (raw: RawWebSocket) => raw.sendFrame(3, 'x'), 1002],
    ['a close with code 10000', (raw: RawWebSocket) => raw.sendFrame(Opcode.close, Buffer.from([0x27, 0x10])), 1002],
    // ws would echo 1013, a valid WebSocket code that the Qt client refuses.
    ['a close with code 1013', (raw: RawWebSocket) => raw.sendFrame(Opcode.close, Buffer.from([0x03, 0xf5])), 1000],
  ])('%s closes the sender with a valid code; the rest see it leave, nothing else', async (_name, send, expectedCode) => {
    await withObserver(async (t) => {
      const raw = await RawWebSocket.open(t.port, handshakeWithTarget('/?userName=rawsender'));
      await raw.waitForMessage((m) => m.action === 'Authorized');
      const observer = await t.join('watcher');
      const rawId = (raw.messages[0] as { userId: number }).userId;
      const mark = observer.mark();
      send(raw);
      const { code } = await raw.waitForCloseFrame();
      expect(code).toBe(expectedCode);
      expect(isValidCloseCode(code)).toBe(true);
      const left = await observer.waitFor((m) => m.action === 'Disconnected' && m.userId === rawId, undefined, 'the sender to leave', mark);
      expect(left.action).toBe('Disconnected');
      expect(observed(observer, mark)).toEqual(['Disconnected']);
      raw.destroy();
    });
  });

  it('the ws client’s own oversized frame is closed with 1009', async () => {
    await withObserver(async (_t, sender) => {
      sender.send(JSON.stringify({ text: 'y'.repeat(65 * 1024) }));
      expect((await sender.waitForClose()).code).toBe(CloseCode.messageTooBig);
    });
  });
});

describe('bad handshakes', () => {
  it('array query parameters get the default name and an Error saying why', async () => {
    await withObserver(async (t, _sender, observer) => {
      const mark = observer.mark();
      const c = ChatClient.open(`ws://127.0.0.1:${t.port}/?userName[]=x&userColor[]=%23fff&gender[]=1`);
      const authorized = await c.waitFor((m) => m.action === 'Authorized');
      expect(authorized).toMatchObject({ userName: 'Инкогнито', userColor: '#34495e', gender: 0 });
      expect(await c.waitFor((m) => m.action === 'Error')).toMatchObject({ code: 'invalid-parameter' });
      await observer.waitFor((m) => m.action === 'Connected' && m.userId === authorized.userId, undefined, 'Connected', mark);
      expect(observed(observer, mark)).toEqual(['Connected']);
      c.terminate();
    });
  });

  it('a socket that never completes the handshake is cut off after the timeout', async () => {
    const t = await startTestServer({ handshakeTimeoutMs: 150 });
    const silent = connect(t.port, '127.0.0.1');
    const partial = connect(t.port, '127.0.0.1', () => partial.write('GET /?userName=slow HTTP/1.1\r\nHost: x\r\n'));
    const closed = (s: typeof silent) => new Promise<void>((resolve) => s.on('close', () => resolve()));
    silent.on('error', () => {});
    partial.on('error', () => {});
    await withTimeout(Promise.all([closed(silent), closed(partial)]), 3000, 'the silent sockets to be cut off');
    await expectCanaryPairChats(t.port);
  });

  it('garbage instead of HTTP gets 400 and a close; the server stays up', async () => {
    const t = await startTestServer();
    const raw = await RawWebSocket.open(t.port, Buffer.from('\x16\x03\x01\x00\xa5\x01\x00\x00\xa1\x03\x03garbage\r\n\r\n', 'latin1'));
    await raw.waitForEnd();
    expect(raw.status).toBe(400);
    await expectCanaryPairChats(t.port);
  });

  it('an upgrade without a WebSocket key gets 400', async () => {
    const t = await startTestServer();
    const raw = await RawWebSocket.open(t.port, Buffer.from('GET ?userName=x HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n'));
    await raw.waitForResponse();
    expect(raw.status).toBe(400);
    await expectCanaryPairChats(t.port);
  });

  it('a huge request line is refused without harm', async () => {
    const t = await startTestServer();
    const raw = await RawWebSocket.open(t.port, handshakeWithTarget(`/?userName=${'a'.repeat(20_000)}`));
    await raw.waitForEnd();
    expect(raw.status).toBe(431);
    await expectCanaryPairChats(t.port);
  });

  it('a long name is cut to 32 characters', async () => {
    const t = await startTestServer();
    const c = await t.join('x'.repeat(5000));
    expect(c.userName).toBe('x'.repeat(32));
  });
});
