import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ClientSession, reconnectDelay } from '../../../src-shared/session';
import { ANNA, PING_MS, REQUEST, authorized, harness } from './fake-socket';

const SILENCE_MS = 3 * PING_MS;

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('ClientSession: the happy path', () => {
  it('goes connecting → open → authorized and passes Authorized on as a message', () => {
    const h = harness();
    expect(h.session.status).toEqual({ state: 'idle' });
    h.session.connect(REQUEST);
    expect(h.sockets).toHaveLength(1);
    expect(h.last().url).toBe('ws://chat.lan:27800/?userName=%D0%90%D0%BD%D1%8F&userColor=%2316a085&gender=2&key=k%26y');
    h.login();
    expect(h.statuses).toEqual([
      // The shown URL leaves out the query: it carries the room key.
      { state: 'connecting', url: 'ws://chat.lan:27800/', attempt: 0 },
      { state: 'open', url: 'ws://chat.lan:27800/' },
      { state: 'authorized', self: ANNA },
    ]);
    expect(h.session.status).toEqual({ state: 'authorized', self: ANNA });
    expect(h.messages).toEqual([authorized()]);
  });

  it('passes protocol messages on, Error and History included, but not Ping', () => {
    const h = harness();
    h.session.connect(REQUEST);
    const socket = h.login();
    const chat = { action: 'PublicMessage', ...ANNA, text: 'привет' };
    socket.receiveJson(chat);
    socket.receiveJson({ action: 'Error', code: 'rate-limited', message: 'Slow down.' });
    socket.receiveJson({ action: 'History', messages: [chat] });
    socket.receiveJson({ action: 'Ping' });
    expect(h.messages.slice(1)).toEqual([
      chat,
      { action: 'Error', code: 'rate-limited', message: 'Slow down.' },
      { action: 'History', messages: [chat] },
    ]);
  });

  it('answers every Ping with a Pong, before and after login', () => {
    const h = harness();
    h.session.connect(REQUEST);
    const socket = h.last();
    socket.open();
    socket.receiveJson({ action: 'Ping' });
    socket.receiveJson(authorized());
    for (let i = 0; i < 5; i++) socket.receiveJson({ action: 'Ping' });
    expect(socket.sent).toEqual(Array(6).fill('{"action":"Pong"}'));
  });

  it('sends chat as a Message frame once authorized', () => {
    const h = harness();
    h.session.connect(REQUEST);
    const socket = h.login();
    h.session.send({ text: '  Hi {Bob} & <b>  ', toUserId: 0 });
    h.session.send({ text: 'psst', toUserId: 7 });
    h.session.send({ text: '   ', toUserId: 0 });
    expect(socket.sent.map((f) => JSON.parse(f))).toEqual([
      { action: 'Message', text: 'Hi {Bob} & <b>', toUserId: 0 },
      { action: 'Message', text: 'psst', toUserId: 7 },
    ]);
    expect(h.notices).toEqual([]);
  });

  it('refuses too long a text with a notice, and sends nothing for it', () => {
    const h = harness();
    h.session.connect(REQUEST);
    h.login();
    h.session.send({ text: 'я'.repeat(4097), toUserId: 0 });
    expect(h.last().sent).toEqual([]);
    expect(h.session.outbox).toEqual([]);
    expect(h.notices).toEqual([{ kind: 'send-failed', reason: expect.stringMatching(/4096/) }]);
    h.session.send({ text: 'я'.repeat(4096), toUserId: 0 });
    expect(h.last().sent).toHaveLength(1);
  });

  it('throws on a programmer\'s bad recipient id', () => {
    const h = harness();
    expect(() => h.session.send({ text: 'x', toUserId: -1 })).toThrow(RangeError);
    expect(() => h.session.send({ text: 'x', toUserId: 1.5 })).toThrow(RangeError);
  });
});

