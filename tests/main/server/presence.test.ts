import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_SERVER_CONFIG } from '../../../src-main/server';
import type { ServerConfig } from '../../../src-main/server';
import { CloseCode } from '../../../src-shared/protocol';
import type { ServerMessage } from '../../../src-shared/protocol';
import { ChatClient } from '../../support/chat-client';
import { RawWebSocket, handshakeWithTarget } from '../../support/raw-websocket';
import { startTestServer } from './helpers';
import type { TestServer } from './helpers';

/*
 * Presence that tells the truth (issue 13 §5): who left is told at once, unless only
 * the network blinked under a client that can resume; the Qt client holds nothing.
 * Two loopback addresses stand in for two hosts: the watcher on 127.0.0.2, everyone
 * else on 127.0.0.1, with the per-address limits on for both.
 */

const WATCHER = { localAddress: '127.0.0.2' };
const SUBJECT = { localAddress: '127.0.0.1' };
const HOSTS: Partial<ServerConfig> = { exemptLoopbackFromIpLimit: false };
/** "At once": the brief's bound for a clean close. */
const AT_ONCE_MS = 1000;

const isPresence = (userId: number) => (m: ServerMessage) =>
  (m.action === 'Connected' || m.action === 'Disconnected' || m.action === 'ConnectionLost') && m.userId === userId;
const isLeave = (userId: number) => (m: ServerMessage) =>
  (m.action === 'Disconnected' || m.action === 'ConnectionLost') && m.userId === userId;

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'simplechat-presence-'));
  dirs.push(dir);
  return dir;
}

const qtClients = new Set<RawWebSocket>();
afterEach(() => {
  for (const qt of qtClients) qt.destroy();
  qtClients.clear();
});

/** The Qt client's handshake (no `/`, `Origin: SimpleChatClient`, no token) under `name`; resolves at Authorized. */
async function qtLogin(port: number, name: string): Promise<{ qt: RawWebSocket; authorized: Record<string, unknown> }> {
  const target = `?userName=${encodeURIComponent(name)}&userColor=%2334495e&gender=0`;
  const qt = await RawWebSocket.open(port, handshakeWithTarget(target, ['Origin: SimpleChatClient']));
  qtClients.add(qt);
  const authorized = await qt.waitForMessage((m) => m.action === 'Authorized', 3000, 'the Qt client\'s Authorized');
  return { qt, authorized };
}

function userNames(authorized: Record<string, unknown>): string[] {
  return (authorized.users as Array<{ userName: string }>).map((u) => u.userName);
}

/** ms from `since` until the watcher has a leave of `userId` (waiting at most `timeoutMs`). */
async function msUntilLeave(watcher: ChatClient, userId: number, since: number, after: number, timeoutMs: number): Promise<{ ms: number; left: ServerMessage }> {
  const left = await watcher.waitFor(isLeave(userId), timeoutMs, `the leave of #${userId}`, after);
  return { ms: performance.now() - since, left };
}

async function joinPair(t: TestServer, name = 'Anna'): Promise<{ watcher: ChatClient; a: ChatClient }> {
  const watcher = await t.join('watcher', WATCHER);
  const a = await t.join(name, SUBJECT);
  await watcher.waitFor(isPresence(a.userId));
  return { watcher, a };
}

describe('presence: a clean close', () => {
  it('1000, 1001 and a close frame without a code are told to the others at once (Disconnected), whatever the grace', async () => {
    const t = await startTestServer({ ...HOSTS, presenceGraceMs: 60_000 });
    const watcher = await t.join('watcher', WATCHER);
    const closes: Array<[string, (c: ChatClient) => void]> = [
      ['1000', (c) => c.ws.close(CloseCode.normal)],
      ['1001', (c) => c.ws.close(CloseCode.goingAway)],
      ['no code', (c) => c.ws.close()],
    ];
    for (const [name, close] of closes) {
      const a = await t.join(`closes-${name.replace(' ', '-')}`, SUBJECT);
      await watcher.waitFor(isPresence(a.userId));
      const mark = watcher.mark();
      const at = performance.now();
      close(a);
      const { ms, left } = await msUntilLeave(watcher, a.userId, at, mark, 3000);
      expect(left.action, name).toBe('Disconnected');
      expect(ms, `${name}: told after ${Math.round(ms)} ms`).toBeLessThan(AT_ONCE_MS);
    }
    expect(t.server.connectionCount).toBe(1);
  });

  it('after a 1001 (a closed tab, or a reload) the session can still be resumed: it comes back as a join, with its name and id', async () => {
    const t = await startTestServer({ ...HOSTS, presenceGraceMs: 60_000 });
    const { watcher, a } = await joinPair(t);
    const token = a.authorized.sessionToken!;
    const mark = watcher.mark();
    a.ws.close(CloseCode.goingAway);
    await watcher.waitFor(isLeave(a.userId), AT_ONCE_MS * 3, 'Disconnected', mark);
    const again = await t.join({ userName: 'Anna', sessionToken: token }, SUBJECT);
    expect(again.authorized).toMatchObject({ userId: a.userId, userName: 'Anna', sessionToken: token });
    await watcher.waitFor((m) => m.action === 'Connected' && m.userId === a.userId, 3000, 'Connected again', mark);
    expect(watcher.messages.slice(mark).filter(isPresence(a.userId)).map((m) => m.action)).toEqual(['Disconnected', 'Connected']);
  });
});

