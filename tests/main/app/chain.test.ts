import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { WebSocket } from 'ws';
import { EVENT_NAMES } from '../../../src-shared/bridge';
import type { BridgeEvents, ChatBridge, ConnectionStatus, EventName, HostingStatus } from '../../../src-shared/bridge';
import type { Identity, ServerMessage } from '../../../src-shared/protocol';
import { ensureBuilt } from '../../support/build';
import { createAppCore } from '../../../src-main/app/app-core';
import type { AppCore, CoreWindow } from '../../../src-main/app/app-core';
import { startRoomServer } from '../../../src-main/app/room-server';
import { RENDERER_ENTRY_URL } from '../../../src-main/app/security';
import { JsonFileSettingsStore } from '../../../src-main/app/settings-file';
import type { Settings } from '../../../src-shared/bridge';
import { FakeBrowserWindow, createFakeElectron } from '../../support/fake-electron';
import { ROOT, buildPreload, freePort, loadPreload, waitFor } from './helpers';

/*
 * The whole desktop path without Electron: the real preload bundle's window.chat →
 * fake ipcRenderer/ipcMain (structured clone, as Electron) → our IPC wiring → the
 * controller → the real ClientSession over `ws` → a real server on 127.0.0.1.
 */

beforeAll(() => {
  buildPreload();
  ensureBuilt('server');
});

interface App {
  core: AppCore;
  chat: ChatBridge;
  window: FakeBrowserWindow;
  settings: JsonFileSettingsStore;
  events: { [E in EventName]: BridgeEvents[E][] };
  next<E extends EventName, R>(event: E, pick: (payload: BridgeEvents[E]) => R | undefined, what?: string): Promise<R>;
}

const apps: App[] = [];

function startApp(saved: Partial<Settings>): App {
  const electron = createFakeElectron();
  const settings = new JsonFileSettingsStore(join(mkdtempSync(join(tmpdir(), 'simplechat-app-')), 'settings.json'));
  settings.update({ hostRoom: false, userName: '', ...saved });
  const core = createAppCore({
    ipcMain: electron.ipcMain as never,
    settings,
    startServer: (config) => startRoomServer(config),
    createSocket: (url) => new WebSocket(url),
    webRoot: join(ROOT, 'dist/renderer'),
    networkInterfaces: () => ({}),
    listenHosts: ['127.0.0.1'],
    attention: {
      beep: () => electron.shell.beep(),
      notificationsSupported: () => true,
      createNotification: (o) => new electron.Notification(o),
      setBadgeCount: (n) => electron.app.setBadgeCount(n),
    },
  });
  const window = new FakeBrowserWindow();
  void window.loadURL(RENDERER_ENTRY_URL);
  core.attachWindow(window as unknown as CoreWindow);
  const { chat } = loadPreload(window.webContents.connectRenderer(electron.ipcMain));
  const events = Object.fromEntries(EVENT_NAMES.map((name) => [name, []])) as unknown as App['events'];
  for (const name of EVENT_NAMES) chat.on(name, (payload) => (events[name] as unknown[]).push(payload));
  const app: App = {
    core,
    chat,
    window,
    settings,
    events,
    next: (event, pick, what = event) =>
      waitFor((listener) => chat.on(event, listener as never), pick as (v: unknown) => never, 8_000, what),
  };
  apps.push(app);
  return app;
}

afterEach(async () => {
  await Promise.all(apps.splice(0).map((app) => app.core.close()));
});

const authorized = (status: ConnectionStatus): Identity | undefined => (status.state === 'authorized' ? status.self : undefined);
const running = (status: HostingStatus) => (status.state === 'running' ? status : undefined);
const bob = { server: '127.0.0.1', userName: 'Bob', userColor: '#c0392b', gender: 1 } as const;

function publicText(message: ServerMessage): string | undefined {
  return message.action === 'PublicMessage' ? `${message.userName}: ${message.text}` : undefined;
}

