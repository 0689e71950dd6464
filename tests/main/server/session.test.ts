import { describe, expect, it } from 'vitest';
import { CloseCode } from '../../../src-shared/protocol';
import type { HistoryMessage, ServerMessage } from '../../../src-shared/protocol';
import { ChatClient, withTimeout } from '../../support/chat-client';
import { startTestServer } from './helpers';

const isText = (text: string) => (m: ServerMessage) => m.action === 'PublicMessage' && m.text === text;
const isHistory = (m: ServerMessage): m is HistoryMessage => m.action === 'History';
const texts = (history: HistoryMessage) => history.messages.map((m) => m.text);

// Where a test tells a resume from a new login by its History, the history on join is off.
describe('session tokens', () => {
  it('every login gets its own token in Authorized', async () => {
    const t = await startTestServer();
    const a = await t.join('a');
    const b = await t.join('b');
    expect(a.authorized.sessionToken).toMatch(/^[A-Za-z0-9_-]{20,}$/);
    expect(b.authorized.sessionToken).not.toBe(a.authorized.sessionToken);
  });

  it('a reconnect while the old connection is still open takes its place: same name and id, the old one closed with 4000, nobody sees a leave', async () => {
    const t = await startTestServer({ pingIntervalMs: 30 });
    const watcher = await t.join('watcher');
    const a = await t.join('Anna');
    const token = a.authorized.sessionToken!;
    watcher.say('before');
    await a.waitFor(isText('before'));
    // Two answered pings after "before": the server knows it arrived.
    const pingsSeen = a.all('Ping').length;
    await a.waitFor(() => a.all('Ping').length >= pingsSeen + 3, 2000, 'three more pings');
    a.ws.pause(); // the network froze: nothing read, nothing answered
    watcher.say('missed 1');
    watcher.say('missed 2');
    await watcher.waitFor(isText('missed 2'));
    const markWatcher = watcher.mark();
    const again = await t.join({ userName: 'Anna', sessionToken: token }, { awaitOwnConnected: false });
    expect(again.authorized).toMatchObject({ userId: a.userId, userName: 'Anna', sessionToken: token });
    const history = await again.waitFor(isHistory);
    expect(again.messages[1]).toBe(history);
    expect(texts(history)).toEqual(['missed 1', 'missed 2']);
    a.ws.resume();
    expect(await a.waitForClose()).toEqual({ code: CloseCode.replaced, reason: 'Replaced by a new connection' });
    again.say('I am back');
    const back = await watcher.waitFor(isText('I am back'), undefined, undefined, markWatcher);
    expect(back.action === 'PublicMessage' && back.userId).toBe(a.userId);
    expect(watcher.messages.slice(markWatcher).map((m) => m.action).filter((x) => x !== 'Ping')).toEqual(['PublicMessage']);
    expect(t.server.connectionCount).toBe(2);
  });

  it('a reconnect within the window after a page reload (1001) gets the name and id back, and what it missed', async () => {
    const t = await startTestServer({ presenceGraceMs: 30 });
    const watcher = await t.join('watcher');
    const a = await t.join('Anna');
    const token = a.authorized.sessionToken!;
    await a.close(CloseCode.goingAway);
    await watcher.waitFor((m) => m.action === 'Disconnected' && m.userId === a.userId);
    watcher.say('while away');
    await watcher.waitFor(isText('while away'));
    // Someone else asking for the name meanwhile gets a suffix: the name is kept for the session.
    const other = await t.join('anna');
    expect(other.userName).toBe('anna (2)');
    const again = await t.join({ userName: 'ignored', sessionToken: token });
    expect(again.authorized).toMatchObject({ userId: a.userId, userName: 'Anna' });
    expect(texts(await again.waitFor(isHistory))).toEqual(['while away']);
    expect(await watcher.waitFor((m) => m.action === 'Connected' && m.userId === a.userId && m.userName === 'Anna')).toBeTruthy();
  });

  it.each([
    ['1000, the user’s own disconnect', CloseCode.normal],
    ['no code, a browser’s plain close()', undefined],
  ])('a clean leave (%s) frees the name and the token at once', async (_name, code) => {
    const t = await startTestServer({ historyOnJoin: 0 });
    const watcher = await t.join('watcher');
    const a = await t.join('Anna');
    const token = a.authorized.sessionToken!;
    if (code === undefined) {
      a.ws.close();
      await a.waitForClose();
    } else {
      await a.close(code);
    }
    await watcher.waitFor((m) => m.action === 'Disconnected' && m.userId === a.userId, 2000, 'Disconnected at once');
    // Someone else may take the name now, without a suffix...
    const other = await t.join('anna');
    expect(other.userName).toBe('anna');
    await other.close();
    await watcher.waitFor((m) => m.action === 'Disconnected' && m.userId === other.userId);
    // ...and the token no longer resumes anything: the user who comes back is a new login.
    const back = await t.join({ userName: 'Anna', sessionToken: token });
    expect(back.userName).toBe('Anna');
    expect(back.userId).not.toBe(a.userId);
    expect(back.authorized.sessionToken).not.toBe(token);
    expect(back.messages.some(isHistory)).toBe(false);
    expect(t.logs.some((line) => line.startsWith(`leave #${a.userId} "Anna" (code ${code ?? 1005}`))).toBe(true);
  });

  it('a wrong or expired token is simply a new login', async () => {
    const t = await startTestServer({ sessionResumeMs: 40, pingIntervalMs: 20, presenceGraceMs: 10, historyOnJoin: 0 });
    const watcher = await t.join('watcher');
    const a = await t.join('Anna');
    const token = a.authorized.sessionToken!;
    a.terminate();
    // Wait past the window (and a heartbeat, which frees expired names).
    const pings = watcher.all('Ping').length;
    await watcher.waitFor(() => watcher.all('Ping').length >= pings + 4, 2000, 'a few heartbeats');
    const late = await t.join({ userName: 'Anna', sessionToken: token });
    expect(late.userId).not.toBe(a.userId);
    expect(late.userName).toBe('Anna');
    expect(late.authorized.sessionToken).not.toBe(token);
    expect(late.messages.some(isHistory)).toBe(false);
    const wrong = await t.join({ userName: 'x', sessionToken: 'not-a-token' });
    expect(wrong.messages.some(isHistory)).toBe(false);
  });

  it('soon after a restart, a token from the old server logs in afresh and gets everything said since the start', async () => {
    const t = await startTestServer({ sessionResumeMs: 60_000, historyOnJoin: 0 });
    const first = await t.join({ userName: 'first back', sessionToken: 'token-from-the-killed-server' });
    expect(texts(await first.waitFor(isHistory))).toEqual([]);
    first.say('said while the others reconnect');
    await first.waitFor(isText('said while the others reconnect'));
    const second = await t.join({ userName: 'second back', sessionToken: 'another-old-token' });
    expect(second.userName).toBe('second back');
    expect(texts(await second.waitFor(isHistory))).toEqual(['said while the others reconnect']);
    const fresh = await t.join('no token');
    expect(fresh.messages.some(isHistory)).toBe(false);
  });

  it('History holds at most the last 200 public messages', async () => {
    const t = await startTestServer({ rateBurst: 1000, ratePerSecond: 1000 });
    const a = await t.join('a');
    const token = a.authorized.sessionToken!;
    await a.close(CloseCode.goingAway);
    const b = await t.join('b');
    for (let i = 1; i <= 230; i++) b.say(`n${i}`);
    await b.waitFor(isText('n230'));
    // Back within the presence grace: no Connected, to anyone.
    const again = await t.join({ sessionToken: token }, { awaitOwnConnected: false });
    const history = await again.waitFor(isHistory);
    expect(history.messages).toHaveLength(200);
    expect(history.messages[0]).toMatchObject({ action: 'PublicMessage', text: 'n31', userName: 'b' });
    expect(history.messages[199]!.text).toBe('n230');
  });

  it('private messages are never in History', async () => {
    const t = await startTestServer();
    const a = await t.join('a');
    const b = await t.join('b');
    const token = a.authorized.sessionToken!;
    await a.close(CloseCode.goingAway);
    b.say('secret', b.userId);
    b.say('public');
    await b.waitFor(isText('public'));
    const again = await ChatClient.connect(t.url({ sessionToken: token }), { awaitOwnConnected: false });
    expect(texts(await again.waitFor(isHistory))).toEqual(['public']);
    again.terminate();
  });
});