describe('ClientSession: what a server sends that it should not', () => {
  it('ignores malformed frames and binary frames without throwing or emitting', () => {
    const h = harness();
    h.session.connect(REQUEST);
    const socket = h.login();
    const junk: unknown[] = [
      '',
      'not json',
      '[1,2]',
      '42',
      'null',
      '{"action":"PublicMessage"}',
      '{"action":"Authorized","userId":"1","userName":"x","userColor":"#000","users":[]}',
      '{"action":5}',
      '{"foo":1}',
      new Uint8Array([123, 125]),
      new ArrayBuffer(4),
      undefined,
      null,
      { toString: () => '{"action":"Ping"}' },
    ];
    for (const data of junk) expect(() => socket.receive(data)).not.toThrow();
    expect(h.messages).toHaveLength(1);
    expect(h.notices).toEqual([]);
    expect(socket.pongs).toBe(0);
    expect(h.session.status.state).toBe('authorized');
  });

  it('ignores unknown actions, telling the user once per session that the server is newer', () => {
    const h = harness();
    h.session.connect(REQUEST);
    const socket = h.login();
    socket.receiveJson({ action: 'Typing', userId: 2 });
    socket.receiveJson({ action: 'Reaction' });
    socket.serverClose(1006);
    vi.advanceTimersByTime(2_000);
    h.login();
    h.last().receiveJson({ action: 'Typing' });
    expect(h.notices).toEqual([{ kind: 'server-newer', action: 'Typing' }]);
    expect(h.messages.every((m) => m.action === 'Authorized')).toBe(true);
    // A new session (the user connects again) may tell it again.
    h.session.connect(REQUEST);
    h.login();
    h.last().receiveJson({ action: 'Reaction' });
    expect(h.notices).toEqual([
      { kind: 'server-newer', action: 'Typing' },
      { kind: 'server-newer', action: 'Reaction' },
    ]);
  });
});

describe('ClientSession: a silent server', () => {
  it('is gone after 3 ping intervals of silence: the socket is closed and a reconnect is planned', () => {
    const h = harness();
    h.session.connect(REQUEST);
    const socket = h.login();
    vi.advanceTimersByTime(SILENCE_MS - 1);
    expect(h.session.status.state).toBe('authorized');
    vi.advanceTimersByTime(1);
    // Not 1000: that would tell a live server we left, and it would free our session.
    expect(socket.closeCalls).toEqual([{ code: 4001, reason: 'Server silent' }]);
    expect(socket.attached).toBe(false);
    expect(h.session.status).toMatchObject({ state: 'reconnecting', attempt: 1, reason: expect.stringMatching(/stopped answering.*3 s/) });
  });

  it('hears any frame as a sign of life, a binary one too', () => {
    const h = harness();
    h.session.connect(REQUEST);
    const socket = h.login();
    for (let i = 0; i < 10; i++) {
      vi.advanceTimersByTime(SILENCE_MS - 10);
      if (i % 2) socket.receiveJson({ action: 'Ping' });
      else socket.receive(new Uint8Array([1]));
    }
    expect(h.session.status.state).toBe('authorized');
    expect(socket.closeCalls).toEqual([]);
  });

  it('bounds the connect itself: a server that never opens is given up after the same time', () => {
    const h = harness();
    h.session.connect(REQUEST);
    vi.advanceTimersByTime(SILENCE_MS);
    expect(h.sockets[0]!.closeCalls).toHaveLength(1);
    // A first attempt: said, for the form, and not tried again by itself.
    expect(h.session.status).toMatchObject({ state: 'closed', byUser: false, about: 'address', reason: expect.stringMatching(/did not answer within 3 s/) });
  });

  it('uses the default ping interval from the protocol limits when none is given', () => {
    const h = harness({ pingIntervalMs: undefined });
    h.session.connect(REQUEST);
    h.login();
    vi.advanceTimersByTime(14_999);
    expect(h.session.status.state).toBe('authorized');
    vi.advanceTimersByTime(1);
    expect(h.session.status.state).toBe('reconnecting');
  });
});

