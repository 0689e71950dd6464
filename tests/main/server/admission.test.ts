import { hostname } from 'node:os';
import { describe, expect, it } from 'vitest';
import { CloseCode } from '../../../src-shared/protocol';
import { isAllowedOrigin, isTrustworthyHost, roomKeyMatches } from '../../../src-main/server/admission';
import { parseCliArgs } from '../../../src-main/server/cli-args';
import { ChatClient, expectCanaryPairChats, withTimeout } from '../../support/chat-client';
import { RawWebSocket, handshakeWithTarget, qtClientHandshake } from '../../support/raw-websocket';
import { startTestServer } from './helpers';

describe('origin rules', () => {
  it('lets native clients in: no Origin, or the Qt client’s SimpleChatClient', () => {
    expect(isAllowedOrigin(undefined, '10.0.0.2:27800', false, [])).toBe(true);
    expect(isAllowedOrigin('SimpleChatClient', '10.0.0.2:27800', false, [])).toBe(true);
  });
  it('lets in the web UI the server itself serves, by address, localhost or this machine’s name', () => {
    expect(isAllowedOrigin('http://10.0.0.2:27800', '10.0.0.2:27800', false, [])).toBe(true);
    expect(isAllowedOrigin('http://[::1]:27800', '[::1]:27800', false, [])).toBe(true);
    expect(isAllowedOrigin('http://localhost:27800', 'localhost:27800', false, [])).toBe(true);
    expect(isAllowedOrigin(`http://${hostname()}.local:27800`, `${hostname()}.local:27800`, false, [])).toBe(true);
    expect(isAllowedOrigin('https://10.0.0.2:27800', '10.0.0.2:27800', true, [])).toBe(true);
  });
  it('keeps out foreign pages, DNS-rebinding pages and the wrong scheme', () => {
    expect(isAllowedOrigin('http://evil.example', '10.0.0.2:27800', false, [])).toBe(false);
    expect(isAllowedOrigin('http://evil.example:27800', 'evil.example:27800', false, [])).toBe(false);
    expect(isAllowedOrigin('https://10.0.0.2:27800', '10.0.0.2:27800', false, [])).toBe(false);
    expect(isAllowedOrigin('null', '10.0.0.2:27800', false, [])).toBe(false);
    expect(isAllowedOrigin('http://10.0.0.2:27800', undefined, false, [])).toBe(false);
    expect(isTrustworthyHost('chat.example.com')).toBe(false);
  });
  it('lets in configured origins, or every origin with *', () => {
    expect(isAllowedOrigin('https://chat.example.com', 'chat.example.com', true, ['https://chat.example.com'])).toBe(true);
    expect(isAllowedOrigin('http://evil.example', '10.0.0.2', false, ['*'])).toBe(true);
  });
  it('compares room keys exactly', () => {
    expect(roomKeyMatches('sesame', 'sesame')).toBe(true);
    expect(roomKeyMatches('sesame', 'Sesame')).toBe(false);
    expect(roomKeyMatches('sesame', 'sesame ')).toBe(false);
    expect(roomKeyMatches('sesame', null)).toBe(false);
  });
  it('has CLI flags for both', () => {
    expect(parseCliArgs(['--room-key', 'k', '--allow-origin', 'https://a.example', '--allow-origin', '*'])).toEqual({
      kind: 'run', webRootGiven: false, config: { roomKey: 'k', allowedOrigins: ['https://a.example', '*'] },
    });
    expect(parseCliArgs(['--allow-origin', 'a.example']).kind).toBe('usage-error');
  });
});

/** What a browser on `origin` would get: Authorized, or the HTTP status that refused it. */
async function tryFromOrigin(url: string, origin: string): Promise<'authorized' | number> {
  const client = ChatClient.open(url, { origin });
  const refused = new Promise<number>((resolve) => client.ws.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0)));
  const outcome = await withTimeout(
    Promise.race([client.waitFor((m) => m.action === 'Authorized').then(() => 'authorized' as const), refused]),
    5000,
    'the handshake outcome',
  );
  client.terminate();
  return outcome;
}

describe('browser origins, live', () => {
  it('a foreign page gets 403 before the upgrade; the server’s own page and native clients get in', async () => {
    const t = await startTestServer();
    expect(await tryFromOrigin(t.url({ userName: 'x' }), 'http://evil.example')).toBe(403);
    expect(await tryFromOrigin(t.url({ userName: 'x' }), `http://localhost:${t.port}`)).toBe(403); // Host is 127.0.0.1:port
    expect(await tryFromOrigin(t.url({ userName: 'x' }), `http://127.0.0.1:${t.port}`)).toBe('authorized');
    const qt = await RawWebSocket.open(t.port, qtClientHandshake());
    await qt.waitForMessage((m) => m.action === 'Authorized');
    qt.destroy();
    expect(t.logs.some((line) => line.includes('refused: origin not allowed (origin "http://evil.example")'))).toBe(true);
    await expectCanaryPairChats(t.port);
  });

  it('an allowed origin gets in', async () => {
    const t = await startTestServer({ allowedOrigins: ['https://chat.example.com'] });
    expect(await tryFromOrigin(t.url({ userName: 'x' }), 'https://chat.example.com')).toBe('authorized');
  });
});

describe('room key', () => {
  it('a handshake without the key or with a wrong one is closed with 4003 and the reason', async () => {
    const t = await startTestServer({ roomKey: 'sesame' });
    const none = ChatClient.open(t.url({ userName: 'a' }));
    expect(await none.waitForClose()).toEqual({ code: CloseCode.forbidden, reason: 'This room needs a key' });
    const wrong = ChatClient.open(t.url({ userName: 'a', key: 'open' }));
    expect(await wrong.waitForClose()).toEqual({ code: CloseCode.forbidden, reason: 'Wrong room key' });
    expect(wrong.all('Authorized')).toEqual([]);
    const qt = await RawWebSocket.open(t.port, qtClientHandshake());
    expect((await qt.waitForCloseFrame()).code).toBe(CloseCode.forbidden);
    qt.destroy();
    const right = await t.join({ userName: 'a', key: 'sesame' });
    expect(right.userName).toBe('a');
    expect(t.server.connectionCount).toBe(1);
  });

  it('the key travels like any parameter, percent-encoded', async () => {
    const t = await startTestServer({ roomKey: 'ключ & key' });
    const raw = await RawWebSocket.open(t.port, handshakeWithTarget(`/?userName=a&key=${encodeURIComponent('ключ & key')}`));
    await raw.waitForMessage((m) => m.action === 'Authorized');
    raw.destroy();
  });
});
