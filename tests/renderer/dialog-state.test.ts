import { describe, expect, it } from 'vitest';
import type { ConnectionStatus } from '../../src-shared/bridge';
import type { Identity, PrivateMessage, PublicMessage, ServerMessage } from '../../src-shared/protocol';
import { INITIAL_STATE, reduce } from '../../src-renderer/state/chat-state';
import type { ChatEvent, ChatState } from '../../src-renderer/state/chat-state';
import { lineAt } from '../../src-renderer/state/log';
import type { ChatLine } from '../../src-renderer/state/log';

/*
 * A private dialog's lines in the reducer: a DialogHistory's lines go where their ids put
 * them (not at the end), none twice; a line that waited for us is shown though newer
 * public lines came first; a Delivered turns one's own waiting lines into delivered ones.
 */

const me: Identity = { userId: 1, userName: 'Tester', gender: 1, userColor: '#2980b9' };
const anya: Identity = { userId: 2, userName: 'Аня', gender: 2, userColor: '#8e44ad' };

const msg = (message: ServerMessage, time = 0): ChatEvent => ({ type: 'message', message, time });
const status = (s: ConnectionStatus): ChatEvent => ({ type: 'status', status: s, time: 0 });

function run(events: ChatEvent[], from: ChatState = INITIAL_STATE): ChatState {
  return events.reduce(reduce, from);
}

const loggedIn = (): ChatState =>
  run([
    status({ state: 'connecting', url: 'ws://127.0.0.1:27800/', attempt: 0 }),
    status({ state: 'open', url: 'ws://127.0.0.1:27800/' }),
    msg({ action: 'Authorized', ...me, users: [me, anya], lasting: true }),
    status({ state: 'authorized', self: me }),
  ]);

const pub = (messageId: number, text: string): PublicMessage => ({ action: 'PublicMessage', ...anya, messageId, sentAt: messageId, text });
const priv = (messageId: number, from: Identity, to: Identity, text: string, delivery?: 'delivered' | 'waiting'): PrivateMessage => ({
  action: 'PrivateMessage',
  ...from,
  messageId,
  sentAt: messageId,
  toUserId: to.userId,
  text,
  ...(delivery === undefined ? {} : { delivery }),
});

function chatLines(state: ChatState): ChatLine[] {
  const out: ChatLine[] = [];
  for (let i = 0; i < state.log.count; i++) {
    const line = lineAt(state.log, i);
    if (line?.kind === 'chat') out.push(line);
  }
  return out;
}

describe('a private dialog in the log', () => {
  it('puts a DialogHistory’s lines where their ids belong, once, marked as replayed', () => {
    const history: ServerMessage = { action: 'History', messages: [pub(10, 'ten'), pub(30, 'thirty'), pub(50, 'fifty')], hasMore: false };
    const dialog: ServerMessage = {
      action: 'DialogHistory',
      with: anya.userId,
      messages: [priv(5, anya, me, 'five'), priv(20, me, anya, 'twenty', 'delivered'), priv(40, anya, me, 'forty'), priv(60, me, anya, 'sixty', 'waiting')],
      hasMore: false,
    };
    const state = run([msg(history), msg(dialog), msg(dialog)], loggedIn());
    const lines = chatLines(state);
    expect(lines.map((l) => l.messageId)).toEqual([5, 10, 20, 30, 40, 50, 60]);
    expect(lines.filter((l) => l.direction !== 'public').every((l) => l.replayed)).toBe(true);
    expect(lines.find((l) => l.messageId === 20)).toMatchObject({ direction: 'private-out', mine: true, delivery: 'delivered', peer: anya });
    expect(lines.find((l) => l.messageId === 60)).toMatchObject({ delivery: 'waiting' });
    expect(state.lastMessageId).toBe(60);
  });

  it('shows a line that waited for us though newer lines came first, and only once', () => {
    const history: ServerMessage = { action: 'History', messages: [pub(30, 'thirty')], hasMore: false };
    const waited = priv(20, anya, me, 'while you were away', 'delivered');
    const state = run([msg(history), msg(waited), msg(waited)], loggedIn());
    expect(chatLines(state).map((l) => [l.messageId, l.text])).toEqual([[30, 'thirty'], [20, 'while you were away']]);
  });

  it('marks one’s own waiting lines delivered on a Delivered', () => {
    const state = run(
      [msg(priv(20, me, anya, 'one', 'waiting')), msg(priv(21, me, anya, 'two', 'waiting')), msg({ action: 'Delivered', toUserId: anya.userId, messageIds: [20] })],
      loggedIn(),
    );
    expect(chatLines(state).map((l) => l.delivery)).toEqual(['delivered', 'waiting']);
  });
});
