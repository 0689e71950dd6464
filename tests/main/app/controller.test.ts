import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { validateSettingsPatch } from '../../../src-shared/bridge';
import type { ConnectRequest, ConnectionStatus, HostRequest, HostingStatus, Settings } from '../../../src-shared/bridge';
import { ChatController } from '../../../src-main/app/controller';
import type { HostPort, SessionPort } from '../../../src-main/app/controller';
import { JsonFileSettingsStore } from '../../../src-main/app/settings-file';

/** A session that records what it is told. */
function fakeSession() {
  const calls: string[] = [];
  const connects: ConnectRequest[] = [];
  let status: ConnectionStatus = { state: 'idle' };
  const session = {
    get status() {
      return status;
    },
    connect(request: ConnectRequest) {
      connects.push(request);
      calls.push('connect');
      status = { state: 'connecting', url: 'ws://x', attempt: 0 };
    },
    disconnect() {
      calls.push('disconnect');
      status = { state: 'closed', reason: 'Disconnected.', byUser: true };
    },
    send() {
      calls.push('send');
    },
    cancelPending() {
      calls.push('cancelPending');
      return false;
    },
    reconnectNow() {
      calls.push('reconnectNow');
    },
    on() {
      return () => {};
    },
  } as unknown as SessionPort;
  return { session, calls, connects };
}

function fakeHost(): HostPort & { starts: HostRequest[]; stops: number } {
  let status: HostingStatus = { state: 'stopped' };
  return {
    starts: [],
    stops: 0,
    get status() {
      return status;
    },
    get port() {
      return status.state === 'running' ? status.port : null;
    },
    async start(request) {
      this.starts.push(request);
      status = { state: 'running', port: request.port, addresses: [], webUrls: [], locked: false };
      return status;
    },
    async stop() {
      this.stops++;
      status = { state: 'stopped' };
    },
  };
}

/** The install's lasting identity, proven at every login (made at the first start). */
const SECRET = expect.stringMatching(/^[A-Za-z0-9_-]{43}$/);

function setUp(saved: Partial<Settings> = {}) {
  const settings = new JsonFileSettingsStore(join(mkdtempSync(join(tmpdir(), 'simplechat-ctl-')), 'settings.json'));
  settings.update(saved);
  const { session, calls, connects } = fakeSession();
  const host = fakeHost();
  const controller = new ChatController({
    session, host, settings, attention: { request() {}, setUnreadCount() {} }, emit: () => {}, makeRoomKey: () => 'made4you22',
  });
  return { controller, settings, calls, connects, host };
}

