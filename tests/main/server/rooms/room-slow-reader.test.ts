import { describe, expect, it } from 'vitest';
import { RawWebSocket, handshakeWithTarget } from '../../../support/raw-websocket';
import { startTestServer } from '../helpers';
import { lineWith, mustJoin, sayIn } from './room-helpers';

describe('a room member that stops reading', () => {
  it('is dropped as ConnectionLost once a room’s lines pass its unsent-data limit; the room goes on', async () => {
    const t = await startTestServer({ maxBufferedBytes: 128 * 1024, rateBurst: 100_000, ratePerSecond: 100_000, presenceGraceMs: 0 });
    const talker = await t.join('talker');
    const listener = await t.join('listener');
    const stuck = await RawWebSocket.open(t.port, handshakeWithTarget('/?userName=stuck'));
    await stuck.waitForMessage((m) => m.action === 'Authorized');
    stuck.sendText('{"action":"JoinRoom","room":"Flood"}');
    await stuck.waitForMessage((m) => m.action === 'RoomJoined');
    await mustJoin(talker, 'Flood');
    await mustJoin(listener, 'Flood');
    stuck.stopReading();
    const text = 'x'.repeat(4_000);
    let lost = false;
    for (let batch = 0; batch < 40 && !lost; batch++) {
      const mark = talker.mark();
      for (let i = 0; i < 100; i++) sayIn(talker, 'Flood', `${batch}:${i} ${text}`);
      await talker.waitFor((m) => m.action === 'PublicMessage' && m.text.startsWith(`${batch}:99 `), 10_000, `batch ${batch}`, mark);
      lost = talker.messages.some((m) => m.action === 'ConnectionLost' && m.userName === 'stuck');
    }
    await talker.waitFor((m) => m.action === 'ConnectionLost' && m.userName === 'stuck', 5_000, 'the stuck reader to be dropped');
    sayIn(talker, 'Flood', 'still flowing');
    await listener.waitFor(lineWith('still flowing'));
    expect(listener.all('Error')).toEqual([]);
    stuck.destroy();
  }, 30_000);
});
