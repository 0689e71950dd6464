import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { WebSocket } from 'ws';
import { startChatServer } from '../../../src-main/server';
import { formatChatText } from '../../../src-shared/protocol';
import type { PublicMessage, ServerMessage } from '../../../src-shared/protocol';
import { ClientSession, SEND_BURST } from '../../../src-shared/session';
import { ANNA, REQUEST, harness } from './fake-socket';
import type { FakeSocket } from './fake-socket';
import { isState, until, waitForStatus } from './wait';

/*
 * Issue 12's leftover: an Error that answers a History request, an Edit or a Delete is
 * matched to that frame, not blamed on the oldest chat line in flight (which was then
 * dropped, or written again and shown twice). Those frames also take their share of the
 * session's pace, so a server with the default limits never has to refuse them.
 */

const TOKEN = { sessionToken: 'tok' };
const RATE_LIMITED = { action: 'Error', code: 'rate-limited', message: 'Too many messages: slow down and send it again.' };
const echo = (text: string, messageId: number) => ({ action: 'PublicMessage', ...ANNA, messageId, text: formatChatText(text) });
const written = (socket: FakeSocket): Array<Record<string, unknown>> =>
  socket.sent.filter((f) => f !== '{"action":"Pong"}').map((f) => JSON.parse(f) as Record<string, unknown>);
const actions = (socket: FakeSocket): string[] => written(socket).map((f) => (f.action === 'Message' ? `Message ${String(f.text)}` : String(f.action)));

describe('answers matched to what caused them (fake server)', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: 1_700_000_000_000 });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('a rate-limited Edit is written again after the pause; the chat line in flight is neither requeued nor sent twice', () => {
    const h = harness();
    h.session.connect(REQUEST);
    const socket = h.login(ANNA, TOKEN);
    expect(h.session.changeLine(7, 'fixed')).toBe(true);
    h.session.send({ text: 'a', toUserId: 0 });
    expect(actions(socket)).toEqual(['Edit', 'Message a']);
    // The server answers in order: the Edit first (refused), then the line (its echo).
    socket.receiveJson(RATE_LIMITED);
    expect(h.session.outbox).toMatchObject([{ text: 'a', sending: true }]);
    socket.receiveJson(echo('a', 40));
    expect(h.session.outbox).toEqual([]);
    vi.advanceTimersByTime(1_000);
    expect(actions(socket)).toEqual(['Edit', 'Message a', 'Edit']);
    expect(written(socket)[2]).toEqual({ action: 'Edit', messageId: 7, text: 'fixed' });
    socket.receiveJson({ action: 'MessageEdited', messageId: 7, text: 'fixed', editedAt: 1 });
    vi.advanceTimersByTime(5_000);
    expect(actions(socket)).toEqual(['Edit', 'Message a', 'Edit']);
    expect(h.notices).toEqual([]);
  });

  it('invalid-text answering an Edit does not drop the chat line in flight', () => {
    const h = harness();
    h.session.connect(REQUEST);
    const socket = h.login(ANNA, TOKEN);
    expect(h.session.changeLine(7, 'x')).toBe(true);
    h.session.send({ text: 'b', toUserId: 0 });
    socket.receiveJson({ action: 'Error', code: 'invalid-text', message: 'The text is empty.' });
    expect(h.notices).toEqual([]);
    expect(h.session.outbox).toMatchObject([{ text: 'b', sending: true }]);
    socket.receiveJson(echo('b', 41));
    expect(h.session.outbox).toEqual([]);
  });

  it('a refused Edit, then a refused chat line: each refusal settles its own frame', () => {
    const h = harness();
    h.session.connect(REQUEST);
    const socket = h.login(ANNA, TOKEN);
    expect(h.session.changeLine(9, 'long')).toBe(true);
    h.session.send({ text: 'to nobody', toUserId: 77 });
    h.session.send({ text: 'fine', toUserId: 0 });
    // The Edit's answer, the first line's, then the last line's echo: in the order the server sends them.
    socket.receiveJson({ action: 'Error', code: 'text-too-long', message: 'The text is too long.' });
    socket.receiveJson({ action: 'Error', code: 'invalid-recipient', message: 'No such user.' });
    socket.receiveJson(echo('fine', 42));
    expect(h.session.outbox).toEqual([]);
    expect(h.notices).toEqual([{ kind: 'send-failed', reason: '“to nobody” was not sent: No such user.' }]);
  });

  it('a rate-limited History request is asked again after the pause, and its page is an older page; no chat line is requeued', () => {
    const h = harness();
    const pages: unknown[] = [];
    h.session.on('olderHistory', (p) => pages.push(p));
    h.session.connect(REQUEST);
    const socket = h.login(ANNA, TOKEN);
    socket.receiveJson({ action: 'History', messages: [], hasMore: true });
    expect(h.session.loadOlder(100, 50)).toBe(true);
    h.session.send({ text: 'c', toUserId: 0 });
    socket.receiveJson(RATE_LIMITED);
    expect(h.session.outbox).toMatchObject([{ text: 'c', sending: true }]);
    expect(pages).toEqual([]);
    socket.receiveJson(echo('c', 101));
    vi.advanceTimersByTime(1_000);
    expect(actions(socket)).toEqual(['History', 'Message c', 'History']);
    socket.receiveJson({ action: 'History', messages: [echo('old', 99)], hasMore: false });
    expect(pages).toMatchObject([{ ok: true, before: 100, hasMore: false }]);
    expect(h.session.outbox).toEqual([]);
  });

  it('History requests, edits and deletions take their share of the pace, ahead of the chat lines still waiting', () => {
    const h = harness();
    h.session.connect(REQUEST);
    const socket = h.login(ANNA, TOKEN);
    for (let i = 0; i < SEND_BURST + 2; i++) h.session.send({ text: `m${i}`, toUserId: 0 });
    expect(written(socket)).toHaveLength(SEND_BURST);
    expect(h.session.changeLine(3, 'later')).toBe(true);
    expect(h.session.changeLine(4, null)).toBe(true);
    // Out of tokens: the edit waits for the next one, the deletion for the one after.
    expect(written(socket)).toHaveLength(SEND_BURST);
    vi.advanceTimersByTime(250);
    expect(actions(socket).slice(SEND_BURST)).toEqual(['Edit']);
    vi.advanceTimersByTime(250);
    expect(actions(socket).slice(SEND_BURST)).toEqual(['Edit', 'Delete']);
    vi.advanceTimersByTime(500);
    expect(actions(socket).slice(SEND_BURST)).toEqual(['Edit', 'Delete', `Message m${SEND_BURST}`, `Message m${SEND_BURST + 1}`]);
  });

  it('an Error answering a dialog\'s page request is not taken for the room\'s page asked after it', () => {
    const h = harness();
    const pages: unknown[] = [];
    h.session.on('olderHistory', (p) => pages.push(p));
    h.session.connect(REQUEST);
    const socket = h.login(ANNA, { ...TOKEN, lasting: true });
    socket.receiveJson({ action: 'History', messages: [], hasMore: true });
    expect(h.session.loadDialog(4)).toBe(true);
    expect(h.session.loadOlder(100, 50)).toBe(true);
    expect(actions(socket)).toEqual(['History', 'History']);
    socket.receiveJson({ action: 'Error', code: 'invalid-history-request', message: 'A private dialog’s history needs a lasting identity.' });
    expect(pages).toEqual([]);
    socket.receiveJson({ action: 'History', messages: [echo('old', 99)], hasMore: false });
    expect(pages).toMatchObject([{ ok: true, before: 100 }]);
  });

  it('a status change goes at once but takes its share of the pace: the chat line after it waits longer', () => {
    const h = harness();
    h.session.connect(REQUEST);
    const socket = h.login(ANNA, TOKEN);
    for (let i = 0; i < SEND_BURST + 1; i++) h.session.send({ text: `m${i}`, toUserId: 0 });
    expect(written(socket)).toHaveLength(SEND_BURST);
    h.session.setStatus('away');
    expect(actions(socket).slice(SEND_BURST)).toEqual(['SetStatus']);
    vi.advanceTimersByTime(250);
    expect(actions(socket).slice(SEND_BURST)).toEqual(['SetStatus']);
    vi.advanceTimersByTime(250);
    expect(actions(socket).slice(SEND_BURST)).toEqual(['SetStatus', `Message m${SEND_BURST}`]);
  });

  it('an edit not yet written when the connection is lost is given up, saying so', () => {
    const h = harness();
    h.session.connect(REQUEST);
    const socket = h.login(ANNA, TOKEN);
    for (let i = 0; i < SEND_BURST; i++) h.session.send({ text: `m${i}`, toUserId: 0 });
    expect(h.session.changeLine(3, 'later')).toBe(true);
    socket.serverClose(1006);
    expect(h.notices).toEqual([{ kind: 'send-failed', reason: '1 edit(s) or deletion(s) were not sent: the connection was lost.' }]);
    vi.advanceTimersByTime(2_000);
    const again = h.login(ANNA, TOKEN);
    again.receiveJson({ action: 'History', messages: [] });
    expect(actions(again).filter((a) => a === 'Edit')).toEqual([]);
  });
});