describe('ClientSession: a first attempt that fails (issue 19 §1)', () => {
  it('ends the session, saying the address could not be reached: no retry loop', () => {
    const h = harness();
    h.session.connect(REQUEST);
    h.last().fail({ type: 'error', message: 'connect ECONNREFUSED 10.0.0.1:1' });
    h.last().serverClose(1006, '');
    expect(h.session.status).toEqual({
      state: 'closed',
      byUser: false,
      about: 'address',
      reason: 'Could not reach the server at ws://chat.lan:27800/ (connect ECONNREFUSED 10.0.0.1:1).',
    });
    vi.advanceTimersByTime(60_000);
    expect(h.sockets).toHaveLength(1);
    expect(h.statuses.map((s) => s.state)).toEqual(['connecting', 'closed']);
  });

  it('a refused key is about the key, and so is a lockout', () => {
    for (const [code, reason] of [
      [4003, 'Wrong room key'],
      [4029, 'Too many wrong room keys: try again in 60 s'],
    ] as const) {
      const h = harness();
      h.session.connect(REQUEST);
      h.last().open();
      h.last().serverClose(code, reason);
      expect(h.session.status).toMatchObject({ state: 'closed', byUser: false, code, about: 'key' });
    }
  });

  it('a connection that worked and dropped is tried again, and so is a busy server’s first refusal', () => {
    const h = harness();
    h.session.connect(REQUEST);
    h.last().open();
    h.last().serverClose(4008, 'Room full');
    expect(h.session.status).toMatchObject({ state: 'reconnecting', attempt: 1 });
    vi.advanceTimersByTime(2_000);
    h.login();
    h.last().serverClose(1006);
    expect(h.session.status).toMatchObject({ state: 'reconnecting', attempt: 1 });
    vi.advanceTimersByTime(2_000);
    // Not logged in again since: the login before counts.
    h.last().fail();
    h.last().serverClose(1006);
    expect(h.session.status).toMatchObject({ state: 'reconnecting', attempt: 2 });
  });
});