describe('the controller at start', () => {
  it('first start (the defaults): makes a room key, hosts on 27800 for the local network, joins over loopback', async () => {
    const { controller, host, connects, settings } = setUp();
    await controller.start();
    expect(host.starts).toEqual([{ port: 27800, roomKey: 'made4you22' }]);
    expect(connects).toEqual([{ server: '127.0.0.1', port: 27800, userName: '', userColor: '#34495e', gender: 0, roomKey: 'made4you22', identity: SECRET }]);
    expect(settings.get()).toMatchObject({ roomKey: 'made4you22', roomOpen: false, allowInternet: false });
  });

  it('makes the lasting identity once, proves it at every login, and never shows it to the renderer (which may not set it)', async () => {
    const { controller, settings, connects } = setUp({ hostRoom: false, server: 'chat.example', port: 9000, userName: 'Ann' });
    const secret = settings.get().identitySecret;
    expect(secret).toEqual(SECRET);
    await controller.start();
    await controller.connect({ server: 'other.example', port: 9001, userName: 'Ann', userColor: '#abc', gender: 0, identity: 'x'.repeat(43) });
    expect(connects.map((c) => c.identity)).toEqual([secret, secret]);
    expect((await controller.getSettings()).identitySecret).toBe('');
    expect((await controller.saveSettings({ language: 'ru' })).identitySecret).toBe('');
    expect(validateSettingsPatch({ identitySecret: 'y'.repeat(43) })).toMatch(/read-only setting: identitySecret/);
    // The same install after a restart: the same identity.
    const again = new ChatController({
      session: fakeSession().session, host: fakeHost(), settings, attention: { request() {}, setUnreadCount() {} }, emit: () => {},
    });
    await again.getSettings();
    expect(settings.get().identitySecret).toBe(secret);
  });

  it('makes the key before anything runs, so the page never reads settings without one', () => {
    const { settings } = setUp();
    expect(settings.get().roomKey).toBe('made4you22');
  });

  it('keeps a room the user opened on purpose open, and one allowed the internet so', async () => {
    const { controller, host } = setUp({ roomOpen: true, allowInternet: true });
    await controller.start();
    expect(host.starts).toEqual([{ port: 27800, allowInternet: true }]);
  });

  it('a room hosted without a key on request is remembered as open; with one, not', async () => {
    const { controller, settings } = setUp();
    await controller.hostRoom({ port: 27800 });
    expect(settings.get()).toMatchObject({ roomOpen: true, roomKey: '' });
    await controller.hostRoom({ port: 27800, roomKey: 'k' });
    expect(settings.get()).toMatchObject({ roomOpen: false, roomKey: 'k' });
  });

  it('goes back to the last server with the key saved for that server only', async () => {
    const { controller, connects } = setUp({
      hostRoom: false, server: 'Chat.Example', port: 9000, userName: 'Ann', roomKey: 'hosted', roomKeys: { 'chat.example:9000': 'k9', 'evil.example:9000': 'x' },
    });
    await controller.start();
    expect(connects).toEqual([{ server: 'Chat.Example', port: 9000, userName: 'Ann', userColor: '#34495e', gender: 0, roomKey: 'k9', identity: SECRET }]);
  });

  it('hosts with the saved port and key, as the saved person (the key is not replaced)', async () => {
    const { controller, host, connects } = setUp({ hostPort: 30000, roomKey: 'secret', userName: 'Ann', userColor: '#abc', gender: 2 });
    await controller.start();
    expect(host.starts).toEqual([{ port: 30000, roomKey: 'secret' }]);
    expect(connects).toEqual([{ server: '127.0.0.1', port: 30000, userName: 'Ann', userColor: '#abc', gender: 2, roomKey: 'secret', identity: SECRET }]);
  });

  it('not hosting: goes back to the last server, if the user has joined one before', async () => {
    const joined = setUp({ hostRoom: false, server: 'chat.example', port: 9000, userName: 'Ann', roomKey: 'hosted' });
    await joined.controller.start();
    expect(joined.connects).toEqual([{ server: 'chat.example', port: 9000, userName: 'Ann', userColor: '#34495e', gender: 0, identity: SECRET }]);
    const never = setUp({ hostRoom: false });
    await never.controller.start();
    expect(never.connects).toEqual([]);
  });
});

describe('the controller on commands', () => {
  it('joining the own room does not replace the saved server; joining elsewhere does', async () => {
    const { controller, settings } = setUp({ server: 'chat.example', port: 9000 });
    await controller.hostRoom({ port: 27800 });
    await controller.connect({ server: 'localhost', port: 27800, userName: ' Ann!! ', userColor: '#123', gender: 1 });
    expect(settings.get()).toMatchObject({ server: 'chat.example', port: 9000, userName: 'Ann', userColor: '#123', gender: 1, hostRoom: true });
    await controller.connect({ server: 'other.example', port: 1234, userName: 'Ann', userColor: '#123', gender: 1 });
    expect(settings.get()).toMatchObject({ server: 'other.example', port: 1234, hostRoom: false });
  });

  it('stopping the room leaves it first, so our session does not chase it', async () => {
    const { controller, calls, host, settings } = setUp();
    await controller.hostRoom({ port: 27800 });
    await controller.stopHosting();
    expect(calls).toEqual(['connect', 'disconnect']);
    expect(host.stops).toBe(1);
    expect(settings.get().hostRoom).toBe(false);
  });

  it('hosting again with the same room does not rejoin', async () => {
    const { controller, calls } = setUp();
    await controller.hostRoom({ port: 27800 });
    await controller.hostRoom({ port: 27800 });
    expect(calls).toEqual(['connect']);
  });

  it('wake asks the session to reconnect now; shutdown leaves and closes the room', async () => {
    const { controller, calls, host } = setUp();
    controller.wake();
    await controller.shutdown();
    expect(calls).toEqual(['reconnectNow', 'disconnect']);
    expect(host.stops).toBe(1);
  });
});

