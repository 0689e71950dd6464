import { describe, expect, it } from 'vitest';
import type { ErrorMessage, PublicMessage, RoomListMessage } from '../../../../src-shared/protocol';
import { startTestServer } from '../helpers';
import { joinRoom, lineWith, mustJoin, nextError, sayIn } from './room-helpers';

describe('rooms: join, talk, leave', () => {
  it('the first JoinRoom creates the room; the next joiner gets its members, and the members are told who came', async () => {
    const t = await startTestServer();
    const anna = await t.join('Anna');
    const bob = await t.join('Bob');
    const first = await mustJoin(anna, 'Ops');
    expect(first.joined).toEqual({ action: 'RoomJoined', room: 'Ops', locked: false, users: [anna.authorized.users[0]] });
    expect(first.history).toMatchObject({ action: 'History', room: 'Ops', messages: [], hasMore: false });
    const mark = anna.mark();
    const second = await mustJoin(bob, 'Ops');
    expect(second.joined.users.map((u) => u.userName)).toEqual(['Anna', 'Bob']);
    expect(await anna.waitFor((m) => m.action === 'RoomMemberJoined', undefined, 'RoomMemberJoined', mark)).toMatchObject({
      room: 'Ops', userId: bob.userId, userName: 'Bob',
    });
    // The joiner is not told of itself twice.
    expect(bob.all('RoomMemberJoined')).toEqual([]);
  });

  it('names are trimmed and NFC, case-insensitively one room, spelt as the creator spelt it', async () => {
    const t = await startTestServer();
    const anna = await t.join('Anna');
    const bob = await t.join('Bob');
    const carol = await t.join('Carol');
    expect((await mustJoin(anna, '  Café Straße ')).joined.room).toBe('Café Straße');
    // Decomposed é, other case, ß spelt SS: the same room.
    expect((await mustJoin(bob, 'CAFE\u0301 STRASSE')).joined.room).toBe('Café Straße');
    expect((await mustJoin(carol, 'café straße')).joined.users).toHaveLength(3);
    const after = carol.mark();
    carol.send({ action: 'ListRooms' });
    const list = await carol.waitFor((m): m is RoomListMessage => m.action === 'RoomList', undefined, 'RoomList', after);
    expect(list.rooms).toEqual([{ room: 'Café Straße', users: 3, locked: false }]);
  });

  it('a room line goes to its members with the room named, never to a lobby-only user; lobby lines stay as they were', async () => {
    const t = await startTestServer();
    const anna = await t.join('Anna');
    const bob = await t.join('Bob');
    const lobbyOnly = await t.join('Lobby');
    await mustJoin(anna, 'Ops');
    await mustJoin(bob, 'Ops');
    sayIn(anna, 'ops', 'deploy at {5}');
    const line = await bob.waitFor(lineWith('deploy at <b>5</b>'));
    expect(line).toMatchObject({ room: 'Ops', userName: 'Anna', messageId: expect.any(Number) });
    await anna.waitFor(lineWith('deploy at <b>5</b>'));
    anna.say('lobby canary');
    await lobbyOnly.waitFor(lineWith('lobby canary'));
    const lobbyLine = await bob.waitFor(lineWith('lobby canary'));
    expect('room' in lobbyLine).toBe(false);
    expect(bob.frames.find((f) => f.includes('lobby canary'))).not.toContain('"room"');
    expect(lobbyOnly.frames.some((f) => f.includes('deploy') || f.includes('"room"'))).toBe(false);
  });

  it('LeaveRoom: the leaver gets RoomLeft, the members RoomMemberLeft, and its lines there are closed to it', async () => {
    const t = await startTestServer();
    const anna = await t.join('Anna');
    const bob = await t.join('Bob');
    await mustJoin(anna, 'Ops');
    await mustJoin(bob, 'Ops');
    sayIn(bob, 'Ops', 'mine');
    const mine = await bob.waitFor(lineWith('mine'));
    let mark = anna.mark();
    bob.send({ action: 'LeaveRoom', room: 'OPS' });
    expect(await bob.waitFor((m) => m.action === 'RoomLeft')).toEqual({ action: 'RoomLeft', room: 'Ops' });
    expect(await anna.waitFor((m) => m.action === 'RoomMemberLeft', undefined, 'RoomMemberLeft', mark)).toMatchObject({ room: 'Ops', userId: bob.userId });
    mark = bob.mark();
    sayIn(bob, 'Ops', 'after leaving');
    expect((await nextError(bob, mark)).code).toBe('not-in-room');
    mark = bob.mark();
    bob.send({ action: 'Edit', messageId: mine.messageId, text: 'changed' });
    expect((await nextError(bob, mark)).code).toBe('unknown-message');
    mark = bob.mark();
    bob.send({ action: 'LeaveRoom', room: 'Ops' });
    expect((await nextError(bob, mark)).code).toBe('not-in-room');
    // The room stays, with its one member.
    mark = bob.mark();
    bob.send({ action: 'ListRooms' });
    expect(await bob.waitFor((m) => m.action === 'RoomList', undefined, 'RoomList', mark)).toEqual({ action: 'RoomList', rooms: [{ room: 'Ops', users: 1, locked: false }] });
  });

  it('an empty room stays listed with 0 users; a member who leaves the server leaves its rooms', async () => {
    const t = await startTestServer();
    const anna = await t.join('Anna');
    const bob = await t.join('Bob');
    await mustJoin(anna, 'Ops');
    await mustJoin(bob, 'Ops');
    const mark = bob.mark();
    await anna.close();
    await bob.waitFor((m) => m.action === 'Disconnected', undefined, 'Disconnected', mark);
    // Told once, by the lobby: no RoomMemberLeft for a user who left the server.
    expect(bob.all('RoomMemberLeft')).toEqual([]);
    bob.send({ action: 'LeaveRoom', room: 'Ops' });
    await bob.waitFor((m) => m.action === 'RoomLeft');
    bob.send({ action: 'ListRooms' });
    expect(await bob.waitFor((m) => m.action === 'RoomList')).toEqual({ action: 'RoomList', rooms: [{ room: 'Ops', users: 0, locked: false }] });
    const back = await mustJoin(bob, 'ops');
    expect(back.joined.users.map((u) => u.userName)).toEqual(['Bob']);
  });

  it('chat, History, Edit, Delete and replies for a room are for its members only', async () => {
    const t = await startTestServer();
    const anna = await t.join('Anna');
    const stranger = await t.join('Stranger');
    await mustJoin(anna, 'Ops');
    sayIn(anna, 'Ops', 'room secret');
    const line = await anna.waitFor(lineWith('room secret'));
    const checks: Array<[object, string]> = [
      [{ action: 'Message', text: 'hi', toUserId: 0, room: 'Ops' }, 'not-in-room'],
      [{ action: 'Message', text: 'hi', toUserId: 0, room: 'Nowhere' }, 'unknown-room'],
      [{ action: 'History', before: line.messageId! + 1, room: 'Ops' }, 'not-in-room'],
      [{ action: 'History', before: line.messageId! + 1, room: 'Nowhere' }, 'unknown-room'],
      [{ action: 'LeaveRoom', room: 'Nowhere' }, 'unknown-room'],
      [{ action: 'Message', text: 'quoting', toUserId: 0, replyTo: line.messageId }, 'unknown-reply'],
      [{ action: 'Delete', messageId: line.messageId }, 'unknown-message'],
      // Dialogs are kept under '@<a>:<b>': no room by such a name can be joined, paged or written to.
      [{ action: 'JoinRoom', room: `@${anna.userId}:${stranger.userId}` }, 'invalid-room'],
      [{ action: 'History', before: line.messageId! + 1, room: `@${anna.userId}:${stranger.userId}` }, 'invalid-room'],
      [{ action: 'Message', text: 'hi', toUserId: 0, room: '@1:2' }, 'invalid-room'],
    ];
    for (const [request, code] of checks) {
      const mark = stranger.mark();
      stranger.send(request);
      expect((await nextError(stranger, mark)).code, JSON.stringify(request)).toBe(code);
    }
    // A member may not quote a room's line in the lobby either: the quote would carry it there.
    let mark = anna.mark();
    anna.send({ action: 'Message', text: 'quoting', toUserId: 0, replyTo: line.messageId });
    expect((await nextError(anna, mark)).code).toBe('unknown-reply');
    // In the room, it may.
    sayIn(anna, 'Ops', 'a reply', { replyTo: line.messageId });
    expect((await anna.waitFor(lineWith('a reply'))).replyTo).toMatchObject({ messageId: line.messageId, excerpt: 'room secret' });
    mark = anna.mark();
    anna.send({ action: 'Edit', messageId: line.messageId, text: 'edited secret' });
    expect(await anna.waitFor((m) => m.action === 'MessageEdited', undefined, 'MessageEdited', mark)).toMatchObject({ room: 'Ops', text: 'edited secret' });
    anna.send({ action: 'Delete', messageId: line.messageId });
    expect(await anna.waitFor((m) => m.action === 'MessageDeleted', undefined, 'MessageDeleted', mark)).toEqual({
      action: 'MessageDeleted', messageId: line.messageId, room: 'Ops',
    });
    anna.say('lobby canary');
    await stranger.waitFor(lineWith('lobby canary'));
    expect(stranger.frames.some((f) => f.includes('secret') || f.includes('MessageEdited') || f.includes('MessageDeleted'))).toBe(false);
  });

  it('History with room pages that room’s lines only, named', async () => {
    const t = await startTestServer({ historyOnJoin: 2 });
    const anna = await t.join('Anna');
    await mustJoin(anna, 'Ops');
    for (let i = 1; i <= 5; i++) {
      sayIn(anna, 'Ops', `room ${i}`);
      anna.say(`lobby ${i}`);
    }
    const fifth = await anna.waitFor(lineWith('room 5'));
    await anna.waitFor(lineWith('lobby 5'));
    const bob = await t.join('Bob');
    const joined = await mustJoin(bob, 'ops');
    expect(joined.history.messages.map((m: PublicMessage) => m.text)).toEqual(['room 4', 'room 5']);
    expect(joined.history.hasMore).toBe(true);
    const mark = bob.mark();
    bob.send({ action: 'History', room: 'Ops', before: joined.history.messages[0]!.messageId, limit: 2 });
    const page = await bob.waitFor((m) => m.action === 'History', undefined, 'the page', mark);
    expect(page).toMatchObject({ room: 'Ops', hasMore: true });
    expect(page.action === 'History' && page.messages.map((m) => [m.text, m.room])).toEqual([['room 2', 'Ops'], ['room 3', 'Ops']]);
    // The lobby's History holds no room line and names no room.
    bob.send({ action: 'History', before: fifth.messageId! + 10, limit: 200 });
    const lobby = await bob.waitFor((m) => m.action === 'History' && m.room === undefined && m.messages.length > 0, undefined, 'the lobby page', mark);
    expect(lobby.action === 'History' && lobby.messages.every((m) => m.text.startsWith('lobby'))).toBe(true);
  });

  it('joining a room one is in answers RoomJoined again, telling no one', async () => {
    const t = await startTestServer();
    const anna = await t.join('Anna');
    const bob = await t.join('Bob');
    await mustJoin(anna, 'Ops');
    await mustJoin(bob, 'Ops');
    await anna.waitFor((m) => m.action === 'RoomMemberJoined' && m.userId === bob.userId, undefined, 'Bob joined');
    const again = await mustJoin(bob, 'OPS');
    expect(again.joined.users).toHaveLength(2);
    // The canary goes through the room's own fan-out, after anything the second join could have told.
    sayIn(bob, 'Ops', 'canary');
    await anna.waitFor(lineWith('canary'));
    expect(anna.all('RoomMemberJoined')).toHaveLength(1);
  });
});