describe('presence: missed pings', () => {
  it('a client that stops answering is ConnectionLost 3 to 5 ping intervals after its last Pong, with no grace on top; it may still resume', async () => {
    const intervalMs = 500;
    const t = await startTestServer({ ...HOSTS, pingIntervalMs: intervalMs });
    const watcher = await t.join('watcher', WATCHER);
    const silent = await t.join('silent', { ...SUBJECT, answerPings: false });
    const token = silent.authorized.sessionToken!;
    // Answers two Pings, then its network is gone (it reads on, but never answers).
    let lastPongAt = 0;
    let answered = 0;
    silent.ws.on('message', (data) => {
      if (data.toString() !== '{"action":"Ping"}' || answered >= 2) return;
      answered++;
      silent.send({ action: 'Pong' });
      lastPongAt = performance.now();
    });
    await silent.waitFor(() => answered >= 2, 5 * intervalMs, 'two answered pings');
    const mark = watcher.mark();
    const { ms, left } = await msUntilLeave(watcher, silent.userId, lastPongAt, mark, 10 * intervalMs);
    expect(left).toMatchObject({ action: 'ConnectionLost', userName: 'silent' });
    expect(ms, `ConnectionLost ${Math.round(ms)} ms after the last Pong`).toBeGreaterThanOrEqual(3 * intervalMs);
    expect(ms, `ConnectionLost ${Math.round(ms)} ms after the last Pong`).toBeLessThanOrEqual(5 * intervalMs);
    expect((await silent.waitForClose()).code).toBe(1006);
    expect(t.logs.some((line) => line.startsWith(`lost #${silent.userId} "silent": 3 pings unanswered (1 online)`))).toBe(true);
    // Announced gone, but within --session-resume-ms it is still its own: back as a join.
    const again = await t.join({ userName: 'x', sessionToken: token }, SUBJECT);
    expect(again.authorized).toMatchObject({ userId: silent.userId, userName: 'silent' });
    await watcher.waitFor((m) => m.action === 'Connected' && m.userId === silent.userId, 3000, 'Connected again', mark);
    expect(watcher.messages.slice(mark).filter(isPresence(silent.userId)).map((m) => m.action)).toEqual(['ConnectionLost', 'Connected']);
  });
});

describe('presence: a dropped connection of a client that can resume', () => {
  it('by default is kept shown at most 5 s, then ConnectionLost; a resume after that comes back as a join', async () => {
    expect(DEFAULT_SERVER_CONFIG.presenceGraceMs).toBeGreaterThan(0);
    expect(DEFAULT_SERVER_CONFIG.presenceGraceMs).toBeLessThanOrEqual(5000);
    const t = await startTestServer(HOSTS);
    const { watcher, a } = await joinPair(t);
    const token = a.authorized.sessionToken!;
    const mark = watcher.mark();
    const at = performance.now();
    a.terminate();
    const { ms, left } = await msUntilLeave(watcher, a.userId, at, mark, 5000 + AT_ONCE_MS);
    expect(left).toMatchObject({ action: 'ConnectionLost', userName: 'Anna' });
    expect(ms).toBeGreaterThanOrEqual(DEFAULT_SERVER_CONFIG.presenceGraceMs - 20);
    const again = await t.join({ userName: 'Anna', sessionToken: token }, SUBJECT);
    expect(again.authorized).toMatchObject({ userId: a.userId, userName: 'Anna' });
    await watcher.waitFor((m) => m.action === 'Connected' && m.userId === a.userId, 3000, 'Connected again', mark);
    expect(watcher.messages.slice(mark).filter(isPresence(a.userId)).map((m) => m.action)).toEqual(['ConnectionLost', 'Connected']);
  }, 15_000);

  it('only the drop waits out --presence-grace-ms (and not a moment past it); a 1001 at the same moment is told at once', async () => {
    const graceMs = 600;
    const t = await startTestServer({ ...HOSTS, presenceGraceMs: graceMs });
    const { watcher, a } = await joinPair(t);
    const b = await t.join('Ben', SUBJECT);
    await watcher.waitFor(isPresence(b.userId));
    // Our client's own "the server went silent" close: it reconnects at once, so it is a drop too.
    const c = await t.join('Cleo', SUBJECT);
    await watcher.waitFor(isPresence(c.userId));
    const mark = watcher.mark();
    const at = performance.now();
    a.terminate();
    b.ws.close(CloseCode.goingAway);
    c.ws.close(CloseCode.serverSilent);
    const closed = await msUntilLeave(watcher, b.userId, at, mark, 3000);
    const dropped = await msUntilLeave(watcher, a.userId, at, mark, graceMs + 3000);
    const silent = await msUntilLeave(watcher, c.userId, at, mark, graceMs + 3000);
    expect(closed.ms).toBeLessThan(Math.min(graceMs, AT_ONCE_MS));
    for (const { ms, left } of [dropped, silent]) {
      expect(left.action).toBe('ConnectionLost');
      expect(ms).toBeGreaterThanOrEqual(graceMs - 20);
      expect(ms).toBeLessThan(graceMs + AT_ONCE_MS);
    }
  });
});

