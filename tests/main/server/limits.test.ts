import { connect } from 'node:net';
import { describe, expect, it } from 'vitest';
import { CloseCode, MAX_LOGIN_KEY_LENGTH, isValidCloseCode } from '../../../src-shared/protocol';
import { AdmissionGuards, refusalFor } from '../../../src-main/server/admission';
import type { RoomState } from '../../../src-main/server/admission';
import { resolveServerConfig } from '../../../src-main/server/config';
import type { ServerMessage } from '../../../src-shared/protocol';
import { ChatClient, expectCanaryPairChats, withTimeout } from '../../support/chat-client';
import { handshakeWithTarget, RawWebSocket } from '../../support/raw-websocket';
import { startTestServer } from './helpers';

describe('connection limits', () => {
  it('refuses connections beyond maxConnections with 4008 (try later, not 1008: a client should come back) and a reason', async () => {
    const t = await startTestServer({ maxConnections: 2 });
    await t.join('a');
    await t.join('b');
    const third = ChatClient.open(t.url({ userName: 'c' }));
    expect(await third.waitForClose()).toEqual({ code: CloseCode.tryLater, reason: 'The room is full' });
    expect(third.all('Authorized')).toEqual([]);
    expect(t.server.connectionCount).toBe(2);
    expect(t.logs.some((line) => line.includes('refused: The room is full'))).toBe(true);
  });

  it('counts connections per IP when loopback is not exempt', async () => {
    const t = await startTestServer({ maxConnectionsPerIp: 2, exemptLoopbackFromIpLimit: false });
    const a = await t.join('a');
    await t.join('b');
    const third = ChatClient.open(t.url({ userName: 'c' }));
    expect(await third.waitForClose()).toEqual({ code: CloseCode.tryLater, reason: 'Too many connections from your address' });
    // A place frees up when someone leaves.
    await a.close();
    await t.join('d');
  });

  it('holds one address to a few handshakes at a time, so it cannot fill the server with idle sockets', async () => {
    const t = await startTestServer({ maxConnectionsPerIp: 2, exemptLoopbackFromIpLimit: false, handshakeTimeoutMs: 10_000 });
    const idle = [connect(t.port, '127.0.0.1'), connect(t.port, '127.0.0.1')];
    for (const socket of idle) socket.on('error', () => {});
    await Promise.all(idle.map((socket) => new Promise((resolve) => socket.once('connect', resolve))));
    const third = connect(t.port, '127.0.0.1');
    third.on('error', () => {});
    // Cut off at once, long before the 10 s handshake deadline.
    await withTimeout(new Promise((resolve) => third.once('close', resolve)), 3000, 'the third socket to be closed');
    for (const socket of idle) socket.destroy();
    // Once the idle ones are gone, the address may log in again.
    await withTimeout(
      (async () => {
        for (let attempt = 0; attempt < 50; attempt++) {
          const client = ChatClient.open(t.url({ userName: 'late' }));
          const outcome = await Promise.race([
            client.waitFor((m) => m.action === 'Authorized').then(() => true),
            client.closed.then(() => false),
          ]);
          client.terminate();
          if (outcome) return;
        }
        throw new Error('no login in 50 attempts');
      })(),
      5000,
      'a login after the idle sockets closed',
    );
  });

  it('does not count loopback per IP by default', async () => {
    const t = await startTestServer({ maxConnectionsPerIp: 2 });
    for (const name of ['a', 'b', 'c', 'd']) await t.join(name);
    expect(t.server.connectionCount).toBe(4);
  });
});

describe('refusals say whether to come back', () => {
  const room = (over: Partial<RoomState> = {}): RoomState => ({ size: 0, isClosing: false, hasIdFor: () => true, knowsSession: () => false, connectionsFrom: () => 0, ...over });
  const config = resolveServerConfig({ maxConnections: 2, maxConnectionsPerIp: 1, exemptLoopbackFromIpLimit: false, roomKey: 'k' });

  it.each([
    ['the server shutting down', room({ isClosing: true }), 'k', CloseCode.goingAway],
    ['the room full', room({ size: 2 }), 'k', CloseCode.tryLater],
    ['too many from the address', room({ connectionsFrom: () => 1 }), 'k', CloseCode.tryLater],
    ['a wrong key', room(), 'nope', CloseCode.forbidden],
    ['every id in use (ids wrap, so this passes)', room({ hasIdFor: () => false }), 'k', CloseCode.tryLater],
  ])('%s → close %i', (_name, state, key, code) => {
    const refusal = refusalFor(state, config, { ip: '192.0.2.1', viaProxy: false, roomKey: key, sessionToken: null }, new AdmissionGuards(config));
    expect(refusal?.code).toBe(code);
    expect(isValidCloseCode(code)).toBe(true);
  });

  it('lets in whoever fits', () => {
    expect(refusalFor(room({ size: 1 }), config, { ip: '192.0.2.1', viaProxy: false, roomKey: 'k', sessionToken: null }, new AdmissionGuards(config))).toBeNull();
  });
});