describe('rooms: limits and junk', () => {
  it('--max-rooms and --max-rooms-per-user: too-many-rooms, to the sender only', async () => {
    const t = await startTestServer({ maxRooms: 2, maxRoomsPerUser: 2 });
    const anna = await t.join('Anna');
    const bob = await t.join('Bob');
    await mustJoin(anna, 'One');
    await mustJoin(anna, 'Two');
    const third = await joinRoom(bob, 'Three');
    expect('error' in third && third.error.code).toBe('too-many-rooms');
    const mark = anna.mark();
    const full = await joinRoom(anna, 'Three');
    expect('error' in full && full.error).toMatchObject({ code: 'too-many-rooms', message: expect.stringMatching(/leave one/) });
    expect(anna.messages.slice(mark).some((m) => m.action === 'Error' && m !== ('error' in full ? full.error : null))).toBe(false);
    // A room that exists takes a joiner with room to spare.
    await mustJoin(bob, 'two');
    expect(bob.all('Error')).toHaveLength(1);
  });

  it('junk rooms and keys get invalid-room to the sender only; the others keep chatting', async () => {
    const t = await startTestServer({ rateBurst: 100 });
    const anna = await t.join('Anna');
    const bob = await t.join('Bob');
    await mustJoin(bob, 'Ops');
    const junk: object[] = [
      { action: 'JoinRoom' },
      { action: 'JoinRoom', room: ['x'] },
      { action: 'JoinRoom', room: 5 },
      { action: 'JoinRoom', room: '' },
      { action: 'JoinRoom', room: '   ' },
      { action: 'JoinRoom', room: 'x'.repeat(65) },
      { action: 'JoinRoom', room: '😀'.repeat(65) },
      { action: 'JoinRoom', room: 'y'.repeat(30_000) },
      { action: 'JoinRoom', room: 'bell\u0007' },
      { action: 'JoinRoom', room: 'evil\u202ename' },
      { action: 'JoinRoom', room: 'Ops', key: 5 },
      { action: 'JoinRoom', room: 'Ops', key: '' },
      { action: 'JoinRoom', room: 'Ops', key: 'k'.repeat(257) },
      { action: 'LeaveRoom', room: null },
      { action: 'LeaveRoom' },
      { action: 'Message', text: 'x', toUserId: 0, room: ['Ops'] },
      { action: 'Message', text: 'x', toUserId: 0, room: '' },
      { action: 'Message', text: 'x', toUserId: bob.userId, room: 'Ops' },
      { action: 'History', before: 1, room: 7 },
    ];
    for (const frame of junk) {
      const mark = anna.mark();
      anna.send(frame);
      expect((await nextError(anna, mark)).code, JSON.stringify(frame).slice(0, 80)).toBe('invalid-room');
    }
    // 64 characters, astral ones too, is a name.
    expect((await mustJoin(anna, '😀'.repeat(64))).joined.room).toBe('😀'.repeat(64));
    anna.say('still here');
    await bob.waitFor(lineWith('still here'));
    expect(bob.all('Error')).toEqual([]);
    expect(bob.all('RoomMemberJoined')).toEqual([]);
  });

  it('floods of JoinRoom and ListRooms are rate-limited like chat', async () => {
    const t = await startTestServer({ rateBurst: 3, ratePerSecond: 1 });
    const anna = await t.join('Anna');
    for (let i = 0; i < 5; i++) anna.send({ action: i % 2 === 0 ? 'ListRooms' : 'JoinRoom', room: `r${i}` });
    const limited = await anna.waitFor((m): m is ErrorMessage => m.action === 'Error' && m.code === 'rate-limited');
    expect(limited.code).toBe('rate-limited');
  });
});

