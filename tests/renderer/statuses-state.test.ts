import { describe, expect, it } from 'vitest';
import type { Identity, ServerMessage } from '../../src-shared/protocol';
import { INITIAL_STATE, reduce } from '../../src-renderer/state/chat-state';
import type { ChatEvent, ChatState } from '../../src-renderer/state/chat-state';
import { lineAt } from '../../src-renderer/state/log';
import { presenceOf } from '../../src-renderer/state/statuses';

/* The reducer's part of issue 13 §3–§4: statuses by user, and a buzz as a line. */

const me: Identity = { userId: 1, userName: 'Tester', gender: 1, userColor: '#2980b9' };
const anya: Identity = { userId: 2, userName: 'Аня', gender: 2, userColor: '#8e44ad' };
const bob: Identity = { userId: 3, userName: 'Bob', gender: 0, userColor: '#27ae60' };

const msg = (message: ServerMessage): ChatEvent => ({ type: 'message', message, time: 0 });
const run = (events: ChatEvent[], from: ChatState = INITIAL_STATE): ChatState => events.reduce(reduce, from);

function loggedIn(users: ServerMessage[] = []): ChatState {
  return run([
    { type: 'status', status: { state: 'connecting', url: 'ws://x/', attempt: 0 }, time: 0 },
    msg({ action: 'Authorized', ...me, users: [{ ...anya, status: 'working', statusText: 'report' }, me] }),
    { type: 'status', status: { state: 'authorized', self: me }, time: 0 },
    ...users.map(msg),
  ]);
}

const lastLine = (state: ChatState) => lineAt(state.log, state.log.count - 1);

describe('statuses in the state', () => {
  it('come from Authorized and Connected, change with StatusChanged, and go with a leave', () => {
    let state = loggedIn([{ action: 'Connected', ...bob, status: 'busy' }]);
    expect(presenceOf(state.statuses, anya.userId)).toEqual({ status: 'working', text: 'report' });
    expect(presenceOf(state.statuses, bob.userId)).toEqual({ status: 'busy', text: '' });
    expect(presenceOf(state.statuses, me.userId)).toEqual({ status: 'online', text: '' });
    state = run([msg({ action: 'StatusChanged', userId: me.userId, status: 'away', text: 'lunch' })], state);
    expect(presenceOf(state.statuses, me.userId)).toEqual({ status: 'away', text: 'lunch' });
    state = run([msg({ action: 'StatusChanged', userId: anya.userId, status: 'online', text: '' }), msg({ action: 'Disconnected', ...bob })], state);
    expect([...state.statuses.keys()]).toEqual([me.userId]);
  });

  it('a status change adds no line to the log', () => {
    const state = loggedIn();
    const next = reduce(state, msg({ action: 'StatusChanged', userId: anya.userId, status: 'busy', text: '' }));
    expect(next.log).toBe(state.log);
  });
});

describe('a buzz in the state', () => {
  it('to us, and our receipt, are lines; one between others is not', () => {
    let state = loggedIn([{ action: 'Connected', ...bob }]);
    state = reduce(state, msg({ action: 'Buzz', userId: anya.userId, toUserId: me.userId }));
    expect(lastLine(state)).toMatchObject({ kind: 'system', event: { type: 'buzz', from: anya, to: me, mine: false } });
    state = reduce(state, msg({ action: 'Buzz', userId: me.userId, toUserId: bob.userId }));
    expect(lastLine(state)).toMatchObject({ kind: 'system', event: { type: 'buzz', from: me, to: bob, mine: true } });
    const before = state.log;
    expect(reduce(state, msg({ action: 'Buzz', userId: anya.userId, toUserId: bob.userId })).log).toBe(before);
  });

  it('a refused buzz’s rate limit has its own code', () => {
    const state = reduce(loggedIn(), msg({ action: 'Error', code: 'rate-limited', message: 'x', refused: 'Buzz' }));
    expect(lastLine(state)).toMatchObject({ kind: 'system', event: { type: 'error', code: 'buzz-rate-limited' } });
  });
});
