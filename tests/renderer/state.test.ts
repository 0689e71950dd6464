import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ConnectionStatus, PendingMessage } from '../../src-shared/bridge';
import type { Identity, PublicMessage, ServerMessage } from '../../src-shared/protocol';
import { displayAddress, isValidServer, parsePort } from '../../src-renderer/format/address';
import { insertMention } from '../../src-renderer/format/mention';
import { formatTimestamp } from '../../src-renderer/format/time';
import { fillTemplate, resolveLanguage } from '../../src-renderer/i18n';
import { INITIAL_STATE, attentionFor, canCompose, reduce } from '../../src-renderer/state/chat-state';
import type { ChatEvent, ChatState } from '../../src-renderer/state/chat-state';
import { EMPTY_LOG, LOG_BLOCK_SIZE, MAX_LOG_LINES, appendLines, insertLines, lineAt, prependLines, totalLines } from '../../src-renderer/state/log';
import type { LogStore, NewLine } from '../../src-renderer/state/log';

const me: Identity = { userId: 1, userName: 'Tester', gender: 1, userColor: '#2980b9' };
const anya: Identity = { userId: 2, userName: 'Аня', gender: 2, userColor: '#8e44ad' };
const bob: Identity = { userId: 3, userName: 'Bob', gender: 0, userColor: '#27ae60' };

const msg = (message: ServerMessage, time = 0): ChatEvent => ({ type: 'message', message, time });
const status = (s: ConnectionStatus, time = 0): ChatEvent => ({ type: 'status', status: s, time });

function run(events: ChatEvent[], from: ChatState = INITIAL_STATE): ChatState {
  return events.reduce(reduce, from);
}