describe('the controller and buzzes (issue 13 §4)', () => {
  it('tells the session when "Allow buzzes" is off at start, and whenever the setting changes', async () => {
    const settings = new JsonFileSettingsStore(join(mkdtempSync(join(tmpdir(), 'simplechat-ctl-')), 'settings.json'));
    settings.update({ allowBuzz: false });
    const told: boolean[] = [];
    const { session } = fakeSession();
    Object.assign(session, { allowBuzzes: (allow: boolean) => told.push(allow) });
    const controller = new ChatController({
      session, host: fakeHost(), settings, attention: { request() {}, setUnreadCount() {} }, emit: () => {}, makeRoomKey: () => 'made4you22',
    });
    expect(told).toEqual([false]);
    await controller.saveSettings({ allowBuzz: true });
    await controller.saveSettings({ language: 'ru' });
    expect(told).toEqual([false, true]);
    expect(settings.get().allowBuzz).toBe(true);
  });
});

describe('the controller and rooms (issue 13 §6)', () => {
  it('hands joinRoom, leaveRoom, listRooms and a room\'s line and page to the session, and keeps the conversation shown per server', async () => {
    const settings = new JsonFileSettingsStore(join(mkdtempSync(join(tmpdir(), 'simplechat-ctl-')), 'settings.json'));
    const told: unknown[][] = [];
    const { session } = fakeSession();
    Object.assign(session, {
      joinRoom: (...args: unknown[]) => told.push(['joinRoom', ...args]),
      leaveRoom: (...args: unknown[]) => (told.push(['leaveRoom', ...args]), true),
      listRooms: () => (told.push(['listRooms']), false),
      loadOlder: (...args: unknown[]) => (told.push(['loadOlder', ...args]), true),
      send: (...args: unknown[]) => told.push(['send', ...args]),
    });
    const controller = new ChatController({
      session, host: fakeHost(), settings, attention: { request() {}, setUnreadCount() {} }, emit: () => {}, makeRoomKey: () => 'made4you22',
    });
    expect(await controller.joinRoom({ room: 'Ops', key: 'k' })).toBe(true);
    expect(await controller.leaveRoom({ room: 'Ops' })).toBe(true);
    expect(await controller.listRooms()).toBe(false);
    expect(await controller.loadOlder({ before: 9, limit: 20, room: 'Ops' })).toBe(true);
    await controller.send({ text: 'hi', toUserId: 0, room: 'Ops' });
    expect(told).toEqual([
      ['joinRoom', 'Ops', 'k'],
      ['leaveRoom', 'Ops'],
      ['listRooms'],
      ['loadOlder', 9, 20, 'Ops'],
      ['send', { text: 'hi', toUserId: 0, room: 'Ops' }],
    ]);
    await controller.saveSettings(validateSettingsPatch({ conversations: { 'ws://127.0.0.1:27800/': 'room:Ops' } }) as never);
    expect(settings.get().conversations).toEqual({ 'ws://127.0.0.1:27800/': 'room:Ops' });
    expect(typeof validateSettingsPatch({ conversations: { 'ws://x/': '' } })).toBe('string');
  });
});