describe('two desktop apps, one hosting', () => {
  it('the host opens its room at start and joins it; the other joins; they chat publicly and privately', async () => {
    const port = await freePort();
    const alice = startApp({ hostRoom: true, hostPort: port, roomOpen: true, userName: 'Alice', userColor: '#16a085', gender: 2 });
    const aliceIn = alice.next('status', authorized, 'Alice authorized');
    const hosting = alice.next('hosting', running, 'hosting running');
    alice.window.webContents.finishLoad();
    expect(await hosting).toEqual({ state: 'running', port, addresses: [`ws://127.0.0.1:${port}`], webUrls: [`http://127.0.0.1:${port}/`], locked: false });
    const aliceSelf = await aliceIn;
    expect(aliceSelf).toMatchObject({ userName: 'Alice', userColor: '#16a085', gender: 2 });

    const bobApp = startApp({});
    bobApp.window.webContents.finishLoad();
    const bobIn = bobApp.next('status', authorized, 'Bob authorized');
    const aliceSeesBob = alice.next('message', (m) => (m.action === 'Connected' && m.userName === 'Bob' ? m : undefined), 'Connected Bob');
    await bobApp.chat.connect({ ...bob, port });
    const bobSelf = await bobIn;
    expect(bobSelf).toMatchObject({ userName: 'Bob', userColor: '#c0392b', gender: 1 });
    await aliceSeesBob;
    const authorizedMessage = bobApp.events.message.find((m) => m.action === 'Authorized');
    expect(authorizedMessage?.action === 'Authorized' && authorizedMessage.users.map((u) => u.userName).sort()).toEqual(['Alice', 'Bob']);

    const aliceHears = alice.next('message', publicText, 'public message');
    const bobHearsEcho = bobApp.next('message', publicText, 'echo');
    await bobApp.chat.send({ text: 'hello <Alice> & all', toUserId: 0 });
    expect(await aliceHears).toBe('Bob: hello &lt;Alice&gt; &amp; all');
    expect(await bobHearsEcho).toBe('Bob: hello &lt;Alice&gt; &amp; all');

    const bobGetsPrivate = bobApp.next('message', (m) => (m.action === 'PrivateMessage' ? m : undefined), 'private');
    await alice.chat.send({ text: 'just you', toUserId: bobSelf.userId });
    expect(await bobGetsPrivate).toMatchObject({ userName: 'Alice', toUserId: bobSelf.userId, text: 'just you' });

    // Identity and the last server are remembered.
    expect(bobApp.settings.get()).toMatchObject({ userName: 'Bob', userColor: '#c0392b', gender: 1, server: '127.0.0.1', port, hostRoom: false });
    expect(alice.settings.get()).toMatchObject({ hostRoom: true, hostPort: port });
  });

  it('stopping the room closes it for everyone; hosting again lets them back in', async () => {
    const port = await freePort();
    const alice = startApp({ userName: 'Alice' });
    alice.window.webContents.finishLoad();
    const aliceIn = alice.next('status', authorized, 'Alice authorized');
    expect(await alice.chat.hostRoom({ port })).toMatchObject({ state: 'running', port });
    await aliceIn;

    const bobApp = startApp({});
    bobApp.window.webContents.finishLoad();
    const bobIn = bobApp.next('status', authorized);
    await bobApp.chat.connect({ ...bob, port });
    await bobIn;

    const bobLoses = bobApp.next('status', (s) => (s.state === 'reconnecting' ? s : undefined), 'Bob reconnecting');
    const aliceLeaves = alice.next('status', (s) => (s.state === 'closed' ? s : undefined), 'Alice closed');
    await alice.chat.stopHosting();
    expect(await aliceLeaves).toMatchObject({ state: 'closed', byUser: true });
    expect((await bobLoses).reason).toMatch(/.+/);
    expect(alice.events.hosting.at(-1)).toEqual({ state: 'stopped' });
    expect(alice.settings.get().hostRoom).toBe(false);

    const bobBack = bobApp.next('status', authorized, 'Bob back');
    expect(await alice.chat.hostRoom({ port })).toMatchObject({ state: 'running' });
    expect(await bobBack).toMatchObject({ userName: 'Bob' });
  });

  it('a port in use is a failed hosting status in the UI, and the app keeps working', async () => {
    const port = await freePort();
    const first = startApp({ userName: 'First' });
    first.window.webContents.finishLoad();
    expect(await first.chat.hostRoom({ port })).toMatchObject({ state: 'running' });

    const second = startApp({ userName: 'Second' });
    second.window.webContents.finishLoad();
    const failed = await second.chat.hostRoom({ port });
    expect(failed).toMatchObject({ state: 'failed', port });
    expect(failed.state === 'failed' && failed.message).toMatch(new RegExp(`Port ${port} is already in use`));
    expect(second.events.hosting.map((h) => h.state)).toEqual(['starting', 'failed']);
    expect(second.settings.get().hostRoom).toBe(false);

    // Still alive: it can join the room that holds the port.
    const secondIn = second.next('status', authorized);
    await second.chat.connect({ ...bob, userName: 'Second', port });
    expect(await secondIn).toMatchObject({ userName: 'Second' });
  });

  it('a room with a key lets in only those who have it', async () => {
    const port = await freePort();
    const host = startApp({ userName: 'Host' });
    host.window.webContents.finishLoad();
    const hostIn = host.next('status', authorized, 'host authorized');
    expect(await host.chat.hostRoom({ port, roomKey: 'office key' })).toMatchObject({ state: 'running' });
    await hostIn;

    const guest = startApp({});
    guest.window.webContents.finishLoad();
    const refused = guest.next('status', (s) => (s.state === 'closed' ? s : undefined), 'refused');
    await guest.chat.connect({ ...bob, port, roomKey: 'wrong' });
    expect(await refused).toMatchObject({ state: 'closed', byUser: false });
    const admitted = guest.next('status', authorized, 'admitted');
    await guest.chat.connect({ ...bob, port, roomKey: 'office key' });
    expect(await admitted).toMatchObject({ userName: 'Bob' });
  });

  it('invalid calls from the page are refused with a clear error and change nothing', async () => {
    const app = startApp({});
    app.window.webContents.finishLoad();
    await expect(app.chat.hostRoom({ port: 99999 })).rejects.toThrow(/chat\.hostRoom: port must be an integer from 1 to 65535/);
    await expect(app.chat.saveSettings({ hostPort: 0 })).rejects.toThrow(/invalid value for hostPort/);
    expect(app.events.hosting).toEqual([]);
    expect(await app.chat.saveSettings({ language: 'ru' })).toMatchObject({ language: 'ru' });
  });
});

