import { describe, expect, it } from 'vitest';
import type { ConnectionStatus } from '../../src-shared/bridge';
import type { Identity, ServerMessage } from '../../src-shared/protocol';
import { INITIAL_STATE, reduce, shownConversation } from '../../src-renderer/state/chat-state';
import type { ChatEvent, ChatState } from '../../src-renderer/state/chat-state';
import { conversationOrder, conversationFromSetting, conversationToSetting, stepConversation } from '../../src-renderer/state/conversations';
import { lineAt } from '../../src-renderer/state/log';
import type { LogStore } from '../../src-renderer/state/log';

/* Issue 13 §6 in the reducer: a log per conversation, unread counts, mention markers, the conversation shown. */

const me: Identity = { userId: 1, userName: 'Tester', gender: 1, userColor: '#2980b9' };
const anya: Identity = { userId: 2, userName: 'Аня', gender: 2, userColor: '#8e44ad' };
const bob: Identity = { userId: 3, userName: 'Bob', gender: 0, userColor: '#27ae60' };

const msg = (message: ServerMessage, time = 0): ChatEvent => ({ type: 'message', message, time });
const status = (s: ConnectionStatus): ChatEvent => ({ type: 'status', status: s, time: 0 });
const run = (events: ChatEvent[], from: ChatState = INITIAL_STATE): ChatState => events.reduce(reduce, from);

function loggedIn(url = 'ws://127.0.0.1:27800/'): ChatState {
  return run([
    status({ state: 'connecting', url, attempt: 0 }),
    status({ state: 'open', url }),
    msg({ action: 'Authorized', ...me, users: [me, anya, bob] }),
    status({ state: 'authorized', self: me }),
  ]);
}

const texts = (log: LogStore): string[] => {
  const out: string[] = [];
  for (let i = 0; i < log.count; i++) {
    const line = lineAt(log, i);
    if (line?.kind === 'chat') out.push(line.text);
  }
  return out;
};

const joined = (room: string, users: Identity[] = [me, anya]): ServerMessage => ({ action: 'RoomJoined', room, users, locked: false });
const said = (from: Identity, text: string, messageId: number, room?: string): ServerMessage =>
  room === undefined ? { action: 'PublicMessage', ...from, text, messageId } : { action: 'PublicMessage', ...from, text, messageId, room };

