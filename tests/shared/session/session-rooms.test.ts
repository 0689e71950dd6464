import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { OlderHistory } from '../../../src-shared/bridge';
import { ANNA, REQUEST, harness } from './fake-socket';

/* Issue 13 §1 and §6 in the session: joining, leaving and listing rooms, a room's lines and pages, rejoining after a login. */

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

const frames = (sent: string[]): Record<string, unknown>[] => sent.map((f) => JSON.parse(f)).filter((f) => f.action !== 'Pong');
const joined = (room: string, locked = false) => ({ action: 'RoomJoined', room, users: [ANNA], locked });

describe('ClientSession: rooms', () => {
  it('joins (with the key), leaves and lists rooms, and passes the answers on as messages', () => {
    const h = harness();
    h.session.connect(REQUEST);
    const socket = h.login();
    h.session.joinRoom('  ops ', 'sekret');
    h.session.listRooms();
    socket.receiveJson(joined('Ops', true));
    socket.receiveJson({ action: 'RoomList', rooms: [{ room: 'Ops', users: 1, locked: true }] });
    expect(h.session.rooms).toEqual(['Ops']);
    expect(h.session.leaveRoom('OPS')).toBe(true);
    socket.receiveJson({ action: 'RoomLeft', room: 'Ops' });
    expect(frames(socket.sent)).toEqual([
      { action: 'JoinRoom', room: 'ops', key: 'sekret' },
      { action: 'ListRooms' },
      { action: 'LeaveRoom', room: 'Ops' },
    ]);
    expect(h.messages.map((m) => m.action)).toEqual(['Authorized', 'RoomJoined', 'RoomList', 'RoomLeft']);
    expect(h.session.rooms).toEqual([]);
  });

  it('sends a room line only once the room is joined, with the server\'s spelling, and takes its echo', () => {
    const h = harness();
    h.session.connect(REQUEST);
    const socket = h.login();
    h.session.joinRoom('ops');
    h.session.send({ text: 'hi room', toUserId: 0, room: 'OPS' });
    expect(frames(socket.sent)).toEqual([{ action: 'JoinRoom', room: 'ops' }]);
    expect(h.session.outbox).toMatchObject([{ text: 'hi room', room: 'ops', sending: false }]);
    socket.receiveJson(joined('Ops'));
    expect(frames(socket.sent).at(-1)).toEqual({ action: 'Message', text: 'hi room', toUserId: 0, room: 'Ops' });
    // The lobby's echo of the same text is not this line's.
    socket.receiveJson({ action: 'PublicMessage', ...ANNA, text: 'hi room', messageId: 1 });
    expect(h.session.outbox).toHaveLength(1);
    socket.receiveJson({ action: 'PublicMessage', ...ANNA, room: 'Ops', text: 'hi room', messageId: 2 });
    expect(h.session.outbox).toEqual([]);
  });

  it('refuses a line for a room it is not in, with a notice (nothing is sent)', () => {
    const h = harness();
    h.session.connect(REQUEST);
    const socket = h.login();
    h.session.send({ text: 'lost', toUserId: 0, room: 'nowhere' });
    expect(frames(socket.sent)).toEqual([]);
    expect(h.notices).toEqual([{ kind: 'send-failed', reason: expect.stringContaining('not in the room nowhere') }]);
  });

  it('rejoins its rooms with their keys after a new login, and a room refused is not asked for again', () => {
    const h = harness();
    h.session.connect(REQUEST);
    const first = h.login();
    h.session.joinRoom('Ops', 'k1');
    h.session.joinRoom('Dev');
    first.receiveJson(joined('Ops', true));
    first.receiveJson(joined('Dev'));
    first.serverClose(1006);
    vi.runOnlyPendingTimers();
    const second = h.login();
    expect(frames(second.sent)).toEqual([
      { action: 'JoinRoom', room: 'Ops', key: 'k1' },
      { action: 'JoinRoom', room: 'Dev' },
    ]);
    second.receiveJson({ action: 'Error', code: 'room-forbidden', message: 'Wrong room key' });
    second.receiveJson(joined('Dev'));
    expect(h.session.rooms).toEqual(['Dev']);
    second.serverClose(1006);
    vi.runOnlyPendingTimers();
    expect(frames(h.login().sent)).toEqual([{ action: 'JoinRoom', room: 'Dev' }]);
  });

  it('writes a JoinRoom refused as rate-limited again after a pause, and takes a refused room line for that line\'s answer', () => {
    const h = harness();
    h.session.connect(REQUEST);
    const socket = h.login();
    h.session.joinRoom('Ops');
    socket.receiveJson({ action: 'Error', code: 'rate-limited', message: 'Slow down' });
    expect(frames(socket.sent)).toEqual([{ action: 'JoinRoom', room: 'Ops' }]);
    vi.advanceTimersByTime(1_500);
    expect(frames(socket.sent)).toEqual([{ action: 'JoinRoom', room: 'Ops' }, { action: 'JoinRoom', room: 'Ops' }]);
    socket.receiveJson(joined('Ops'));
    h.session.send({ text: 'too late', toUserId: 0, room: 'Ops' });
    socket.receiveJson({ action: 'Error', code: 'not-in-room', message: 'You are not in that room' });
    expect(h.session.outbox).toEqual([]);
    expect(h.notices.at(-1)).toEqual({ kind: 'send-failed', reason: expect.stringContaining('too late') });
  });

  it('forgets its rooms (and keys) for another server', () => {
    const h = harness();
    h.session.connect(REQUEST);
    h.login();
    h.session.joinRoom('Ops', 'k1');
    h.session.connect({ ...REQUEST, server: 'other.lan' });
    expect(frames(h.login().sent)).toEqual([]);
    expect(h.session.rooms).toEqual([]);
  });

  it('drops the waiting lines of a room that is left, and says so', () => {
    const h = harness();
    h.session.joinRoom('Ops');
    h.session.send({ text: 'later', toUserId: 0, room: 'Ops' });
    expect(h.session.leaveRoom('Ops')).toBe(false);
    expect(h.session.outbox).toEqual([]);
    expect(h.notices.at(-1)).toEqual({ kind: 'send-failed', reason: expect.stringContaining('you left it') });
  });

  it('pages a room: the request names it, and only that room\'s History is the page', () => {
    const h = harness();
    const pages: OlderHistory[] = [];
    h.session.on('olderHistory', (p) => pages.push(p));
    h.session.connect(REQUEST);
    const socket = h.login();
    expect(h.session.loadOlder(10, 20, 'Ops')).toBe(false);
    h.session.joinRoom('Ops');
    socket.receiveJson(joined('Ops'));
    expect(h.session.loadOlder(10, 20, 'ops')).toBe(true);
    expect(frames(socket.sent).at(-1)).toEqual({ action: 'History', before: 10, limit: 20, room: 'Ops' });
    const line = { action: 'PublicMessage', ...ANNA, text: 'old', messageId: 3 };
    // The lobby's History is not the room's page.
    socket.receiveJson({ action: 'History', messages: [line], hasMore: false });
    expect(pages).toEqual([]);
    socket.receiveJson({ action: 'History', room: 'Ops', messages: [{ ...line, room: 'Ops' }], hasMore: true });
    expect(pages).toEqual([{ ok: true, before: 10, room: 'Ops', hasMore: true, messages: [{ ...line, room: 'Ops' }] }]);
  });

  it('throws on a programmer\'s bad room name or key', () => {
    const h = harness();
    expect(() => h.session.joinRoom('')).toThrow(RangeError);
    expect(() => h.session.joinRoom('a\u0000b')).toThrow(RangeError);
    expect(() => h.session.joinRoom('ok', '')).toThrow(TypeError);
    expect(() => h.session.send({ text: 'x', toUserId: 2, room: 'ok' })).toThrow(RangeError);
  });
});