describe('a server that dies', () => {
  let server: ChildProcess | undefined;

  async function runServer(port: number): Promise<{ child: ChildProcess; port: number }> {
    const child = spawn(process.execPath, [join(ROOT, 'dist/server/cli.js'), '--host', '127.0.0.1', '--port', String(port), '--no-web-root'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    server = child;
    const line = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('the server did not start')), 8_000);
      child.once('exit', (code) => reject(new Error(`the server exited with ${code}`)));
      createInterface({ input: child.stdout! }).once('line', (first) => {
        clearTimeout(timer);
        resolve(first);
      });
    });
    const match = /listening on ws:\/\/127\.0\.0\.1:(\d+)$/.exec(line);
    if (!match) throw new Error(`unexpected first line: ${line}`);
    return { child, port: Number(match[1]) };
  }

  afterEach(() => {
    server?.kill('SIGKILL');
  });

  it('killed and restarted: the session reconnects and logs in again as the same person', async () => {
    const first = await runServer(0);
    const app = startApp({});
    app.window.webContents.finishLoad();
    const inOnce = app.next('status', authorized);
    await app.chat.connect({ ...bob, port: first.port });
    const before = await inOnce;

    const lost = app.next('status', (s) => (s.state === 'reconnecting' ? s : undefined), 'reconnecting');
    const exited = new Promise((resolve) => first.child.once('exit', resolve));
    first.child.kill('SIGKILL');
    await exited;
    const reconnecting = await lost;
    expect(reconnecting.attempt).toBe(1);
    expect(reconnecting.delayMs).toBeGreaterThanOrEqual(1_000);

    // Typed while the server is down: it waits in the outbox, and can be taken back.
    const queued = app.next('outbox', (pending) => (pending.length === 2 ? pending : undefined), 'two pending');
    await app.chat.send({ text: 'typed during the outage', toUserId: 0 });
    await app.chat.send({ text: 'never mind', toUserId: 0 });
    const [kept, dropped] = await queued;
    expect(kept).toMatchObject({ text: 'typed during the outage', sending: false });
    expect(await app.chat.cancelPending(dropped!.id)).toBe(true);
    expect(await app.chat.cancelPending(dropped!.id)).toBe(false);
    expect(app.events.outbox.at(-1)!.map((p) => p.text)).toEqual(['typed during the outage']);

    await runServer(first.port);
    const back = app.next('status', authorized, 'authorized again');
    const delivered = app.next('message', (m) => (m.action === 'PublicMessage' && m.text === 'typed during the outage' ? m : undefined), 'queued message delivered');
    // Waking from sleep (powerMonitor 'resume') tries at once instead of waiting out the backoff.
    app.core.controller.wake();
    expect(app.events.status.at(-1)).toMatchObject({ state: 'connecting' });
    const after = await back;
    expect(after).toMatchObject({ userName: before.userName, userColor: before.userColor, gender: before.gender });
    const logins = app.events.message.filter((m) => m.action === 'Authorized');
    expect(logins).toHaveLength(2);
    expect(await delivered).toMatchObject({ userName: 'Bob' });
    // The echo confirmed it: nothing is pending any more.
    await vi.waitFor(() => expect(app.events.outbox.at(-1)).toEqual([]), { timeout: 5_000 });
    expect(app.events.message.some((m) => m.action === 'PublicMessage' && m.text === 'never mind')).toBe(false);
  });
});