describe('presence across a short drop', () => {
  const isPresence = (userId: number) => (m: ServerMessage) =>
    (m.action === 'Connected' || m.action === 'Disconnected' || m.action === 'ConnectionLost') && m.userId === userId;

  it.each([
    ['a dropped connection (no close frame)', (c: ChatClient) => c.terminate()],
  ])('after %s, back within the grace: the others see nothing at all', async (_name, drop) => {
    const t = await startTestServer({ presenceGraceMs: 60_000 });
    const watcher = await t.join('watcher');
    const a = await t.join('Anna');
    const token = a.authorized.sessionToken!;
    await watcher.waitFor(isPresence(a.userId));
    const markWatcher = watcher.mark();
    drop(a);
    await a.waitForClose();
    await waitUntil(() => t.server.connectionCount === 1, 'the server to see the drop');
    watcher.say('while away');
    await watcher.waitFor(isText('while away'), undefined, undefined, markWatcher);
    // Still in the room for a newcomer...
    const newcomer = await t.join('newcomer');
    expect(newcomer.authorized.users.map((u) => u.userName)).toEqual(['watcher', 'Anna', 'newcomer']);
    // ...but a private message cannot reach it now, and the sender is told so at once.
    watcher.say('psst', a.userId);
    expect(await watcher.waitFor((m) => m.action === 'PrivateMessage' && m.toUserId === a.userId)).toMatchObject({ error: 'recipient-offline' });
    const again = await t.join({ userName: 'Anna', sessionToken: token }, { awaitOwnConnected: false });
    expect(again.authorized).toMatchObject({ userId: a.userId, userName: 'Anna', sessionToken: token });
    expect(again.authorized.users.map((u) => u.userName)).toEqual(['watcher', 'Anna', 'newcomer']);
    expect(texts(await again.waitFor(isHistory))).toEqual(['while away']);
    again.say('back');
    const back = await watcher.waitFor(isText('back'), undefined, undefined, markWatcher);
    expect(back).toMatchObject({ userId: a.userId, userName: 'Anna' });
    expect(watcher.messages.slice(markWatcher).filter(isPresence(a.userId))).toEqual([]);
    expect(newcomer.messages.filter(isPresence(a.userId))).toEqual([]);
    expect(t.server.connectionCount).toBe(3);
    expect(t.logs.some((line) => line.includes('back within the presence grace'))).toBe(true);
  });

  it.each([
    ['a dropped connection (no close frame)', 'ConnectionLost', (c: ChatClient) => c.terminate()],
  ])('after %s, not back within the grace: the others are told %s then; a later resume shows Connected again', async (_name, action, drop) => {
    const graceMs = 150;
    const t = await startTestServer({ presenceGraceMs: graceMs });
    const watcher = await t.join('watcher');
    const a = await t.join('Anna');
    const token = a.authorized.sessionToken!;
    await watcher.waitFor(isPresence(a.userId));
    const mark = watcher.mark();
    const droppedAt = Date.now();
    drop(a);
    const left = await watcher.waitFor(isPresence(a.userId), 3000, `${action} after the grace`, mark);
    expect(Date.now() - droppedAt).toBeGreaterThanOrEqual(graceMs - 20);
    expect(left).toMatchObject({ action, userId: a.userId, userName: 'Anna' });
    expect(watcher.messages.slice(mark).filter(isPresence(a.userId))).toHaveLength(1);
    expect(t.logs.some((line) => line.startsWith(`gone #${a.userId} "Anna": not back within ${graceMs} ms (${action})`))).toBe(true);
    // The name is still held for the session, and it comes back with it.
    expect((await t.join('anna')).userName).toBe('anna (2)');
    const again = await t.join({ userName: 'Anna', sessionToken: token });
    expect(again.authorized).toMatchObject({ userId: a.userId, userName: 'Anna' });
    expect(await watcher.waitFor((m) => m.action === 'Connected' && m.userId === a.userId, undefined, 'Connected again', mark)).toBeTruthy();
  });

  it('a clean leave is announced at once, whatever the grace', async () => {
    const t = await startTestServer({ presenceGraceMs: 60_000 });
    const watcher = await t.join('watcher');
    const a = await t.join('Anna');
    await watcher.waitFor(isPresence(a.userId));
    const mark = watcher.mark();
    await a.close();
    expect(await watcher.waitFor(isPresence(a.userId), 2000, 'Disconnected at once', mark)).toMatchObject({ action: 'Disconnected' });
  });

  it('a shutdown during someone’s grace closes at once and tells no one', async () => {
    const t = await startTestServer({ presenceGraceMs: 60_000 });
    const watcher = await t.join('watcher');
    const a = await t.join('Anna');
    await watcher.waitFor(isPresence(a.userId));
    const mark = watcher.mark();
    a.terminate();
    await waitUntil(() => t.server.connectionCount === 1, 'the server to see the drop');
    await withTimeout(t.server.close(), 3000, 'the server to close');
    expect(await watcher.waitForClose()).toEqual({ code: CloseCode.goingAway, reason: 'Server shutting down' });
    expect(watcher.messages.slice(mark).filter(isPresence(a.userId))).toEqual([]);
  });
});

async function waitUntil(check: () => boolean, what: string, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