describe('presence: the Qt client (it cannot resume) holds nothing', () => {
  it('killed and logged in again at once, it gets its own name, and no ghost of it is in anyone\'s list', async () => {
    const t = await startTestServer({ ...HOSTS, presenceGraceMs: 60_000 });
    const watcher = await t.join('watcher', WATCHER);
    const first = await qtLogin(t.port, 'Тестер');
    expect(first.authorized.userName).toBe('Тестер');
    const oldId = first.authorized.userId as number;
    await watcher.waitFor(isPresence(oldId));
    const mark = watcher.mark();
    const at = performance.now();
    first.qt.destroy();
    const again = await qtLogin(t.port, 'Тестер');
    expect(again.authorized.userName).toBe('Тестер');
    expect(userNames(again.authorized)).toEqual(['watcher', 'Тестер']);
    const { ms, left } = await msUntilLeave(watcher, oldId, at, mark, 3000);
    expect(left.action).toBe('ConnectionLost');
    expect(ms).toBeLessThan(AT_ONCE_MS);
    const newId = again.authorized.userId as number;
    await watcher.waitFor((m) => m.action === 'Connected' && m.userId === newId, 3000, 'the new Тестер', mark);
    // Our client, meanwhile, keeps its own: a newcomer asking for its name still gets a suffix.
    expect((await t.join('Watcher', SUBJECT)).userName).toBe('Watcher (2)');
  });

  it('one that stopped answering is ConnectionLost after the missed pings, and its name is free at once', async () => {
    const intervalMs = 200;
    const t = await startTestServer({ ...HOSTS, pingIntervalMs: intervalMs, presenceGraceMs: 60_000 });
    const watcher = await t.join('watcher', WATCHER);
    const first = await qtLogin(t.port, 'Тестер');
    const oldId = first.authorized.userId as number;
    await watcher.waitFor(isPresence(oldId));
    const mark = watcher.mark();
    await watcher.waitFor(isLeave(oldId), 10 * intervalMs, 'ConnectionLost', mark);
    const again = await qtLogin(t.port, 'Тестер');
    expect(again.authorized.userName).toBe('Тестер');
    expect(userNames(again.authorized)).toEqual(['watcher', 'Тестер']);
  });

  it.each([
    ['--state-file', (dir: string): Partial<ServerConfig> => ({ stateFile: join(dir, 'state.jsonl') })],
    ['--db', (dir: string): Partial<ServerConfig> => ({ dbFile: join(dir, 'chat.db') })],
  ])('after a restart on the same %s it logs in under its own name at once; our clients still get theirs back', async (_name, store) => {
    // No grace: what a restart brings back is the point here, not how long a drop is hidden.
    const config = { ...HOSTS, presenceGraceMs: 0, ...store(tempDir()) };
    const first = await startTestServer(config);
    const ours = await first.join('Аня', WATCHER);
    const token = ours.authorized.sessionToken!;
    const online = await qtLogin(first.port, 'Тестер');
    // One crashed before the restart, one was online through it.
    const crashed = await qtLogin(first.port, 'Крэш');
    const crashedId = crashed.authorized.userId as number;
    crashed.qt.destroy();
    await ours.waitFor(isLeave(crashedId), 3000, 'the crashed Qt client to be gone');
    const closed = first.server.close();
    await online.qt.waitForCloseFrame();
    online.qt.destroy();
    await closed;

    const second = await startTestServer(config);
    const back = await qtLogin(second.port, 'Тестер');
    expect(back.authorized.userName).toBe('Тестер');
    expect(userNames(back.authorized)).toEqual(['Тестер']);
    const backCrashed = await qtLogin(second.port, 'Крэш');
    expect(backCrashed.authorized.userName).toBe('Крэш');
    // Ids still go on after the last one given, Qt clients' too.
    expect(back.authorized.userId as number).toBeGreaterThan(crashedId);
    const resumed = await second.join({ userName: 'x', sessionToken: token }, WATCHER);
    expect(resumed.authorized).toMatchObject({ userId: ours.userId, userName: 'Аня' });
  });
});