describe('ClientSession: reconnecting', () => {
  it('waits out a growing, capped, jittered backoff, trying again each time with the same login', () => {
    let r = 0;
    const randoms = [0.1, 0.9, 0.3, 0.7, 0.5, 0.2, 0.8, 0.6];
    const h = harness({ random: () => randoms[r++ % randoms.length]! });
    h.session.connect(REQUEST);
    h.login({ ...ANNA, userName: 'Аня (2)' });
    h.last().serverClose(1001, 'restarting');
    const delays: number[] = [];
    for (let attempt = 1; attempt <= 8; attempt++) {
      const status = h.session.status;
      expect(status).toMatchObject({ state: 'reconnecting', attempt });
      if (status.state !== 'reconnecting') return;
      delays.push(status.delayMs);
      expect(status.delayMs).toBe(reconnectDelay(attempt, () => randoms[attempt - 1]!));
      // Nothing happens before the wait is over...
      vi.advanceTimersByTime(status.delayMs - 1);
      expect(h.sockets).toHaveLength(attempt);
      vi.advanceTimersByTime(1);
      // ...then a new socket, with the same name, colour, gender and key as asked for.
      expect(h.sockets).toHaveLength(attempt + 1);
      expect(h.last().url).toBe(h.sockets[0]!.url);
      expect(h.session.status).toEqual({ state: 'connecting', url: 'ws://chat.lan:27800/', attempt });
      h.last().fail();
      h.last().serverClose(1006);
    }
    expect(delays[0]).toBeGreaterThanOrEqual(1_000);
    expect(delays[0]).toBeLessThanOrEqual(2_000);
    for (const d of delays.slice(4)) {
      expect(d).toBeGreaterThanOrEqual(15_000);
      expect(d).toBeLessThanOrEqual(30_000);
    }
    expect(new Set(delays.slice(4)).size).toBeGreaterThan(1);
    expect(h.statuses.filter((s) => s.state === 'reconnecting')).toHaveLength(9);
  });

  it('starts the backoff afresh after a login', () => {
    const h = harness({ random: () => 0 });
    h.session.connect(REQUEST);
    h.login();
    h.last().serverClose(1006);
    vi.advanceTimersByTime(1_000);
    h.last().serverClose(1006);
    expect(h.session.status).toMatchObject({ state: 'reconnecting', attempt: 2, delayMs: 2_000 });
    vi.advanceTimersByTime(2_000);
    h.login();
    h.last().serverClose(1011, 'oops');
    expect(h.session.status).toEqual({ state: 'reconnecting', attempt: 1, delayMs: 1_000, reason: 'The server closed the connection: oops (code 1011).' });
  });

  it('says the server could not be reached when the socket fails before opening, without the key', () => {
    const h = harness();
    h.session.connect(REQUEST);
    h.login();
    h.last().serverClose(1006);
    vi.advanceTimersByTime(2_000);
    h.last().fail({ type: 'error', message: 'connect ECONNREFUSED 10.0.0.1:27800' });
    h.last().serverClose(1006, '');
    const status = h.session.status;
    expect(status).toMatchObject({ state: 'reconnecting', reason: 'Could not reach the server at ws://chat.lan:27800/ (connect ECONNREFUSED 10.0.0.1:27800).' });
    expect(JSON.stringify(status)).not.toContain('k%26y');
  });

  it('reconnectNow skips the wait, and does nothing unless reconnecting', () => {
    const h = harness();
    h.session.reconnectNow();
    expect(h.sockets).toHaveLength(0);
    h.session.connect(REQUEST);
    h.login();
    h.session.reconnectNow();
    expect(h.sockets).toHaveLength(1);
    h.last().serverClose(1006);
    const planned = h.session.status;
    if (planned.state !== 'reconnecting') throw new Error(`unexpected ${planned.state}`);
    expect(planned.delayMs).toBeLessThan(SILENCE_MS);
    h.session.reconnectNow();
    expect(h.sockets).toHaveLength(2);
    expect(h.sockets[1]!.url).toBe(h.sockets[0]!.url);
    expect(h.session.status).toMatchObject({ state: 'connecting', attempt: 1 });
    // The planned try was cancelled: when its time comes, no second socket.
    vi.advanceTimersByTime(planned.delayMs);
    expect(h.sockets).toHaveLength(2);
    h.session.reconnectNow();
    expect(h.sockets).toHaveLength(2);
  });

  it.each([
    [4003, 'bad key', /room key is missing or wrong: bad key/],
    [1008, '', /refused the connection/],
    [4000, 'replaced', /taken over/],
    // A retry within the lockout meets it again, and counts as nothing but noise.
    [4029, 'Too many wrong room keys from your address: try again in 30 s', /Too many wrong room keys from your address: try again in 30 s\./],
  ])('does not come back after the server refused us for good (close %i)', (code, reason, expected) => {
    const h = harness();
    h.session.connect(REQUEST);
    h.login();
    h.last().serverClose(code, reason);
    expect(h.session.status).toMatchObject({ state: 'closed', byUser: false, code, reason: expect.stringMatching(expected) });
    vi.advanceTimersByTime(120_000);
    expect(h.sockets).toHaveLength(1);
    h.session.reconnectNow();
    expect(h.sockets).toHaveLength(1);
  });

  it('does not come back after an HTTP 403 or an untrusted certificate', () => {
    const h = harness();
    h.session.connect(REQUEST);
    h.last().fail({ message: 'Unexpected server response: 403' });
    h.last().serverClose(1006);
    expect(h.session.status).toMatchObject({ state: 'closed', reason: expect.stringMatching(/HTTP 403.*room key/) });
    h.session.connect({ ...REQUEST, server: 'wss://chat.lan' });
    h.last().fail({ message: 'self-signed certificate', error: { code: 'DEPTH_ZERO_SELF_SIGNED_CERT' } });
    h.last().serverClose(1006);
    expect(h.session.status).toMatchObject({ state: 'closed', reason: expect.stringMatching(/certificate that cannot be trusted: self-signed certificate/) });
    vi.advanceTimersByTime(120_000);
    expect(h.sockets).toHaveLength(2);
  });
});

