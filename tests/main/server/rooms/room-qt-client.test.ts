import { describe, expect, it } from 'vitest';
import { RawWebSocket, qtClientHandshake } from '../../../support/raw-websocket';
import { startTestServer } from '../helpers';
import { lineWith, mustJoin, sayIn } from './room-helpers';

describe('rooms and the original Qt client', () => {
  it('sees only the lobby: no RoomJoined, RoomList, room member notices or room lines, and its lobby lines are as before', async () => {
    const t = await startTestServer();
    const qt = await RawWebSocket.open(t.port, qtClientHandshake());
    await qt.waitForMessage((m) => m.action === 'Authorized');
    const anna = await t.join('Anna');
    const bob = await t.join('Bob');
    await mustJoin(anna, 'Ops');
    await mustJoin(bob, 'Ops');
    sayIn(anna, 'Ops', 'room line');
    await bob.waitFor(lineWith('room line'));
    anna.send({ action: 'Edit', messageId: (await anna.waitFor(lineWith('room line'))).messageId, text: 'room edit' });
    anna.send({ action: 'ListRooms' });
    await anna.waitFor((m) => m.action === 'RoomList');
    bob.send({ action: 'LeaveRoom', room: 'Ops' });
    await bob.waitFor((m) => m.action === 'RoomLeft');
    // A Qt client that sent a room action anyway is told no, and put in no room.
    qt.sendText(JSON.stringify({ action: 'JoinRoom', room: 'Ops' }));
    await qt.waitForMessage((m) => m.action === 'Error' && m.code === 'unknown-action');
    anna.say('lobby {line}');
    const lobby = await qt.waitForMessage((m) => m.action === 'PublicMessage');
    expect(lobby).toMatchObject({ userName: 'Anna', text: 'lobby <b>line</b>' });
    expect('room' in lobby).toBe(false);
    const actions = qt.messages.map((m) => m.action);
    expect(actions.filter((a) => typeof a === 'string' && a.startsWith('Room'))).toEqual([]);
    expect(qt.messages.some((m) => 'room' in m || m.action === 'MessageEdited')).toBe(false);
    qt.destroy();
  });
});
