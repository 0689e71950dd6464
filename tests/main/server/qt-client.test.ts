import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { expectCanaryPairChats } from '../../support/chat-client';
import { QT_CLIENT_HANDSHAKE, QT_HANDSHAKE_REFERENCE, RawWebSocket, qtClientHandshake } from '../../support/raw-websocket';
import { startTestServer } from './helpers';

describe('the original Qt client', () => {
  it.runIf(existsSync(QT_HANDSHAKE_REFERENCE))('the embedded handshake is byte for byte the reference file', () => {
    expect(QT_CLIENT_HANDSHAKE.equals(readFileSync(QT_HANDSHAKE_REFERENCE))).toBe(true);
  });

  it('its exact handshake bytes (GET ?userName=… with no slash, Origin SimpleChatClient) get Authorized', async () => {
    const t = await startTestServer();
    const qt = await RawWebSocket.open(t.port, qtClientHandshake());
    const head = await qt.waitForResponse();
    expect(head).toMatch(/^HTTP\/1\.1 101 Switching Protocols\r\n/);
    // RFC 6455's digest of the Qt client's fixed key.
    expect(head).toMatch(/\r\nSec-WebSocket-Accept: /i);
    const authorized = await qt.waitForMessage((m) => m.action === 'Authorized');
    expect(authorized).toEqual({
      action: 'Authorized',
      userId: 1,
      userName: 'Инкогнито',
      gender: 0,
      userColor: '#34495e',
      users: [{ userId: 1, userName: 'Инкогнито', gender: 0, userColor: '#34495e' }],
      // Ours; the Qt client ignores fields it does not know.
      sessionToken: expect.any(String),
    });
    await qt.waitForMessage((m) => m.action === 'Connected' && m.userId === 1);
    qt.destroy();
  });

  it('chats both ways with our client, in its own message form', async () => {
    const t = await startTestServer();
    const qt = await RawWebSocket.open(t.port, qtClientHandshake());
    await qt.waitForMessage((m) => m.action === 'Authorized');
    const ours = await t.join('Ours');
    qt.sendText(JSON.stringify({ text: 'привет {Ours}', toUserId: 0 }));
    expect(await ours.waitFor((m) => m.action === 'PublicMessage')).toMatchObject({
      userName: 'Инкогнито', text: 'привет <b>Ours</b>',
    });
    ours.say('hi qt', 1);
    expect(await qt.waitForMessage((m) => m.action === 'PrivateMessage')).toMatchObject({
      userName: 'Ours', text: 'hi qt', toUserId: 1,
    });
    qt.sendText('{"action":"Pong"}');
    await expectCanaryPairChats(t.port);
    qt.destroy();
  });

  it('sees our line breaks as <br>, which its HTML log shows as breaks; its own newlines come to us the same way', async () => {
    const t = await startTestServer();
    const qt = await RawWebSocket.open(t.port, qtClientHandshake());
    await qt.waitForMessage((m) => m.action === 'Authorized');
    const ours = await t.join('Ours');
    ours.say('first line\nsecond <line>');
    expect(await qt.waitForMessage((m) => m.action === 'PublicMessage')).toMatchObject({ userName: 'Ours', text: 'first line<br>second &lt;line&gt;' });
    qt.sendText(JSON.stringify({ text: 'a\nb', toUserId: 0 }));
    expect(await ours.waitFor((m) => m.action === 'PublicMessage' && m.userName === 'Инкогнито')).toMatchObject({ text: 'a<br>b' });
    qt.destroy();
  });

  it('its handshake arriving a few bytes at a time still works', async () => {
    const t = await startTestServer();
    const bytes = qtClientHandshake();
    const qt = await RawWebSocket.open(t.port, bytes.subarray(0, 2));
    for (let at = 2; at < bytes.length; at += 7) {
      qt.socket.write(bytes.subarray(at, at + 7));
      await new Promise((resolve) => setImmediate(resolve));
    }
    await qt.waitForMessage((m) => m.action === 'Authorized');
    qt.destroy();
  });

  it('two Qt clients get distinct names', async () => {
    const t = await startTestServer();
    const one = await RawWebSocket.open(t.port, qtClientHandshake());
    await one.waitForMessage((m) => m.action === 'Authorized');
    const two = await RawWebSocket.open(t.port, qtClientHandshake());
    expect(await two.waitForMessage((m) => m.action === 'Authorized')).toMatchObject({ userName: 'Инкогнито (2)', userId: 2 });
    one.destroy();
    two.destroy();
  });
});