describe('rooms and sessions', () => {
  it('a member back within the presence grace is still in its rooms and gets their lines on the new connection', async () => {
    const t = await startTestServer({ presenceGraceMs: 5_000 });
    const anna = await t.join('Anna');
    const bob = await t.join('Bob');
    await mustJoin(anna, 'Ops');
    await mustJoin(bob, 'Ops');
    const token = bob.authorized.sessionToken!;
    bob.terminate();
    const back = await t.join({ userName: 'Bob', sessionToken: token }, { awaitOwnConnected: false });
    expect(back.userId).toBe(bob.userId);
    sayIn(anna, 'Ops', 'after the drop');
    expect(await back.waitFor(lineWith('after the drop'))).toMatchObject({ room: 'Ops' });
    sayIn(back, 'Ops', 'bob again');
    await anna.waitFor(lineWith('bob again'));
    expect(anna.all('RoomMemberLeft')).toEqual([]);
  });
});

describe('rooms and a session resumed after it was announced gone', () => {
  it('comes back to its rooms, each answered as a join; a clean leave ends that', async () => {
    const t = await startTestServer({ presenceGraceMs: 0 });
    const anna = await t.join('Anna');
    const bob = await t.join('Bob');
    await mustJoin(anna, 'Ops');
    await mustJoin(bob, 'Ops');
    await mustJoin(bob, 'Vault', 'key');
    const token = bob.authorized.sessionToken!;
    let mark = anna.mark();
    bob.terminate();
    await anna.waitFor((m) => m.action === 'ConnectionLost', undefined, 'ConnectionLost', mark);
    sayIn(anna, 'Ops', 'while bob was away');
    await anna.waitFor(lineWith('while bob was away'));
    mark = anna.mark();
    const back = await t.join({ userName: 'Bob', sessionToken: token }, { awaitOwnConnected: false });
    const rejoined = await back.waitFor((m) => m.action === 'RoomJoined' && m.room === 'Ops');
    expect(rejoined.action === 'RoomJoined' && rejoined.users.map((u) => u.userName)).toEqual(['Anna', 'Bob']);
    await back.waitFor((m) => m.action === 'RoomJoined' && m.room === 'Vault');
    const roomHistory = await back.waitFor((m) => m.action === 'History' && m.room === 'Ops');
    expect(roomHistory.action === 'History' && roomHistory.messages.map((m) => m.text)).toContain('while bob was away');
    expect(await anna.waitFor((m) => m.action === 'RoomMemberJoined', undefined, 'RoomMemberJoined', mark)).toMatchObject({ room: 'Ops', userId: back.userId });
    sayIn(back, 'Ops', 'bob is back');
    await anna.waitFor(lineWith('bob is back'));

    // A clean leave ends the session: nothing comes back.
    await back.close();
    const fresh = await t.join({ userName: 'Bob', sessionToken: token });
    fresh.say('canary');
    await fresh.waitFor(lineWith('canary'));
    expect(fresh.all('RoomJoined')).toEqual([]);
  });
});
