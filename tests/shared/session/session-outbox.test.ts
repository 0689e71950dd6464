import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { formatChatText } from '../../../src-shared/protocol';
import { HISTORY_WAIT_MS, SEND_BURST, SEND_PER_SECOND } from '../../../src-shared/session';
import { ANNA, REQUEST, harness } from './fake-socket';
import type { FakeSocket } from './fake-socket';

const TOKEN = { sessionToken: 'tok+/=' };

const echo = (text: string, userId = ANNA.userId) => ({ action: 'PublicMessage', ...ANNA, userId, text: formatChatText(text) });
const chatSent = (socket: FakeSocket): unknown[] =>
  socket.sent.filter((f) => f !== '{"action":"Pong"}').map((f) => JSON.parse(f) as unknown);
const texts = (socket: FakeSocket): string[] => chatSent(socket).map((m) => (m as { text: string }).text);

beforeEach(() => {
  vi.useFakeTimers({ now: 1_700_000_000_000 });
});
afterEach(() => {
  vi.useRealTimers();
});

describe('the outbox', () => {
  it('keeps what is typed before the login, in order, and sends it after the login', () => {
    const h = harness();
    h.session.send({ text: 'first', toUserId: 0 });
    h.session.connect(REQUEST);
    h.session.send({ text: 'second', toUserId: 4 });
    h.last().open();
    h.session.send({ text: 'third', toUserId: 0 });
    expect(h.last().sent).toEqual([]);
    expect(h.session.outbox).toEqual([
      { id: expect.any(String), text: 'first', toUserId: 0, queuedAt: 1_700_000_000_000, sending: false },
      { id: expect.any(String), text: 'second', toUserId: 4, queuedAt: 1_700_000_000_000, sending: false },
      { id: expect.any(String), text: 'third', toUserId: 0, queuedAt: 1_700_000_000_000, sending: false },
    ]);
    h.last().receiveJson({ ...{ action: 'Authorized', ...ANNA, users: [ANNA] }, ...TOKEN });
    // The private one was addressed by an id from no login of this session: not sent (see below).
    expect(chatSent(h.last())).toEqual([
      { action: 'Message', text: 'first', toUserId: 0 },
      { action: 'Message', text: 'third', toUserId: 0 },
    ]);
    expect(h.session.outbox.map((p) => [p.text, p.sending])).toEqual([
      ['first', true],
      ['third', true],
    ]);
  });

  it('sends a private message typed while away only to a resumed session, where its recipient id still means the same user', () => {
    const h = harness();
    h.session.connect(REQUEST);
    h.login(ANNA, TOKEN).serverClose(1006);
    h.session.send({ text: 'to Bob', toUserId: 4 });
    vi.advanceTimersByTime(2_000);
    const resumed = h.login(ANNA, TOKEN);
    resumed.receiveJson({ action: 'History', messages: [] });
    expect(chatSent(resumed)).toEqual([{ action: 'Message', text: 'to Bob', toUserId: 4 }]);
    resumed.serverClose(1006);
    vi.advanceTimersByTime(2_000);
    // The server restarted: a new id, a new login. Id 4 may be anyone now.
    const fresh = h.login({ ...ANNA, userId: 2 }, TOKEN);
    expect(chatSent(fresh)).toEqual([]);
    expect(h.session.outbox).toEqual([]);
    expect(h.notices).toEqual([{ kind: 'send-failed', reason: 'The private message “to Bob” was not sent: this is a new login, and its recipient may now be someone else.' }]);
  });

  it('keeps a message pending until its echo; the echo is emitted before the pending copy goes', () => {
    const h = harness();
    h.session.connect(REQUEST);
    const socket = h.login(ANNA, TOKEN);
    const order: string[] = [];
    h.session.on('message', (m) => order.push(`message:${m.action}`));
    h.session.on('outbox', (o) => order.push(`outbox:${o.length}`));
    h.session.send({ text: 'Hi {Bob}', toUserId: 0 });
    expect(order).toEqual(['outbox:1', 'outbox:1']);
    expect(h.session.outbox[0]).toMatchObject({ text: 'Hi {Bob}', sending: true });
    socket.receiveJson(echo('Hi {Bob}', 9));
    expect(h.session.outbox).toHaveLength(1);
    socket.receiveJson(echo('Hi {Bob}'));
    expect(h.session.outbox).toEqual([]);
    expect(order.slice(2)).toEqual(['message:PublicMessage', 'message:PublicMessage', 'outbox:0']);
  });

  it('lets the user cancel a waiting message, not one already written', () => {
    const h = harness();
    h.session.send({ text: 'keep', toUserId: 0 });
    h.session.send({ text: 'drop', toUserId: 0 });
    const [keep, drop] = h.session.outbox;
    expect(h.session.cancelPending(drop!.id)).toBe(true);
    expect(h.session.cancelPending(drop!.id)).toBe(false);
    expect(h.outboxes[h.outboxes.length - 1]!.map((p) => p.text)).toEqual(['keep']);
    h.session.connect(REQUEST);
    h.login(ANNA, TOKEN);
    expect(h.session.cancelPending(keep!.id)).toBe(false);
    expect(texts(h.last())).toEqual(['keep']);
  });

  it('puts an unanswered message back in line after a loss and sends it after the next login', () => {
    const h = harness();
    h.session.connect(REQUEST);
    const first = h.login(ANNA, TOKEN);
    h.session.send({ text: 'lost in flight', toUserId: 0 });
    first.serverClose(1006);
    expect(h.session.outbox).toMatchObject([{ text: 'lost in flight', sending: false }]);
    h.session.send({ text: 'typed while away', toUserId: 0 });
    vi.advanceTimersByTime(2_000);
    // A new login (the server restarted: another id), so no History is awaited.
    h.login({ ...ANNA, userId: 2 }, TOKEN);
    expect(texts(h.last())).toEqual(['lost in flight', 'typed while away']);
  });

  it('sends nothing and keeps everything while the server is gone for good', () => {
    const h = harness();
    h.session.connect(REQUEST);
    h.login(ANNA, TOKEN);
    h.last().serverClose(4003, 'key');
    h.session.send({ text: 'later', toUserId: 0 });
    expect(h.session.outbox).toHaveLength(1);
    expect(h.notices).toEqual([]);
  });

  it('paces a long outbox below the server\'s rate limit', () => {
    const h = harness();
    for (let i = 0; i < 30; i++) h.session.send({ text: `m${i}`, toUserId: 0 });
    h.session.connect(REQUEST);
    const socket = h.login(ANNA, TOKEN);
    expect(chatSent(socket)).toHaveLength(SEND_BURST);
    vi.advanceTimersByTime(1_000);
    // Keep it alive: the server pings.
    socket.receiveJson({ action: 'Ping' });
    expect(chatSent(socket)).toHaveLength(SEND_BURST + SEND_PER_SECOND);
    vi.advanceTimersByTime(2_000);
    socket.receiveJson({ action: 'Ping' });
    vi.advanceTimersByTime(1_000);
    expect(texts(socket)).toEqual(Array.from({ length: 26 }, (_, i) => `m${i}`));
  });

  it('sends a rate-limited message again after a pause, in its place in line', () => {
    const h = harness();
    h.session.connect(REQUEST);
    const socket = h.login(ANNA, TOKEN);
    h.session.send({ text: 'a', toUserId: 0 });
    socket.receiveJson({ action: 'Error', code: 'rate-limited', message: 'Too many messages: slow down and send it again.' });
    h.session.send({ text: 'b', toUserId: 0 });
    expect(texts(socket)).toEqual(['a']);
    expect(h.session.outbox.map((p) => [p.text, p.sending])).toEqual([
      ['a', false],
      ['b', false],
    ]);
    expect(h.messages.some((m) => m.action === 'Error')).toBe(true);
    vi.advanceTimersByTime(1_000);
    expect(texts(socket)).toEqual(['a', 'a', 'b']);
    expect(h.notices).toEqual([]);
  });

  it('a reply whose quoted line is gone is refused for good, not left sending (unknown-reply)', () => {
    const h = harness();
    h.session.connect(REQUEST);
    const socket = h.login(ANNA, TOKEN);
    h.session.send({ text: 'answer', toUserId: 0, replyTo: 99 });
    socket.receiveJson({ action: 'Error', code: 'unknown-reply', message: 'The message this replies to is gone.' });
    expect(h.session.outbox).toEqual([]);
    expect(h.notices).toEqual([{ kind: 'send-failed', reason: '“answer” was not sent: The message this replies to is gone.' }]);
  });

  it('drops a message the server refuses for good, saying which', () => {
    const h = harness();
    h.session.connect(REQUEST);
    const socket = h.login(ANNA, TOKEN);
    h.session.send({ text: 'to nobody', toUserId: 77 });
    h.session.send({ text: 'fine', toUserId: 0 });
    socket.receiveJson({ action: 'Error', code: 'invalid-recipient', message: 'No such user.' });
    expect(h.session.outbox.map((p) => p.text)).toEqual(['fine']);
    expect(h.notices).toEqual([{ kind: 'send-failed', reason: '“to nobody” was not sent: No such user.' }]);
    // An Error about the connection itself settles nothing.
    socket.receiveJson({ action: 'Error', code: 'invalid-parameter', message: 'Bad colour.' });
    expect(h.session.outbox.map((p) => p.text)).toEqual(['fine']);
  });

  it('with an original server (no token, no private echo) forgets a private message once written', () => {
    const h = harness();
    h.session.connect(REQUEST);
    h.login();
    h.session.send({ text: 'psst', toUserId: 3 });
    h.session.send({ text: 'hello all', toUserId: 0 });
    expect(texts(h.last())).toEqual(['psst', 'hello all']);
    expect(h.session.outbox.map((p) => p.text)).toEqual(['hello all']);
  });

  it('refuses more than the outbox holds, with a notice', () => {
    const h = harness();
    for (let i = 0; i < 200; i++) h.session.send({ text: `m${i}`, toUserId: 0 });
    h.session.send({ text: 'one too many', toUserId: 0 });
    expect(h.session.outbox).toHaveLength(200);
    expect(h.notices).toEqual([{ kind: 'send-failed', reason: expect.stringMatching(/one too many.*too many messages are waiting/) }]);
  });

  it('connecting to another server discards the waiting messages, saying so; the same server keeps them', () => {
    const h = harness();
    h.session.connect(REQUEST);
    h.session.send({ text: 'for chat.lan', toUserId: 0 });
    h.session.disconnect();
    h.session.connect({ ...REQUEST, userName: 'Другое имя' });
    expect(h.session.outbox).toHaveLength(1);
    h.session.connect({ ...REQUEST, server: 'other.lan' });
    expect(h.session.outbox).toEqual([]);
    expect(h.notices).toEqual([{ kind: 'send-failed', reason: '1 message(s) waiting for the previous server were not sent.' }]);
  });
});