describe('message rate', () => {
  it('allows a burst, answers the excess with rate-limited, and relays none of the excess', async () => {
    const t = await startTestServer({ rateBurst: 5, ratePerSecond: 0.5 });
    const sender = await t.join('sender');
    const watcher = await t.join('watcher');
    for (let i = 0; i < 8; i++) sender.say(`m${i}`);
    expect(await sender.waitFor((m) => m.action === 'Error')).toMatchObject({ code: 'rate-limited' });
    const sent = await watcher.waitFor((m) => m.action === 'PublicMessage' && m.text === 'm4');
    expect(sent.action).toBe('PublicMessage');
    const errors = (): number => sender.all('Error').length;
    await sender.waitFor(() => errors() >= 3, 2000, 'three rate-limited errors');
    expect(watcher.all('PublicMessage').map((m) => m.text)).toEqual(['m0', 'm1', 'm2', 'm3', 'm4']);
  });

  it('closes a sustained flood with 1008; the others see the flooder leave', async () => {
    const t = await startTestServer({ rateBurst: 5, ratePerSecond: 1 });
    const watcher = await t.join('watcher');
    const flooder = await t.join('flooder');
    for (let i = 0; i < 50 && flooder.ws.readyState === flooder.ws.OPEN; i++) flooder.say(`flood ${i}`);
    expect(await flooder.waitForClose()).toEqual({ code: CloseCode.policyViolation, reason: 'Too many messages' });
    await watcher.waitFor((m) => m.action === 'Disconnected' && m.userId === flooder.userId);
    expect(watcher.all('PublicMessage')).toHaveLength(5);
    await expectCanaryPairChats(t.port);
  });
});

describe('a slow consumer', () => {
  it('that stops reading is dropped as ConnectionLost once its unsent data passes the limit', async () => {
    const limit = 256 * 1024;
    const t = await startTestServer({ maxBufferedBytes: limit, rateBurst: 100_000, ratePerSecond: 100_000, presenceGraceMs: 20 });
    const stuck = await RawWebSocket.open(t.port, handshakeWithTarget('/?userName=stuck'));
    const stuckId = (await stuck.waitForMessage((m) => m.action === 'Authorized')).userId as number;
    stuck.stopReading();
    const watcher = await t.join('watcher');
    const sender = await t.join('sender');
    // 4096 '&' become 20 KiB of '&amp;' per message, so the stuck socket backs up fast.
    const bulky = '&'.repeat(4096);
    const isLost = (m: ServerMessage) => m.action === 'ConnectionLost' && m.userId === stuckId;
    let round = 0;
    for (; round < 100 && !watcher.messages.some(isLost); round++) {
      for (let i = 0; i < 20; i++) sender.say(bulky);
      sender.say(`round ${round}`);
      await sender.waitFor((m) => m.action === 'PublicMessage' && m.text === `round ${round}`, 5000, `round ${round}`);
    }
    expect(await watcher.waitFor(isLost, 5000, 'ConnectionLost for the stuck reader')).toMatchObject({ userName: 'stuck' });
    expect(watcher.all('Disconnected')).toEqual([]);
    expect(t.logs.some((line) => line.startsWith(`lost #${stuckId} "stuck": slow consumer`))).toBe(true);
    expect(t.server.connectionCount).toBe(2);
    stuck.destroy();
    await expectCanaryPairChats(t.port);
  });
});

describe('the login key has the apps’ limit (issue 19 §1)', () => {
  it('a server refuses to start with a key longer than the apps can type', () => {
    expect(() => resolveServerConfig({ roomKey: 'k'.repeat(MAX_LOGIN_KEY_LENGTH) })).not.toThrow();
    expect(() => resolveServerConfig({ roomKey: 'k'.repeat(MAX_LOGIN_KEY_LENGTH + 1) })).toThrow(new RegExp(`at most ${MAX_LOGIN_KEY_LENGTH}`));
  });
});