describe('history, edits and replies through the desktop bridge (issue 12)', () => {
  it('pages back, edits, replies and deletes over preload, IPC, the controller and the session', async () => {
    const port = await freePort();
    const host = startApp({ hostRoom: true, hostPort: port, roomOpen: true, userName: 'Host', userColor: '#16a085', gender: 2 });
    const hostIn = host.next('status', authorized, 'Host authorized');
    host.window.webContents.finishLoad();
    await hostIn;
    const said = host.next('message', (m) => (m.action === 'PublicMessage' && m.text === 'line 3' ? m : undefined), 'line 3');
    for (const text of ['line 1', 'line 2', 'line 3']) await host.chat.send({ text, toUserId: 0 });
    const third = await said;

    const reader = startApp({});
    reader.window.webContents.finishLoad();
    const readerIn = reader.next('status', authorized, 'Reader authorized');
    const joinHistory = reader.next('message', (m) => (m.action === 'History' ? m : undefined), 'the History of the login');
    await reader.chat.connect({ ...bob, userName: 'Reader', port });
    await readerIn;
    expect((await joinHistory).messages.map((m) => m.text)).toEqual(['line 1', 'line 2', 'line 3']);

    const page = reader.next('olderHistory', (p) => p, 'the older page');
    expect(await reader.chat.loadOlder({ before: third.messageId!, limit: 50 })).toBe(true);
    expect(await page).toMatchObject({ ok: true, before: third.messageId, hasMore: false });
    const older = reader.events.olderHistory.at(-1)!;
    expect(older.ok && older.messages.map((m) => m.text)).toEqual(['line 1', 'line 2']);
    await expect(reader.chat.loadOlder({ before: 0, limit: 50 })).rejects.toThrow(/before must be a message id/);

    const edited = reader.next('message', (m) => (m.action === 'MessageEdited' ? m : undefined), 'MessageEdited');
    expect(await host.chat.editMessage({ messageId: third.messageId!, text: 'line three' })).toBe(true);
    expect(await edited).toMatchObject({ messageId: third.messageId, text: 'line three' });

    const reply = host.next('message', (m) => (m.action === 'PublicMessage' && m.text === 'quoting' ? m : undefined), 'the reply');
    await reader.chat.send({ text: 'quoting', toUserId: 0, replyTo: third.messageId! });
    expect((await reply).replyTo).toMatchObject({ messageId: third.messageId, userName: 'Host', excerpt: 'line three' });

    const deleted = reader.next('message', (m) => (m.action === 'MessageDeleted' ? m : undefined), 'MessageDeleted');
    expect(await host.chat.deleteMessage({ messageId: third.messageId! })).toBe(true);
    expect(await deleted).toEqual({ action: 'MessageDeleted', messageId: third.messageId });
  });
});