describe('conversations in the chat state', () => {
  it('keeps a room\'s lines in the room\'s log only: the lobby never shows them', () => {
    const s = run([msg(joined('Ops')), msg(said(anya, 'in the room', 10, 'Ops')), msg(said(bob, 'in the lobby', 11))], loggedIn());
    expect(texts(s.log)).toEqual(['in the lobby']);
    expect(texts(s.rooms[0]!.log)).toEqual(['in the room']);
    expect(s.rooms[0]).toMatchObject({ name: 'Ops', unread: 1, mentioned: false, users: [me, anya] });
  });

  it('drops lines of a room not joined, and a History for a room goes to that room with its paging', () => {
    const s = run(
      [
        msg(said(anya, 'stray', 5, 'Elsewhere')),
        msg(joined('Ops')),
        msg({ action: 'History', room: 'Ops', messages: [said(anya, 'old', 3, 'Ops') as never, said(me, 'mine', 4, 'Ops') as never], hasMore: true }),
      ],
      loggedIn(),
    );
    expect(texts(s.log)).toEqual([]);
    expect(texts(s.rooms[0]!.log)).toEqual(['old', 'mine']);
    expect(s.rooms[0]!.older).toMatchObject({ state: 'idle', oldestId: 3 });
    // Replayed lines are not unread.
    expect(s.rooms[0]!.unread).toBe(0);
    const page = run(
      [
        { type: 'room-older-requested', room: 'ops' },
        { type: 'older', page: { ok: true, before: 3, room: 'Ops', messages: [said(bob, 'older', 2, 'Ops') as never], hasMore: false }, time: 0 },
      ],
      s,
    );
    expect(texts(page.rooms[0]!.log)).toEqual(['older', 'old', 'mine']);
    expect(page.rooms[0]!.older.state).toBe('end');
    expect(page.older).toEqual(s.older);
  });

  it('counts unread per conversation, marks a mention in a room not shown, and clears both when it is shown', () => {
    let s = run([msg(joined('Ops')), msg(joined('Dev')), { type: 'conversation-selected', conversation: { kind: 'room', room: 'Dev' } }], loggedIn());
    s = run([msg(said(anya, 'hey <b>Tester</b>', 20, 'Ops')), msg(said(anya, 'dev talk', 21, 'Dev')), msg(said(bob, 'lobby talk', 22))], s);
    expect(s.rooms.map((r) => [r.name, r.unread, r.mentioned])).toEqual([
      ['Ops', 1, true],
      ['Dev', 0, false],
    ]);
    expect([s.lobbyUnread, s.lobbyMentioned]).toEqual([1, false]);
    expect(texts(shownConversation(s).log)).toEqual(['dev talk']);
    s = reduce(s, { type: 'conversation-selected', conversation: { kind: 'room', room: 'OPS' } });
    expect(s.current).toEqual({ kind: 'room', room: 'Ops' });
    expect(s.rooms[0]).toMatchObject({ unread: 0, mentioned: false });
    s = reduce(s, { type: 'conversation-selected', conversation: { kind: 'lobby' } });
    expect([s.lobbyUnread, s.current.kind]).toEqual([0, 'lobby']);
  });

  it('keeps members per room: joins, leaves, and a user who leaves the server leaves every room', () => {
    let s = run([msg(joined('Ops')), msg({ action: 'RoomMemberJoined', room: 'Ops', ...bob })], loggedIn());
    expect(s.rooms[0]!.users.map((u) => u.userName)).toEqual(['Tester', 'Аня', 'Bob']);
    s = run([msg({ action: 'RoomMemberLeft', room: 'Ops', ...anya }), msg({ action: 'Disconnected', ...bob })], s);
    expect(s.rooms[0]!.users.map((u) => u.userName)).toEqual(['Tester']);
    expect(s.users.map((u) => u.userName)).toEqual(['Tester', 'Аня']);
  });

  it('shows a room asked for once it is joined, and goes back to the lobby when the shown room is left', () => {
    let s = run([{ type: 'room-opening', room: 'ops' }, msg(joined('Ops'))], loggedIn());
    expect(s.current).toEqual({ kind: 'room', room: 'Ops' });
    s = reduce(s, msg({ action: 'RoomLeft', room: 'Ops' }));
    expect([s.current.kind, s.rooms.length]).toEqual(['lobby', 0]);
  });

  it('gives each private dialog its own log and unread count; its page and delivery marks go there too; the lobby keeps its private lines', () => {
    let s = run([msg(joined('Ops')), { type: 'conversation-selected', conversation: { kind: 'room', room: 'Ops' } }], loggedIn());
    s = reduce(s, msg({ action: 'PrivateMessage', ...anya, toUserId: me.userId, text: 'psst', messageId: 30 }));
    expect(s.dialogs).toMatchObject([{ peer: anya, unread: 1 }]);
    expect(texts(s.dialogs[0]!.log)).toEqual(['psst']);
    expect(texts(s.log)).toEqual(['psst']);
    s = reduce(s, { type: 'conversation-selected', conversation: { kind: 'dialog', userId: anya.userId } });
    expect([s.dialogs[0]!.unread, s.privateTarget?.userId]).toEqual([0, anya.userId]);
    s = run(
      [
        msg({ action: 'DialogHistory', with: anya.userId, hasMore: false, messages: [{ action: 'PrivateMessage', ...me, toUserId: anya.userId, text: 'earlier', messageId: 12, delivery: 'waiting' }] }),
        msg({ action: 'Delivered', toUserId: anya.userId, messageIds: [12] }),
      ],
      s,
    );
    expect(texts(s.dialogs[0]!.log)).toEqual(['earlier', 'psst']);
    const first = lineAt(s.dialogs[0]!.log, 0);
    expect(first?.kind === 'chat' && first.delivery).toBe('delivered');
    s = reduce(s, { type: 'dialog-closed', userId: anya.userId });
    expect([s.dialogs.length, s.current.kind, s.privateTarget]).toEqual([0, 'lobby', null]);
  });

  it('shows an Error where the user looks as well as in the lobby', () => {
    const s = run([msg(joined('Ops')), { type: 'conversation-selected', conversation: { kind: 'room', room: 'Ops' } }, msg({ action: 'Error', code: 'not-in-room', message: 'Not in that room' })], loggedIn());
    expect(lineAt(s.rooms[0]!.log, 0)).toMatchObject({ kind: 'system', event: { type: 'error', code: 'not-in-room' } });
    expect(lineAt(s.log, s.log.count - 1)).toMatchObject({ kind: 'system', event: { type: 'error' } });
  });

  it('fills in what a reconnect missed in a room: the gap before its login History is paged in where it belongs', () => {
    let s = run([msg(joined('Ops')), msg(said(anya, 'before', 10, 'Ops'))], loggedIn());
    s = run(
      [
        status({ state: 'reconnecting', delayMs: 100, attempt: 1, reason: 'gone' }),
        status({ state: 'connecting', url: 'ws://127.0.0.1:27800/', attempt: 1 }),
        status({ state: 'open', url: 'ws://127.0.0.1:27800/' }),
        msg({ action: 'Authorized', ...me, users: [me, anya] }),
        status({ state: 'authorized', self: me }),
        msg(joined('Ops')),
        msg({ action: 'History', room: 'Ops', messages: [said(anya, 'after', 20, 'Ops') as never], hasMore: true }),
      ],
      s,
    );
    expect(s.rooms[0]!.missed).toEqual({ after: 10, before: 20, loading: false });
    s = run(
      [
        { type: 'room-missed-requested', room: 'Ops' },
        { type: 'older', page: { ok: true, before: 20, room: 'Ops', messages: [said(bob, 'missed', 15, 'Ops') as never], hasMore: true }, time: 0 },
      ],
      s,
    );
    expect(texts(s.rooms[0]!.log)).toEqual(['before', 'missed', 'after']);
    expect(s.missed).toBeNull();
  });

  it('says a notice (a line not sent) in the room shown too', () => {
    const s = run([msg(joined('Ops')), { type: 'conversation-selected', conversation: { kind: 'room', room: 'Ops' } }, { type: 'notice', notice: { kind: 'send-failed', reason: 'too long' }, time: 0 }], loggedIn());
    expect(lineAt(s.rooms[0]!.log, 0)).toMatchObject({ kind: 'system', event: { type: 'send-failed', reason: 'too long' } });
    expect(lineAt(s.log, s.log.count - 1)).toMatchObject({ kind: 'system', event: { type: 'send-failed' } });
  });

  it('empties the rooms\' member lists while reconnecting, and forgets rooms and dialogs for another server', () => {
    let s = run([msg(joined('Ops')), msg({ action: 'PrivateMessage', ...anya, toUserId: me.userId, text: 'hi', messageId: 3 })], loggedIn());
    s = reduce(s, status({ state: 'reconnecting', delayMs: 100, attempt: 1, reason: 'gone' }));
    expect([s.rooms[0]!.users.length, s.dialogs.length]).toEqual([0, 1]);
    s = run([status({ state: 'connecting', url: 'ws://other:1/', attempt: 0 })], s);
    expect([s.rooms.length, s.dialogs.length, s.current.kind]).toEqual([0, 0, 'lobby']);
  });

  it('leaves the lobby as it was when no room is joined (a lobby line is not unread while the lobby is shown)', () => {
    const s = run([msg(said(anya, 'hello', 1))], loggedIn());
    expect([s.lobbyUnread, s.rooms.length, s.dialogs.length, texts(s.log)]).toEqual([0, 0, 0, ['hello']]);
  });

  it('steps through the lobby, the rooms and the dialogs, and keeps the current one as a setting', () => {
    const s = run([msg(joined('Ops')), msg(joined('Dev')), { type: 'dialog-opened', user: anya }], loggedIn());
    const order = conversationOrder(s.rooms, s.dialogs);
    expect(stepConversation(order, { kind: 'lobby' }, 1)).toEqual({ kind: 'room', room: 'Ops' });
    expect(stepConversation(order, { kind: 'lobby' }, -1)).toEqual({ kind: 'dialog', userId: anya.userId });
    expect(conversationToSetting({ kind: 'room', room: 'Ops' }, s.dialogs)).toBe('room:Ops');
    expect(conversationToSetting({ kind: 'dialog', userId: anya.userId }, s.dialogs)).toBe('dialog:Аня');
    expect(conversationFromSetting('dialog:Аня')).toEqual({ kind: 'dialog', userName: 'Аня' });
    expect(conversationFromSetting('junk')).toBeNull();
  });
});