function loggedIn(users: Identity[] = [me, anya, bob]): ChatState {
  return run([
    status({ state: 'connecting', url: 'ws://127.0.0.1:27800/', attempt: 0 }),
    status({ state: 'open', url: 'ws://127.0.0.1:27800/' }),
    msg({ action: 'Authorized', ...me, users }),
    status({ state: 'authorized', self: me }),
  ]);
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

describe('insertMention (the Qt client’s three cases)', () => {
  it('addresses someone in an empty input, follows a trailing space, pads otherwise', () => {
    expect(insertMention('', 'Аня')).toBe('{Аня}, ');
    expect(insertMention('   ', 'Аня')).toBe('{Аня}, ');
    expect(insertMention('hi ', 'Аня')).toBe('hi {Аня} ');
    expect(insertMention('hi', 'Аня')).toBe('hi {Аня} ');
  });

  it('always keeps the draft as its start and ends with the mention and a space', () => {
    fc.assert(
      fc.property(fc.string(), fc.string({ minLength: 1 }), (draft, name) => {
        const out = insertMention(draft, name);
        if (draft.trim() !== '') expect(out.startsWith(draft)).toBe(true);
        expect(out.includes(`{${name}}`)).toBe(true);
        expect(out.endsWith(' ')).toBe(true);
      }),
    );
  });
});

describe('formatting', () => {
  it('writes the Qt timestamp in local time', () => {
    expect(formatTimestamp(new Date(2026, 10, 5, 7, 8, 9).getTime())).toBe('[05.11.2026 07:08:09]');
  });

  it('shows a ws URL as host:port, without the query that carries the name and key', () => {
    expect(displayAddress('ws://127.0.0.1:27800/?userName=A&key=secret')).toBe('127.0.0.1:27800');
    expect(displayAddress('ws://[::1]:27800/')).toBe('[::1]:27800');
    expect(displayAddress('wss://chat.example.org/')).toBe('chat.example.org');
  });

  it('accepts host names, IPv4, IPv6, ws URLs and a room page’s http(s) address as servers, and ports 1–65535', () => {
    for (const ok of ['localhost', '192.168.0.10', 'чат.рф', '::1', '[fe80::1]', 'ws://a.b:1/x', 'wss://chat.example.org', 'http://192.168.1.5:27800/', 'https://chat.example.org/']) {
      expect(isValidServer(ok), ok).toBe(true);
    }
    for (const bad of ['', ' ', 'bad host', 'ftp://x', 'http://', 'a/b', 'javascript:alert(1)']) expect(isValidServer(bad), bad).toBe(false);
    expect([parsePort('1'), parsePort('65535'), parsePort('0'), parsePort('65536'), parsePort('12a'), parsePort('')]).toEqual([1, 65535, null, null, null, null]);
  });

  it('fills templates without reading holes it was not given', () => {
    expect(fillTemplate('{nick} joined {x}', { nick: 'A' })).toEqual(['A', ' joined {x}']);
    expect(resolveLanguage('auto', ['ru-RU'])).toBe('ru');
    expect(resolveLanguage('auto', ['de-DE'])).toBe('en');
    expect(resolveLanguage('ru', ['en-US'])).toBe('ru');
  });
});

describe('the reducer', () => {
  it('logs a login step by step and keeps the user list in join order', () => {
    const state = run([msg({ action: 'Connected', ...me })], loggedIn([anya, me]));
    expect(state.self).toEqual(me);
    expect(state.users.map((u) => u.userName)).toEqual(['Аня', 'Tester']);
    const events = state.log.blocks.flat().map((l) => (l.kind === 'system' ? l.event.type : 'chat'));
    expect(events).toEqual(['connecting', 'connected', 'logged-in', 'joined']);
  });

  it('marks mentions of me, private lines by direction, and asks for attention only for others', () => {
    const state = run(
      [
        msg({ action: 'PublicMessage', ...anya, text: 'hi <b>Tester</b>' }),
        msg({ action: 'PublicMessage', ...anya, text: 'hi Tester' }),
        msg({ action: 'PrivateMessage', ...anya, text: 'psst', toUserId: 1 }),
        msg({ action: 'PrivateMessage', ...me, text: 'back', toUserId: 2 }),
        msg({ action: 'PublicMessage', ...me, text: '<b>Tester</b>' }),
      ],
      loggedIn(),
    );
    const chat = state.log.blocks.flat().filter((l) => l.kind === 'chat');
    expect(chat.map((l) => [l.direction, l.mentionsMe, l.mine, l.peer?.userName ?? null, attentionFor(l)])).toEqual([
      ['public', true, false, null, 'mention'],
      ['public', false, false, null, null],
      ['private-in', false, false, 'Аня', 'private'],
      ['private-out', false, true, 'Аня', null],
      ['public', false, true, null, null],
    ]);
  });

  it('turns the original server’s undelivered copy into an error line', () => {
    const state = run([msg({ action: 'PrivateMessage', ...me, text: 'Не удалось отправить сообщение выбранному пользователю', toUserId: 0 })], loggedIn());
    const last = lineAt(state.log, state.log.count - 1)!;
    expect(last.kind === 'system' && last.event.type).toBe('undelivered');
  });

  it('ends private mode when the target leaves, is lost, or is gone after a reconnect', () => {
    for (const action of ['Disconnected', 'ConnectionLost'] as const) {
      const state = run([{ type: 'private-started', user: bob }, msg({ action, ...bob })], loggedIn());
      expect(state.privateTarget).toBeNull();
    }
    const kept = run([{ type: 'private-started', user: bob }, msg({ action: 'Disconnected', ...anya })], loggedIn());
    expect(kept.privateTarget).toEqual(bob);
    const afterRestart = run(
      [
        { type: 'private-started', user: bob },
        status({ state: 'reconnecting', delayMs: 1000, attempt: 1, reason: 'gone' }),
        msg({ action: 'Authorized', ...me, users: [me, { ...anya, userId: 3 }] }),
      ],
      loggedIn(),
    );
    expect(afterRestart.privateTarget).toBeNull();
  });

  it('never clears the log on a reconnect, says the loss once, and keeps who was here while offline (issue 19 §1)', () => {
    const before = run([msg({ action: 'PublicMessage', ...anya, text: 'x' })], loggedIn());
    const after = run([status({ state: 'reconnecting', delayMs: 1000, attempt: 1, reason: 'gone' })], before);
    expect(after.log.count).toBe(before.log.count + 1);
    expect(after.users).toBe(before.users);
    expect(after.self).toBeNull();
    const tries = run(
      [
        status({ state: 'connecting', url: 'ws://127.0.0.1:27800/', attempt: 1 }),
        status({ state: 'reconnecting', delayMs: 2000, attempt: 2, reason: 'still gone' }),
      ],
      after,
    );
    expect(tries.log.count).toBe(after.log.count);
    expect(tries.users).toBe(before.users);
    for (let i = 0; i < before.log.count; i++) expect(lineAt(after.log, i)).toBe(lineAt(before.log, i));
  });

  it('stores the log in blocks and copies only the last one on append', () => {
    let state = loggedIn();
    for (let i = 0; i < LOG_BLOCK_SIZE * 3; i++) state = reduce(state, msg({ action: 'PublicMessage', ...anya, text: `${i}` }));
    const next = reduce(state, msg({ action: 'PublicMessage', ...anya, text: 'one more' }));
    expect(next.log.blocks.slice(0, -1).every((b, i) => b === state.log.blocks[i])).toBe(true);
    expect(next.log.count).toBe(state.log.count + 1);
    expect(lineAt(next.log, next.log.count - 1)!.id).toBe(next.log.count - 1);
  });

  it('keeps one sender object for many lines, and a new one when the name, colour or gender changes', () => {
    const state = run(
      [
        msg({ action: 'PublicMessage', ...anya, text: 'one' }),
        msg({ action: 'PublicMessage', ...anya, text: 'two' }),
        msg({ action: 'PrivateMessage', ...anya, toUserId: me.userId, text: 'three' }),
        msg({ action: 'PublicMessage', ...anya, userColor: '#c0392b', text: 'four' }),
      ],
      loggedIn(),
    );
    const from = (i: number) => {
      const line = lineAt(state.log, state.log.count - 4 + i);
      if (line?.kind !== 'chat') throw new Error(`line ${i} is not a chat line`);
      return line.from;
    };
    expect(from(0)).toEqual(anya);
    expect(from(1)).toBe(from(0));
    expect(from(2)).toBe(from(0));
    expect(from(3)).toEqual({ ...anya, userColor: '#c0392b' });
    expect(from(3)).not.toBe(from(0));
  });

  it('keeps the newest MAX_LOG_LINES lines past the cap, dropping the oldest whole blocks', () => {
    const line = (n: number): NewLine => ({ kind: 'system', time: n, event: { type: 'error', message: `line ${n}` } });
    const text = (store: LogStore, index: number) => {
      const l = lineAt(store, index);
      return l?.kind === 'system' && l.event.type === 'error' ? l.event.message : undefined;
    };
    const appended = MAX_LOG_LINES + 5 * LOG_BLOCK_SIZE + 17;
    let log = EMPTY_LOG;
    for (let n = 0; n < appended; n += 1000) log = appendLines(log, Array.from({ length: Math.min(1000, appended - n) }, (_, i) => line(n + i)));
    expect(totalLines(log)).toBe(appended);
    expect(log.count).toBeGreaterThanOrEqual(MAX_LOG_LINES);
    expect(log.count).toBeLessThan(MAX_LOG_LINES + LOG_BLOCK_SIZE);
    expect(log.dropped % LOG_BLOCK_SIZE).toBe(0);
    expect(log.blocks.reduce((sum, b) => sum + b.length, 0)).toBe(log.count);
    // The newest lines, in order, with ids that count from the log's start.
    expect(text(log, log.count - 1)).toBe(`line ${appended - 1}`);
    expect(text(log, 0)).toBe(`line ${log.dropped}`);
    expect(lineAt(log, 0)!.id).toBe(log.dropped);
    expect(lineAt(log, log.count - 1)!.id).toBe(appended - 1);
    // One line at a time at the cap: never fewer than the cap, never a block more.
    const small = 3 * LOG_BLOCK_SIZE;
    let capped = EMPTY_LOG;
    for (let n = 0; n < 10 * LOG_BLOCK_SIZE; n++) {
      capped = appendLines(capped, [line(n)], small);
      expect(capped.count).toBe(Math.min(n + 1, small + ((n + 1 - small) % LOG_BLOCK_SIZE + LOG_BLOCK_SIZE) % LOG_BLOCK_SIZE));
      expect(text(capped, capped.count - 1)).toBe(`line ${n}`);
    }
  });

  it('puts older lines in front: blocks after the first stay full, appending goes on, ids count down', () => {
    const line = (n: number): NewLine => ({ kind: 'system', time: n, event: { type: 'error', message: `line ${n}` } });
    const texts = (store: LogStore): string[] => {
      const out: string[] = [];
      for (let i = 0; i < store.count; i++) {
        const l = lineAt(store, i);
        out.push(l?.kind === 'system' && l.event.type === 'error' ? l.event.message : '?');
      }
      return out;
    };
    const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => line(from + i));
    let log = appendLines(EMPTY_LOG, range(100, 120));
    const kept = log.blocks;
    log = prependLines(log, range(90, 100));
    // The old blocks stay as they were; the new lines went into a block of their own in front.
    expect(log.blocks.slice(1)).toEqual(kept);
    expect(log.blocks[1]).toBe(kept[0]);
    expect([log.head, log.firstBlock]).toEqual([LOG_BLOCK_SIZE - 10, -1]);
    log = prependLines(log, range(70, 90));
    expect(log.blocks.slice(2).every((b, i) => b === kept[i])).toBe(true);
    log = appendLines(log, range(120, 140));
    expect(texts(log)).toEqual(range(70, 140).map((l) => (l as { event: { message: string } }).event.message));
    expect(log.blocks.slice(1).every((b, i) => i === log.blocks.length - 2 || b.length === LOG_BLOCK_SIZE)).toBe(true);
    // Older history is not "new": only appended lines count, and their ids go on.
    expect(totalLines(log)).toBe(40);
    expect(lineAt(log, 0)!.id).toBe(-30);
    expect(lineAt(log, log.count - 1)!.id).toBe(39);
    // Into an empty log, and only as many as the cap allows (the newest of them).
    const fresh = prependLines(EMPTY_LOG, range(0, 20));
    expect(texts(appendLines(fresh, [line(20)]))).toEqual(range(0, 21).map((l) => (l as { event: { message: string } }).event.message));
    const full = prependLines(appendLines(EMPTY_LOG, range(0, 40)), range(-10, 0), 45);
    expect(full.count).toBe(45);
    expect(texts(full)[0]).toBe('line -5');
    expect(prependLines(full, range(-20, -10), 45)).toBe(full);
    // The cap drops whole blocks from the front, partial first block included.
    const capped = appendLines(prependLines(appendLines(EMPTY_LOG, range(0, 32)), range(-4, 0)), range(32, 80), 48);
    expect(texts(capped).at(-1)).toBe('line 79');
    expect(capped.head).toBe(0);
    expect(capped.count).toBeGreaterThanOrEqual(48);
    expect(texts(capped)[0]).toBe(`line ${80 - capped.count}`);
  });

  it('puts missed lines in between: earlier blocks kept, later lines keep their ids, nothing counts as new', () => {
    const line = (n: number): NewLine => ({ kind: 'system', time: n, event: { type: 'error', message: `${n}` } });
    const texts = (store: LogStore): string[] =>
      Array.from({ length: store.count }, (_, i) => {
        const l = lineAt(store, i);
        return l?.kind === 'system' && l.event.type === 'error' ? l.event.message : '?';
      });
    const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => line(from + i));
    const log = prependLines(appendLines(EMPTY_LOG, [...range(0, 20), ...range(60, 70)]), range(-3, 0));
    const at = texts(log).indexOf('60');
    const after = insertLines(log, at, range(20, 60));
    expect(texts(after)).toEqual(range(-3, 70).map((l) => (l as { event: { message: string } }).event.message));
    expect(after.blocks[0]).toBe(log.blocks[0]);
    expect(totalLines(after)).toBe(totalLines(log));
    expect(lineAt(after, after.count - 1)!.id).toBe(lineAt(log, log.count - 1)!.id);
    expect(new Set(Array.from({ length: after.count }, (_, i) => lineAt(after, i)!.id)).size).toBe(after.count);
    // Appending goes on after it.
    expect(texts(appendLines(after, [line(70)])).at(-1)).toBe('70');
  });

  it('never throws or mutates, whatever arrives in whatever order', () => {
    const identity = fc.record({
      userId: fc.integer({ min: 0, max: 5 }),
      userName: fc.constantFrom('Tester', 'Аня', 'Bob', '', '<b>x</b>'),
      gender: fc.constantFrom(0 as const, 1 as const, 2 as const),
      userColor: fc.constantFrom('#2980b9', 'red', '"><script>'),
    });
    const text = fc.string();
    const message: fc.Arbitrary<ServerMessage> = fc.oneof(
      identity.chain((i) => fc.array(identity, { maxLength: 4 }).map((users) => ({ action: 'Authorized' as const, ...i, users }))),
      identity.map((i) => ({ action: 'Connected' as const, ...i })),
      identity.map((i) => ({ action: 'Disconnected' as const, ...i })),
      identity.map((i) => ({ action: 'ConnectionLost' as const, ...i })),
      fc.tuple(identity, text).map(([i, t]) => ({ action: 'PublicMessage' as const, ...i, text: t })),
      fc.tuple(identity, text, fc.integer({ min: 0, max: 5 })).map(([i, t, to]) => ({ action: 'PrivateMessage' as const, ...i, text: t, toUserId: to })),
      fc.constant({ action: 'Ping' as const }),
      text.map((t) => ({ action: 'Error' as const, code: 'x', message: t })),
    );
    const statusArb: fc.Arbitrary<ConnectionStatus> = fc.oneof(
      fc.constant({ state: 'idle' as const }),
      fc.constant({ state: 'connecting' as const, url: 'ws://h:1/', attempt: 0 }),
      fc.constant({ state: 'open' as const, url: 'ws://h:1/' }),
      identity.map((self) => ({ state: 'authorized' as const, self })),
      fc.constant({ state: 'reconnecting' as const, delayMs: 1500, attempt: 2, reason: 'r' }),
      fc.boolean().map((byUser) => ({ state: 'closed' as const, reason: 'r', byUser })),
    );
    const event: fc.Arbitrary<ChatEvent> = fc.oneof(
      message.map((m) => msg(m)),
      statusArb.map((s) => status(s)),
      identity.map((user) => ({ type: 'private-started' as const, user })),
      fc.constant({ type: 'private-closed' as const }),
      fc
        .array(fc.record({ id: fc.constantFrom('m1', 'm2', 'm3'), text: fc.string(), toUserId: fc.integer({ min: 0, max: 5 }), queuedAt: fc.nat(), sending: fc.boolean() }), { maxLength: 3 })
        .map((pending) => ({ type: 'outbox' as const, pending })),
    );
    fc.assert(
      fc.property(fc.array(event, { maxLength: 40 }), (events) => {
        let state = deepFreeze(INITIAL_STATE);
        for (const e of events) {
          const next = reduce(state, deepFreeze(e));
          expect(next.log.count).toBeGreaterThanOrEqual(state.log.count);
          expect(new Set(next.users.map((u) => u.userId)).size).toBe(next.users.length);
          if (e.type === 'outbox') expect(next.pending.map((p) => p.id)).toEqual(e.pending.map((p) => p.id));
          state = deepFreeze(next);
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('the outbox in the state', () => {
  const reconnecting = status({ state: 'reconnecting', delayMs: 1000, attempt: 1, reason: 'gone' });
  const waiting = (id: string, text: string, toUserId = 0, sending = false): PendingMessage => ({ id, text, toUserId, queuedAt: 1000, sending });

  it('mirrors the outbox in order, as the server will print it, from who we were and to whom', () => {
    const offline = run([{ type: 'private-started', user: bob }, reconnecting], loggedIn());
    const state = reduce(offline, { type: 'outbox', pending: [waiting('m1', 'hi {Аня} <3'), waiting('m2', 'psst', bob.userId), waiting('m3', 'who?', 9)] });
    expect(state.pending.map((p) => [p.id, p.from?.userName, p.to?.userName ?? null, p.runs, p.time])).toEqual([
      ['m1', 'Tester', null, [{ text: 'hi ', bold: false }, { text: 'Аня', bold: true }, { text: ' <3', bold: false }], 1000],
      ['m2', 'Tester', 'Bob', [{ text: 'psst', bold: false }], 1000],
      ['m3', 'Tester', '#9', [{ text: 'who?', bold: false }], 1000],
    ]);
    // The log itself is untouched: pending lines are not log lines.
    expect(state.log).toBe(offline.log);
  });

  it('keeps a line as it first appeared, changes only what changed, and drops what left the outbox', () => {
    const first = reduce(loggedIn(), { type: 'outbox', pending: [waiting('m1', 'a', anya.userId), waiting('m2', 'b')] });
    // Offline now: nobody to look Аня up in, yet her line still names her.
    const offline = run([reconnecting, { type: 'outbox', pending: [waiting('m1', 'a', anya.userId, true), waiting('m2', 'b')] }], first);
    expect(offline.pending[0]).toEqual({ ...first.pending[0], sending: true });
    expect(offline.pending[1]).toBe(first.pending[1]);
    const same = reduce(offline, { type: 'outbox', pending: [waiting('m1', 'a', anya.userId, true), waiting('m2', 'b')] });
    expect(same).toBe(offline);
    expect(reduce(offline, { type: 'outbox', pending: [waiting('m2', 'b')] }).pending.map((p) => p.id)).toEqual(['m2']);
  });

  it('lets the user type while a session that logged in reconnects, and not before or after it', () => {
    expect(canCompose(INITIAL_STATE)).toBe(false);
    const neverIn = run([status({ state: 'connecting', url: 'ws://h:1/', attempt: 0 }), reconnecting]);
    expect(canCompose(neverIn)).toBe(false);
    const online = loggedIn();
    expect(canCompose(online)).toBe(true);
    let state = reduce(online, reconnecting);
    expect(canCompose(state)).toBe(true);
    for (const s of [{ state: 'connecting', url: 'ws://h:1/', attempt: 1 }, { state: 'open', url: 'ws://h:1/' }] as const) {
      state = reduce(state, status(s));
      expect(canCompose(state), s.state).toBe(true);
    }
    expect(canCompose(reduce(state, status({ state: 'closed', reason: 'Disconnected.', byUser: true })))).toBe(false);
    expect(canCompose(reduce(state, status({ state: 'closed', reason: 'wrong key', byUser: false, code: 4003 })))).toBe(false);
    expect(canCompose(reduce(state, status({ state: 'idle' })))).toBe(false);
    // A new Connect is a new session: nothing typed until it logs in.
    expect(canCompose(reduce(state, status({ state: 'connecting', url: 'ws://other:1/', attempt: 0 })))).toBe(false);
  });
});

describe('lines by messageId (issue 12)', () => {
  const line = (messageId: number, text: string, sentAt = 1_000): PublicMessage => ({ action: 'PublicMessage', ...anya, text, messageId, sentAt });
  const chatTexts = (state: ChatState): string[] => {
    const out: string[] = [];
    for (let i = 0; i < state.log.count; i++) {
      const l = lineAt(state.log, i);
      if (l?.kind === 'chat') out.push(l.text);
    }
    return out;
  };

  it('a History after a reconnect adds only the lines the log does not have yet, at the server’s time', () => {
    const before = run([msg(line(10, 'a')), msg(line(11, 'b'))], loggedIn());
    const after = run([msg({ action: 'History', messages: [line(10, 'a'), line(11, 'b'), line(12, 'c', 5_000)], hasMore: true }, 9_000)], before);
    expect(chatTexts(after)).toEqual(['a', 'b', 'c']);
    const last = lineAt(after.log, after.log.count - 1);
    expect(last?.kind === 'chat' && [last.messageId, last.time, last.replayed]).toEqual([12, 5_000, true]);
    expect(after.lastMessageId).toBe(12);
  });

  it('a line that comes twice is shown once; lines from a server without ids are all shown', () => {
    const state = run([msg(line(5, 'x')), msg(line(5, 'x'))], loggedIn());
    expect(chatTexts(state)).toEqual(['x']);
    const original: ServerMessage = { action: 'PublicMessage', ...anya, text: 'same' };
    expect(chatTexts(run([msg(original), msg(original)], loggedIn()))).toEqual(['same', 'same']);
  });

  it('puts an older page in front, only lines older than the oldest it has, and knows where paging ends', () => {
    const start = run([msg({ action: 'History', messages: [line(10, 'j'), line(11, 'k')], hasMore: true })], loggedIn());
    expect(start.older).toMatchObject({ state: 'idle', oldestId: 10 });
    const asked = reduce(start, { type: 'older-requested' });
    expect(asked.older.state).toBe('loading');
    // A second ask while one is on its way changes nothing.
    expect(reduce(asked, { type: 'older-requested' })).toBe(asked);
    const page = { ok: true as const, before: 10, messages: [line(8, 'h'), line(9, 'i'), line(10, 'j')], hasMore: false };
    const after = reduce(asked, { type: 'older', page, time: 0 });
    expect(chatTexts(after)).toEqual(['h', 'i', 'j', 'k']);
    expect(after.older).toMatchObject({ state: 'end', oldestId: 8 });
    // Nothing new for the unread count: older history is not appended.
    expect(totalLines(after.log)).toBe(totalLines(asked.log));
    // A page lost with the connection: back to idle, to be asked again.
    expect(reduce(asked, { type: 'older', page: { ok: false, before: 10, reason: 'gone' }, time: 0 }).older.state).toBe('idle');
    expect(run([status({ state: 'reconnecting', delayMs: 1, attempt: 1, reason: 'x' })], asked).older.state).toBe('idle');
  });

  it('a login’s History that has no more ends paging; another server starts its ids afresh and pages nothing in front', () => {
    expect(run([msg({ action: 'History', messages: [line(3, 'c')], hasMore: false })], loggedIn()).older.state).toBe('end');
    const first = run([status({ state: 'connecting', url: 'ws://a:1/', attempt: 0 }), msg(line(100, 'from a'))], loggedIn());
    const other = run([status({ state: 'connecting', url: 'ws://b:1/', attempt: 0 }), msg({ action: 'Authorized', ...me, users: [me] }), msg(line(5, 'from b'))], first);
    // Ids of another server: line 5 there is not line 5 here.
    expect(chatTexts(other)).toEqual(['from a', 'from b']);
    expect(other.older.state).toBe('none');
    expect(reduce(other, { type: 'older-requested' }).older.state).toBe('none');
  });

  it('at the log\'s cap, paging says "full", not "end": lines fell off the top, or an older page did not fit (issue 12 §3)', () => {
    const many = (from: number, count: number) => Array.from({ length: count }, (_, i) => line(from + i, `l${from + i}`));
    // A login's History that had reached the start, then enough new lines to push the oldest out.
    const ended = run([msg({ action: 'History', messages: many(1, 10), hasMore: false })], loggedIn());
    expect(ended.older.state).toBe('end');
    const pushed = reduce(ended, msg({ action: 'History', messages: many(11, MAX_LOG_LINES + 2 * LOG_BLOCK_SIZE), hasMore: false }));
    expect(pushed.log.dropped).toBeGreaterThan(0);
    expect(pushed.older.state).toBe('full');
    expect(reduce(pushed, { type: 'older-requested' }).older.state).toBe('full');

    // A log one block short of full, paging back: the page fills it, the rest does not fit.
    const nearly = run([msg({ action: 'History', messages: many(1_000_000, MAX_LOG_LINES - LOG_BLOCK_SIZE), hasMore: true })], loggedIn());
    expect(nearly.older.state).toBe('idle');
    const asked = reduce(nearly, { type: 'older-requested' });
    const page = { ok: true as const, before: 1_000_000, messages: many(1_000_000 - 50, 50), hasMore: true };
    const after = reduce(asked, { type: 'older', page, time: 0 });
    expect(after.log.count).toBe(MAX_LOG_LINES);
    expect(after.older.state).toBe('full');
  });

  it('an edit changes the line in place; a deletion leaves a tombstone, and replies to it forget its text', () => {
    const reply: PublicMessage = { ...line(21, 'yes'), replyTo: { messageId: 20, userName: anya.userName, excerpt: 'secret' } };
    const state = run([msg(line(20, 'secret')), msg(reply)], loggedIn());
    const edited = reduce(state, msg({ action: 'MessageEdited', messageId: 21, text: 'yes!', editedAt: 7 }));
    expect(chatTexts(edited)).toEqual(['secret', 'yes!']);
    const last = lineAt(edited.log, edited.log.count - 1);
    expect(last?.kind === 'chat' && last.editedAt).toBe(7);
    // Unchanged blocks stay the same objects.
    expect(reduce(edited, msg({ action: 'MessageEdited', messageId: 21, text: 'yes!', editedAt: 7 }))).toBe(edited);
    const gone = reduce(edited, msg({ action: 'MessageDeleted', messageId: 20 }));
    expect(chatTexts(gone)).toEqual(['', 'yes!']);
    const quoting = lineAt(gone.log, gone.log.count - 1);
    expect(quoting?.kind === 'chat' && quoting.replyTo).toEqual({ messageId: 20, userName: anya.userName, excerpt: '' });
    expect(reduce(gone, msg({ action: 'MessageDeleted', messageId: 999 }))).toBe(gone);
  });

  it('a deletion learned from a History (after a reconnect) also makes replies forget the deleted text', () => {
    const reply: PublicMessage = { ...line(21, 'yes'), replyTo: { messageId: 20, userName: anya.userName, excerpt: 'secret' } };
    const state = run([msg(line(20, 'secret')), msg(reply)], loggedIn());
    const tombstone: PublicMessage = { ...line(20, ''), deleted: true };
    const after = reduce(state, msg({ action: 'History', messages: [tombstone, reply], hasMore: false }));
    expect(chatTexts(after)).toEqual(['', 'yes']);
    const quoting = lineAt(after.log, after.log.count - 1);
    expect(quoting?.kind === 'chat' && quoting.replyTo).toEqual({ messageId: 20, userName: anya.userName, excerpt: '' });
  });

  it('lines falling off the top while an older page is on its way: the page is not put in front of the gap', () => {
    const many = (from: number, count: number) => Array.from({ length: count }, (_, i) => line(from + i, `l${from + i}`));
    const asked = reduce(run([msg({ action: 'History', messages: many(1_000_000, 100), hasMore: true })], loggedIn()), { type: 'older-requested' });
    expect(asked.older.state).toBe('loading');
    const capped = run([msg({ action: 'History', messages: many(2_000_000, MAX_LOG_LINES), hasMore: false })], asked);
    expect(capped.older.state).toBe('full');
    const page = { ok: true as const, before: 1_000_000, messages: many(1_000_000 - 50, 50), hasMore: true };
    expect(reduce(capped, { type: 'older', page, time: 0 }).log).toBe(capped.log);
  });
});
