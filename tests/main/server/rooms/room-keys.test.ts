import { describe, expect, it } from 'vitest';
import type { RoomListMessage } from '../../../../src-shared/protocol';
import { hashRoomKey, roomKeyMatchesHash } from '../../../../src-main/server/rooms/room-key';
import { startTestServer } from '../helpers';
import { joinRoom, lineWith, mustJoin, sayIn } from './room-helpers';

const ATTACKER = { localAddress: '127.0.0.1' };
const VICTIM = { localAddress: '127.0.0.2' };

async function refusal(answer: Awaited<ReturnType<typeof joinRoom>>): Promise<string> {
  if (!('error' in answer)) throw new Error(`expected a refusal, got RoomJoined ${answer.joined.room}`);
  return `${answer.error.code}: ${answer.error.message}`;
}

describe('locked rooms', () => {
  it('the creator’s key locks the room: no key or a wrong one is room-forbidden to the joiner only; the right one lets in', async () => {
    const t = await startTestServer({ exemptLoopbackFromIpLimit: false });
    const owner = await t.join('Owner', VICTIM);
    const guest = await t.join('Guest', ATTACKER);
    expect((await mustJoin(owner, 'Secret', 'open sesame')).joined).toMatchObject({ room: 'Secret', locked: true });
    expect(await refusal(await joinRoom(guest, 'secret'))).toMatch(/^room-forbidden: .*needs its key/);
    expect(await refusal(await joinRoom(guest, 'secret', 'open sesame!'))).toMatch(/^room-forbidden: Wrong key/);
    sayIn(owner, 'Secret', 'not for guests');
    await owner.waitFor(lineWith('not for guests'));
    expect(owner.all('Error')).toEqual([]);
    expect(owner.all('RoomMemberJoined')).toEqual([]);
    const joined = await mustJoin(guest, ' SECRET ', 'open sesame');
    expect(joined.joined).toMatchObject({ room: 'Secret', locked: true });
    expect(joined.history.messages.map((m) => m.text)).toEqual(['not for guests']);
  });

  it('ListRooms shows a locked room’s count, never its key or who is in it', async () => {
    const t = await startTestServer();
    const owner = await t.join('Owner');
    const other = await t.join('Other');
    await mustJoin(owner, 'Secret', 'hunter2');
    await mustJoin(owner, 'Open');
    other.send({ action: 'ListRooms' });
    const list = await other.waitFor((m): m is RoomListMessage => m.action === 'RoomList');
    expect(list.rooms).toEqual([
      { room: 'Open', users: 1, locked: false },
      { room: 'Secret', users: 1, locked: true },
    ]);
    const frame = other.frames.find((f) => f.includes('RoomList'))!;
    expect(frame).not.toContain('hunter2');
    expect(frame).not.toContain('Owner');
    expect(frame).not.toContain('scrypt');
  });

  it('repeated wrong keys are slowed down per user and per address, the right key too; another address is not', async () => {
    const t = await startTestServer({ exemptLoopbackFromIpLimit: false, keyTriesPerAddress: 2, keyTryWindowMs: 60_000 });
    const owner = await t.join('Owner', VICTIM);
    await mustJoin(owner, 'Vault', 'right key');
    const guesser = await t.join('Guesser', ATTACKER);
    expect(await refusal(await joinRoom(guesser, 'Vault', 'guess 1'))).toMatch(/Wrong key/);
    expect(await refusal(await joinRoom(guesser, 'Vault', 'guess 2'))).toMatch(/Wrong key/);
    // The third wrong key is past the free tries: a lockout starts.
    expect(await refusal(await joinRoom(guesser, 'Vault', 'guess 3'))).toMatch(/Wrong key/);
    expect(await refusal(await joinRoom(guesser, 'Vault', 'right key'))).toMatch(/^room-forbidden: Too many wrong room keys: try again in \d+ s/);
    // A new login from the same address is the same guesser.
    const again = await t.join('Guesser again', ATTACKER);
    expect(await refusal(await joinRoom(again, 'Vault', 'right key'))).toMatch(/Too many wrong room keys/);
    // Someone on another address with the key gets in.
    const friend = await t.join('Friend', VICTIM);
    expect((await mustJoin(friend, 'Vault', 'right key')).joined.users).toHaveLength(2);
    expect(t.logs.some((l) => l.includes('right key') || l.includes('guess'))).toBe(false);
  });

  it('keys are kept as salted scrypt hashes, compared whole', async () => {
    const one = await hashRoomKey('k');
    const two = await hashRoomKey('k');
    expect(one).toMatch(/^scrypt\$16384\$8\$1\$/);
    expect(one).not.toBe(two);
    expect(await roomKeyMatchesHash('k', one)).toBe(true);
    expect(await roomKeyMatchesHash('K', one)).toBe(false);
    expect(await roomKeyMatchesHash('k', 'plain k')).toBe(false);
    expect(await roomKeyMatchesHash('k', one.replace(/\$16384\$/, '$99999999$'))).toBe(false);
  });
});
