import { describe, expect, it } from 'vitest';
import type { HistoryMessage, ServerMessage } from '../../../../src-shared/protocol';
import { startTestServer } from '../helpers';
import { lineWith, mustJoin, sayIn } from './room-helpers';

/*
 * A member whose connection dropped is still in its rooms for the presence grace, and
 * nothing is sent to it meanwhile. Back within the grace it gets the lobby's lines it
 * missed in a History: its rooms' lines it missed must come too, or a blip loses them.
 */

const isRoomHistory = (room: string) => (m: ServerMessage): m is HistoryMessage => m.action === 'History' && m.room === room;

describe('a member back within the presence grace', () => {
  it('gets the lines its rooms had while it was gone, and only its rooms’', async () => {
    const t = await startTestServer({ presenceGraceMs: 60_000, exemptLoopbackFromIpLimit: false });
    const anna = await t.join('Anna', { localAddress: '127.0.0.2' });
    const bob = await t.join('Bob', { localAddress: '127.0.0.1' });
    await mustJoin(anna, 'Ops');
    await mustJoin(bob, 'Ops');
    await mustJoin(anna, 'Secret');
    const token = bob.authorized.sessionToken!;
    bob.terminate();
    sayIn(anna, 'Ops', 'said while bob dropped');
    sayIn(anna, 'Secret', 'not for bob');
    anna.say('lobby while bob dropped');
    await anna.waitFor(lineWith('lobby while bob dropped'));
    const back = await t.join({ userName: 'Bob', sessionToken: token }, { awaitOwnConnected: false, localAddress: '127.0.0.1' });
    expect(back.userId).toBe(bob.userId);
    const missed = await back.waitFor(isRoomHistory('Ops'));
    expect(missed.messages.map((m) => m.text)).toEqual(['said while bob dropped']);
    const lobby = await back.waitFor((m): m is HistoryMessage => m.action === 'History' && m.room === undefined);
    expect(lobby.messages.map((m) => m.text)).toEqual(['lobby while bob dropped']);
    sayIn(anna, 'Ops', 'canary');
    await back.waitFor(lineWith('canary'));
    expect(back.frames.join('')).not.toContain('not for bob');
  });
});

describe('a member back within the presence grace, about lines it had', () => {
  it('is told of the edits and deletions its rooms’ lines had meanwhile, with the room named; not of other rooms’', async () => {
    const t = await startTestServer({ presenceGraceMs: 60_000, exemptLoopbackFromIpLimit: false, pingIntervalMs: 100 });
    const anna = await t.join('Anna', { localAddress: '127.0.0.2' });
    const bob = await t.join('Bob', { localAddress: '127.0.0.1' });
    await mustJoin(anna, 'Ops');
    await mustJoin(bob, 'Ops');
    await mustJoin(anna, 'Secret');
    sayIn(anna, 'Ops', 'first wording');
    sayIn(anna, 'Ops', 'to be deleted');
    sayIn(anna, 'Secret', 'secret line');
    const edited = await bob.waitFor(lineWith('first wording'));
    const deleted = await bob.waitFor(lineWith('to be deleted'));
    const secret = await anna.waitFor(lineWith('secret line'));
    // Bob answers a Ping sent after these lines, and the server reads his Pong before the
    // RoomList he asks for next: it knows he had them.
    const mark = bob.mark();
    await bob.waitFor((m) => m.action === 'Ping', 5_000, 'a Ping', mark);
    const listed = bob.mark();
    bob.send({ action: 'ListRooms' });
    await bob.waitFor((m) => m.action === 'RoomList', undefined, 'RoomList', listed);
    const token = bob.authorized.sessionToken!;
    bob.terminate();
    anna.send({ action: 'Edit', messageId: edited.messageId, text: 'second wording' });
    anna.send({ action: 'Delete', messageId: deleted.messageId });
    anna.send({ action: 'Edit', messageId: secret.messageId, text: 'secret edit' });
    await anna.waitFor((m) => m.action === 'MessageEdited' && m.messageId === secret.messageId);
    const back = await t.join({ userName: 'Bob', sessionToken: token }, { awaitOwnConnected: false, localAddress: '127.0.0.1' });
    expect(await back.waitFor((m) => m.action === 'MessageEdited' && m.messageId === edited.messageId)).toMatchObject({ room: 'Ops', text: 'second wording' });
    expect(await back.waitFor((m) => m.action === 'MessageDeleted' && m.messageId === deleted.messageId)).toMatchObject({ room: 'Ops' });
    sayIn(anna, 'Ops', 'canary');
    await back.waitFor(lineWith('canary'));
    expect(back.frames.join('')).not.toContain('secret');
  });
});