describe('ClientSession: the user in charge', () => {
  it('disconnect() closes the socket and never reconnects', () => {
    const h = harness();
    h.session.connect(REQUEST);
    const socket = h.login();
    h.session.disconnect();
    expect(socket.closeCalls).toEqual([{ code: 1000, reason: 'Disconnected' }]);
    expect(h.session.status).toEqual({ state: 'closed', reason: 'Disconnected.', byUser: true });
    expect(socket.attached).toBe(false);
    vi.advanceTimersByTime(120_000);
    expect(h.sockets).toHaveLength(1);
    h.session.disconnect();
    expect(h.statuses.filter((s) => s.state === 'closed')).toHaveLength(1);
  });

  it('disconnect() while waiting to reconnect cancels the try', () => {
    const h = harness();
    h.session.connect(REQUEST);
    h.login();
    h.last().serverClose(1006);
    h.session.disconnect();
    vi.advanceTimersByTime(120_000);
    expect(h.sockets).toHaveLength(1);
    expect(h.session.status).toMatchObject({ state: 'closed', byUser: true });
  });

  it('disconnect() while connecting closes the half-open socket and ignores its late events', () => {
    const h = harness();
    h.session.connect(REQUEST);
    const socket = h.last();
    h.session.disconnect();
    expect(socket.closeCalls).toHaveLength(1);
    // ws reports a close before the handshake as an error: someone must listen.
    expect(socket.onerror).toBeTypeOf('function');
    expect(() => socket.onerror?.({ message: 'closed before the connection was established' })).not.toThrow();
    expect(h.session.status).toMatchObject({ state: 'closed', byUser: true });
  });

  it('connect() again replaces the connection; the old socket\'s events no longer count', () => {
    const h = harness();
    h.session.connect(REQUEST);
    const first = h.login();
    const onclose = first.onclose;
    h.session.connect({ ...REQUEST, server: '10.0.0.2', userName: 'Боб' });
    expect(first.closeCalls).toHaveLength(1);
    onclose?.({ code: 1006, reason: '' });
    expect(h.session.status).toMatchObject({ state: 'connecting', url: 'ws://10.0.0.2:27800/', attempt: 0 });
    expect(h.last().url).toContain('userName=%D0%91%D0%BE%D0%B1');
  });

  it('an address that cannot be joined is a closed status with the reason, not an exception', () => {
    const h = harness();
    for (const server of ['ftp://chat.lan', 'javascript:alert(1)', 'a b c']) {
      expect(() => h.session.connect({ ...REQUEST, server })).not.toThrow();
      expect(h.session.status).toMatchObject({ state: 'closed', byUser: false, reason: expect.stringContaining(server) });
    }
    expect(h.sockets).toHaveLength(0);
    vi.advanceTimersByTime(120_000);
    expect(h.sockets).toHaveLength(0);
  });

  it('a transport that refuses the URL is a closed status too', () => {
    const session = new ClientSession({
      createSocket: () => {
        throw new SyntaxError('The URL is invalid.');
      },
    });
    session.connect(REQUEST);
    expect(session.status).toMatchObject({ state: 'closed', reason: expect.stringMatching(/Could not connect.*The URL is invalid/) });
  });

  it('a throwing listener does not stop the others or leave the session half-changed', () => {
    const h = harness();
    h.session.on('status', () => {
      throw new Error('listener bug');
    });
    const seen: string[] = [];
    h.session.on('status', (s) => seen.push(s.state));
    expect(() => h.session.connect(REQUEST)).toThrow('listener bug');
    expect(seen).toEqual(['connecting']);
    expect(h.sockets).toHaveLength(1);
    expect(() => h.last().open()).toThrow('listener bug');
    expect(h.session.status.state).toBe('open');
  });

  it('an unsubscribed listener hears nothing more', () => {
    const h = harness();
    const seen: string[] = [];
    const off = h.session.on('status', (s) => seen.push(s.state));
    h.session.connect(REQUEST);
    off();
    h.login();
    expect(seen).toEqual(['connecting']);
  });
});