describe('the session token', () => {
  it('is handed back on reconnect, and a resumed session waits for its History before resending', () => {
    const h = harness();
    h.session.connect(REQUEST);
    expect(h.last().url).not.toContain('sessionToken');
    const first = h.login(ANNA, TOKEN);
    h.session.send({ text: 'made it', toUserId: 0 });
    h.session.send({ text: 'did not', toUserId: 0 });
    first.serverClose(1006);
    vi.advanceTimersByTime(2_000);
    const second = h.last();
    expect(new URL(second.url).searchParams.get('sessionToken')).toBe('tok+/=');
    // Reconnects ask for the name the user chose, not the one the server gave.
    expect(new URL(second.url).searchParams.get('userName')).toBe('Аня');
    h.login(ANNA, { sessionToken: 'tok2' });
    expect(chatSent(second)).toEqual([]);
    const history = { action: 'History', messages: [echo('someone', 8), echo('made it')] };
    second.receiveJson(history);
    expect(h.messages[h.messages.length - 1]).toEqual(history);
    expect(texts(second)).toEqual(['did not']);
    second.serverClose(1006);
    vi.advanceTimersByTime(2_000);
    expect(new URL(h.last().url).searchParams.get('sessionToken')).toBe('tok2');
  });

  it('a resumed session without a History resends after a short wait', () => {
    const h = harness();
    h.session.connect(REQUEST);
    h.login(ANNA, TOKEN).serverClose(1006);
    h.session.send({ text: 'waiting', toUserId: 0 });
    vi.advanceTimersByTime(2_000);
    const socket = h.login(ANNA, TOKEN);
    vi.advanceTimersByTime(HISTORY_WAIT_MS - 1);
    expect(texts(socket)).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(texts(socket)).toEqual(['waiting']);
  });

  it('is dropped for another login, kept when the user connects again with the same one', () => {
    const h = harness();
    h.session.connect(REQUEST);
    h.login(ANNA, TOKEN);
    h.session.disconnect();
    h.session.connect(REQUEST);
    expect(new URL(h.last().url).searchParams.get('sessionToken')).toBe('tok+/=');
    h.session.connect({ ...REQUEST, userColor: '#c0392b' });
    expect(h.last().url).not.toContain('sessionToken');
  });

  it('is forgotten when a login comes without one', () => {
    const h = harness();
    h.session.connect(REQUEST);
    h.login(ANNA, TOKEN).serverClose(1006);
    vi.advanceTimersByTime(2_000);
    h.login().serverClose(1006);
    vi.advanceTimersByTime(2_000);
    expect(h.last().url).not.toContain('sessionToken');
  });
});
