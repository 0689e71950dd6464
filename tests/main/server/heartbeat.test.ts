import { describe, expect, it } from 'vitest';
import { expectCanaryPairChats } from '../../support/chat-client';
import { startTestServer } from './helpers';

describe('heartbeat', () => {
  it('pings everyone every interval; a client that answers stays', async () => {
    const t = await startTestServer({ pingIntervalMs: 40 });
    const a = await t.join('a');
    for (let i = 0; i < 6; i++) await a.waitFor((m) => m.action === 'Ping', 2000, `ping ${i}`, a.mark());
    expect(a.ws.readyState).toBe(a.ws.OPEN);
    expect(t.server.connectionCount).toBe(1);
    expect(JSON.parse(a.frames.find((f) => f.includes('Ping'))!)).toEqual({ action: 'Ping' });
  });

  it('three unanswered pings drop the user: the rest get ConnectionLost, not Disconnected, with no presence grace on top', async () => {
    const t = await startTestServer({ pingIntervalMs: 40, presenceGraceMs: 60_000 });
    const watcher = await t.join('watcher');
    const silent = await t.join({ userName: 'silent' }, { answerPings: false });
    const lost = await watcher.waitFor((m) => m.action === 'ConnectionLost', 3000);
    expect(lost).toMatchObject({ action: 'ConnectionLost', userId: silent.userId, userName: 'silent' });
    // Terminated without a close frame, as the original did.
    expect((await silent.waitForClose()).code).toBe(1006);
    expect(silent.all('Ping').length).toBeGreaterThanOrEqual(3);
    await expectCanaryPairChats(t.port);
    expect(watcher.all('Disconnected').filter((m) => m.userId === silent.userId)).toEqual([]);
    expect(t.logs.some((line) => line.startsWith(`lost #${silent.userId} "silent": 3 pings unanswered`))).toBe(true);
  });

  it('only the JSON Pong counts: WebSocket pong frames and chat do not keep a user in', async () => {
    const t = await startTestServer({ pingIntervalMs: 40, rateBurst: 1000, ratePerSecond: 1000, presenceGraceMs: 20 });
    const watcher = await t.join('watcher');
    const chatty = await t.join({ userName: 'chatty' }, { answerPings: false });
    chatty.ws.on('message', (data) => {
      if (data.toString() !== '{"action":"Ping"}' || chatty.ws.readyState !== chatty.ws.OPEN) return;
      chatty.ws.pong();
      chatty.ws.ping();
      chatty.say('still here');
    });
    expect(await watcher.waitFor((m) => m.action === 'ConnectionLost', 3000)).toMatchObject({ userId: chatty.userId });
  });

  it('a Pong resets the count', async () => {
    const t = await startTestServer({ pingIntervalMs: 40 });
    const late = await t.join({ userName: 'late' }, { answerPings: false });
    // Answer every second ping only: never three missed in a row.
    let pings = 0;
    late.ws.on('message', (data) => {
      if (data.toString() === '{"action":"Ping"}' && ++pings % 2 === 0) late.send({ action: 'Pong' });
    });
    for (let i = 0; i < 10; i++) await late.waitFor((m) => m.action === 'Ping', 2000, `ping ${i}`, late.mark());
    expect(t.server.connectionCount).toBe(1);
  });
});
