import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ANNA, REQUEST, harness } from './fake-socket';

/* Issue 13 §3–§4 in the session: one's status, buzzes, and what the server answers. */

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

const frames = (sent: string[]): unknown[] => sent.map((f) => JSON.parse(f)).filter((f) => f.action !== 'Pong');

describe('ClientSession: statuses', () => {
  it('sends SetStatus when logged in, cleaned to one line; the same status again sends nothing', () => {
    const h = harness();
    h.session.connect(REQUEST);
    const socket = h.login();
    h.session.setStatus('working', '  on the\nreport  ');
    h.session.setStatus('working', 'on the report');
    expect(frames(socket.sent)).toEqual([{ action: 'SetStatus', status: 'working', text: 'on the report' }]);
    expect(h.session.ownStatus).toEqual({ status: 'working', text: 'on the report' });
  });

  it('keeps a status set while offline, and sends it after each new login (the server forgot it)', () => {
    const h = harness();
    h.session.setStatus('busy', 'call');
    h.session.connect(REQUEST);
    const first = h.login();
    expect(frames(first.sent)).toEqual([{ action: 'SetStatus', status: 'busy', text: 'call' }]);
    first.serverClose(1006);
    vi.runOnlyPendingTimers();
    // A server that kept it (a resumed session) is not told again.
    const second = h.login(ANNA, { users: [{ ...ANNA, status: 'busy', statusText: 'call' }] });
    expect(frames(second.sent)).toEqual([]);
  });

  it('sends nothing after a login while online with no text', () => {
    const h = harness();
    h.session.connect(REQUEST);
    expect(frames(h.login().sent)).toEqual([]);
  });

  it('passes StatusChanged and the statuses of a user list on as messages', () => {
    const h = harness();
    h.session.connect(REQUEST);
    const socket = h.login(ANNA, { users: [{ ...ANNA, status: 'away', statusText: 'x' }, { userId: 2, userName: 'Bob', gender: 0, userColor: '#000', status: 'nonsense' }] });
    socket.receiveJson({ action: 'StatusChanged', userId: 2, status: 'resting', text: 'tea &amp; cake' });
    socket.receiveJson({ action: 'StatusChanged', userId: 2, status: 'asleep', text: '' });
    socket.receiveJson({ action: 'Connected', userId: 3, userName: 'Cy', gender: 1, userColor: '#111', status: 'busy', statusText: 'call' });
    expect(h.messages[0]).toMatchObject({ users: [{ status: 'away', statusText: 'x' }, { userId: 2 }] });
    expect((h.messages[0] as { users: object[] }).users[1]).not.toHaveProperty('status');
    expect(h.messages.slice(1)).toEqual([
      { action: 'StatusChanged', userId: 2, status: 'resting', text: 'tea &amp; cake' },
      { action: 'Connected', userId: 3, userName: 'Cy', gender: 1, userColor: '#111', status: 'busy', statusText: 'call' },
    ]);
  });

  it('throws on a programmer\'s bad status or text', () => {
    const h = harness();
    expect(() => h.session.setStatus('asleep' as never)).toThrow(RangeError);
    expect(() => h.session.setStatus('online', 'x'.repeat(81))).toThrow(RangeError);
  });
});

describe('ClientSession: buzz', () => {
  it('sends Buzz when logged in, and says false (sending nothing) when not', () => {
    const h = harness();
    expect(h.session.buzz(2)).toBe(false);
    h.session.connect(REQUEST);
    const socket = h.login();
    expect(h.session.buzz(2)).toBe(true);
    expect(frames(socket.sent)).toEqual([{ action: 'Buzz', toUserId: 2 }]);
    expect(() => h.session.buzz(0)).toThrow(RangeError);
  });

  it('passes a Buzz on as a message', () => {
    const h = harness();
    h.session.connect(REQUEST);
    const socket = h.login();
    socket.receiveJson({ action: 'Buzz', userId: 2, toUserId: 1 });
    expect(h.messages.at(-1)).toEqual({ action: 'Buzz', userId: 2, toUserId: 1 });
  });

  it('a refused Buzz (rate-limited) leaves the chat line in flight alone', () => {
    const h = harness();
    h.session.connect(REQUEST);
    const socket = h.login();
    h.session.send({ text: 'hello', toUserId: 0 });
    h.session.buzz(2);
    socket.receiveJson({ action: 'Error', code: 'rate-limited', message: 'Wait.', refused: 'Buzz' });
    expect(h.messages.at(-1)).toEqual({ action: 'Error', code: 'rate-limited', message: 'Wait.', refused: 'Buzz' });
    expect(h.session.outbox).toEqual([expect.objectContaining({ text: 'hello', sending: true })]);
    vi.advanceTimersByTime(5_000);
    expect(frames(socket.sent).filter((f) => (f as { action: string }).action === 'Message')).toHaveLength(1);
  });

  it('tells the server it takes no buzzes, now and after every login', () => {
    const h = harness();
    h.session.allowBuzzes(false);
    h.session.connect(REQUEST);
    const first = h.login();
    expect(frames(first.sent)).toEqual([{ action: 'AllowBuzz', allow: false }]);
    h.session.allowBuzzes(true);
    h.session.allowBuzzes(true);
    expect(frames(first.sent)).toEqual([{ action: 'AllowBuzz', allow: false }, { action: 'AllowBuzz', allow: true }]);
    first.serverClose(1006);
    vi.runOnlyPendingTimers();
    expect(frames(h.login().sent)).toEqual([]);
  });
});
