import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { formatChatText } from '../../../src-shared/protocol';
import { HISTORY_WAIT_MS } from '../../../src-shared/session';
import type { SessionResume } from '../../../src-shared/session';
import { ANNA, REQUEST, harness } from './fake-socket';

/*
 * A session seeded with another session's token (a reloaded browser tab): its first
 * handshake asks for the old name and id back, and the same id in Authorized means
 * the server resumed it.
 */

const RESUME: SessionResume = { sessionToken: 'old+token/=', self: ANNA };

const tokenOf = (url: string): string | null => new URL(url).searchParams.get('sessionToken');
const texts = (sent: string[]): string[] =>
  sent.filter((f) => f !== '{"action":"Pong"}').map((f) => (JSON.parse(f) as { text: string }).text);

beforeEach(() => {
  vi.useFakeTimers({ now: 1_700_000_000_000 });
});
afterEach(() => {
  vi.useRealTimers();
});

describe('resuming an earlier session', () => {
  it('sends the seeded token in the first handshake and takes the same userId back as a resume', () => {
    const h = harness();
    h.session.connect(REQUEST, RESUME);
    expect(tokenOf(h.last().url)).toBe('old+token/=');
    // The login asks for the name the user chose, as every reconnect does.
    expect(new URL(h.last().url).searchParams.get('userName')).toBe(REQUEST.userName);
    h.session.send({ text: 'typed while the page came back', toUserId: 0 });
    const socket = h.login(ANNA, { sessionToken: 'old+token/=' });
    expect(h.statuses.at(-1)).toEqual({ state: 'authorized', self: ANNA });
    // A resume: the outbox waits for the History (its message may be in there) before resending.
    expect(texts(socket.sent)).toEqual([]);
    socket.receiveJson({ action: 'History', messages: [] });
    expect(texts(socket.sent)).toEqual(['typed while the page came back']);
    expect(h.session.resumable).toEqual({ sessionToken: 'old+token/=', self: ANNA });
  });

  it('a private message typed before the resume goes to the same user id; after a fresh login it is dropped, saying so', () => {
    const resumed = harness();
    resumed.session.connect(REQUEST, RESUME);
    resumed.session.send({ text: 'psst', toUserId: 7 });
    const socket = resumed.login(ANNA, { sessionToken: 'old+token/=' });
    vi.advanceTimersByTime(HISTORY_WAIT_MS);
    expect(socket.sent.map((f) => JSON.parse(f) as unknown)).toEqual([{ action: 'Message', text: 'psst', toUserId: 7 }]);

    const fresh = harness();
    fresh.session.connect(REQUEST, RESUME);
    fresh.session.send({ text: 'psst', toUserId: 7 });
    // The token expired: the server made a new user, whose id 7 may be anyone now.
    const other = fresh.login({ ...ANNA, userId: 12 }, { sessionToken: 'new' });
    vi.advanceTimersByTime(HISTORY_WAIT_MS);
    expect(texts(other.sent)).toEqual([]);
    expect(fresh.notices).toEqual([{ kind: 'send-failed', reason: expect.stringMatching(/psst.*new login/) }]);
    expect(fresh.session.resumable).toEqual({ sessionToken: 'new', self: { ...ANNA, userId: 12 } });
  });

  it('a different userId is a new login: the public outbox goes at once, without waiting for a History', () => {
    const h = harness();
    h.session.connect(REQUEST, RESUME);
    h.session.send({ text: 'hello', toUserId: 0 });
    const socket = h.login({ ...ANNA, userId: 5, userName: 'Аня (2)' }, { sessionToken: 'fresh' });
    expect(texts(socket.sent)).toEqual(['hello']);
  });

  it('keeps the seeded token for the reconnects before the first login', () => {
    const h = harness();
    h.session.connect(REQUEST, RESUME);
    h.last().serverClose(1006);
    vi.advanceTimersByTime(60_000);
    expect(h.sockets.length).toBeGreaterThan(1);
    expect(tokenOf(h.last().url)).toBe('old+token/=');
  });

  it('is ignored after this session logged in with the same request: its own token is newer', () => {
    const h = harness();
    h.session.connect(REQUEST);
    h.login(ANNA, { sessionToken: 'mine' });
    h.session.connect(REQUEST, RESUME);
    expect(tokenOf(h.last().url)).toBe('mine');
    // Another login (another name) starts afresh, and a seed for it counts.
    h.session.connect({ ...REQUEST, userName: 'Боб' }, { sessionToken: 'bobs', self: { ...ANNA, userId: 4, userName: 'Боб' } });
    expect(tokenOf(h.last().url)).toBe('bobs');
  });

  it('is offered while the session goes on, and not before a token or after the user ends it', () => {
    const h = harness();
    expect(h.session.resumable).toBeUndefined();
    h.session.connect(REQUEST);
    expect(h.session.resumable).toBeUndefined();
    // An original server gives no token: nothing to resume.
    const socket = h.login(ANNA);
    expect(h.session.resumable).toBeUndefined();
    socket.receiveJson({ action: 'PublicMessage', ...ANNA, text: formatChatText('x') });
    h.session.connect(REQUEST);
    h.login(ANNA, { sessionToken: 'tok' });
    const offered = h.session.resumable!;
    expect(offered).toEqual({ sessionToken: 'tok', self: ANNA });
    // A copy: the caller cannot change the session through it.
    offered.self.userName = 'changed';
    expect(h.session.resumable!.self.userName).toBe(ANNA.userName);
    // Reconnecting still offers it: the reloaded page should come back as the same user.
    h.last().serverClose(1006);
    expect(h.session.status.state).toBe('reconnecting');
    expect(h.session.resumable?.sessionToken).toBe('tok');
    h.session.disconnect();
    expect(h.session.resumable).toBeUndefined();
  });

  it('is not offered once the server ends the session for good', () => {
    const h = harness();
    h.session.connect(REQUEST);
    h.login(ANNA, { sessionToken: 'tok' }).serverClose(4000, 'Replaced by a new connection');
    expect(h.session.status).toMatchObject({ state: 'closed', byUser: false });
    expect(h.session.resumable).toBeUndefined();
  });

  it('refuses a malformed seed as the programmer error it is', () => {
    const h = harness();
    expect(() => h.session.connect(REQUEST, { sessionToken: '', self: ANNA })).toThrow(TypeError);
    expect(() => h.session.connect(REQUEST, { sessionToken: 't', self: { ...ANNA, userId: -1 } })).toThrow(TypeError);
    expect(() => h.session.connect(REQUEST, { sessionToken: 't', self: null } as unknown as SessionResume)).toThrow(TypeError);
    expect(h.sockets).toHaveLength(0);
  });
});