describe('answers matched to what caused them (real server, default limits)', () => {
  const cleanups: (() => unknown)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  it('a run of edits with a chat line after them is never refused: every edit lands, the line is shown once', async () => {
    const server = await startChatServer({ host: '127.0.0.1', port: 0, log: () => {} });
    cleanups.push(() => server.close());
    const session = new ClientSession({ createSocket: (url) => new WebSocket(url) });
    cleanups.push(() => session.disconnect());
    const seen: ServerMessage[] = [];
    session.on('message', (m) => seen.push(m));
    session.connect({ server: '127.0.0.1', port: server.port, userName: 'Editor', userColor: '#16a085', gender: 2 });
    await waitForStatus(session, isState('authorized'));
    session.send({ text: 'draft', toUserId: 0 });
    await until(() => seen.some((m) => m.action === 'PublicMessage'), 5_000, 'the echo');
    const id = seen.find((m): m is PublicMessage => m.action === 'PublicMessage')!.messageId!;
    // More than the server's burst of 20, at once, then a line.
    const edits = 24;
    for (let i = 1; i <= edits; i++) expect(session.changeLine(id, `draft ${i}`)).toBe(true);
    session.send({ text: 'after the edits', toUserId: 0 });
    await until(() => seen.some((m) => m.action === 'PublicMessage' && m.text === 'after the edits'), 10_000, 'the line after the edits');
    await until(() => seen.filter((m) => m.action === 'MessageEdited').length === edits, 10_000, 'every edit');
    expect(seen.filter((m) => m.action === 'Error')).toEqual([]);
    expect(seen.filter((m) => m.action === 'PublicMessage' && m.text === 'after the edits')).toHaveLength(1);
    expect(session.outbox).toEqual([]);
  }, 20_000);
});
