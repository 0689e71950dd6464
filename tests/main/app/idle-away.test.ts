import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import type { ConnectionStatus } from '../../../src-shared/bridge';
import type { Identity, ServerMessage, StatusChangedMessage, UserStatus } from '../../../src-shared/protocol';
import type { OwnStatus } from '../../../src-shared/session';
import { createAppCore } from '../../../src-main/app/app-core';
import type { AppCore } from '../../../src-main/app/app-core';
import { AWAY_AFTER_IDLE_S, IdleAway } from '../../../src-main/app/idle-away';
import { JsonFileSettingsStore } from '../../../src-main/app/settings-file';
import { startChatServer } from '../../../src-main/server';
import type { ChatServer } from '../../../src-main/server';
import { createFakeElectron } from '../../support/fake-electron';
import { ROOT, waitFor } from './helpers';

/*
 * Away after 10 idle minutes (issue 13 §3): IdleAway on its own against the fake
 * electron's powerMonitor, then wired into the app core, seen by another user
 * through a real server.
 */

/** A session stand-in that keeps what it is told. */
function statusSession() {
  const told: OwnStatus[] = [];
  const session = {
    ownStatus: { status: 'online', text: '' } as OwnStatus,
    setStatus(status: UserStatus, text = '') {
      this.ownStatus = { status, text };
      told.push({ status, text });
    },
  };
  return { session, told };
}

describe('IdleAway', () => {
  it('goes away at 10 idle minutes and comes back on activity, keeping the text', () => {
    const electron = createFakeElectron();
    const { session, told } = statusSession();
    session.ownStatus = { status: 'online', text: 'at my desk' };
    const idle = new IdleAway(session, () => electron.powerMonitor.getSystemIdleTime());
    electron.powerMonitor.idleSeconds = AWAY_AFTER_IDLE_S - 1;
    idle.check();
    expect(told).toEqual([]);
    electron.powerMonitor.idleSeconds = AWAY_AFTER_IDLE_S;
    idle.check();
    idle.check();
    expect(told).toEqual([{ status: 'away', text: 'at my desk' }]);
    electron.powerMonitor.idleSeconds = 2;
    idle.check();
    expect(told).toEqual([{ status: 'away', text: 'at my desk' }, { status: 'online', text: 'at my desk' }]);
  });

  it('leaves a status chosen by hand alone, and a choice made while away ends its part', () => {
    const electron = createFakeElectron();
    const { session, told } = statusSession();
    const idle = new IdleAway(session, () => electron.powerMonitor.getSystemIdleTime());
    session.ownStatus = { status: 'working', text: '' };
    electron.powerMonitor.idleSeconds = AWAY_AFTER_IDLE_S * 3;
    idle.check();
    expect(told).toEqual([]);
    session.ownStatus = { status: 'online', text: '' };
    idle.check();
    expect(told).toEqual([{ status: 'away', text: '' }]);
    // The user picks Busy while away; on their return it stays Busy.
    session.setStatus('busy', '');
    electron.powerMonitor.idleSeconds = 0;
    idle.check();
    idle.check();
    expect(told.at(-1)).toEqual({ status: 'busy', text: '' });
    expect(told).toHaveLength(2);
  });

  it('a system that cannot tell its idle time changes nothing', () => {
    const { session, told } = statusSession();
    const idle = new IdleAway(session, () => {
      throw new Error('not supported');
    });
    idle.check();
    expect(told).toEqual([]);
  });
});

describe('idle → away → back, wired into the app', () => {
  let server: ChatServer | undefined;
  const cores: AppCore[] = [];
  afterEach(async () => {
    for (const core of cores.splice(0)) await core.close();
    await server?.close();
  });

  function startCore(userName: string, systemIdleSeconds?: () => number): AppCore {
    const electron = createFakeElectron();
    const settings = new JsonFileSettingsStore(join(mkdtempSync(join(tmpdir(), 'simplechat-idle-')), 'settings.json'));
    settings.update({ hostRoom: false, userName });
    const core = createAppCore({
      ipcMain: electron.ipcMain as never,
      settings,
      startServer: () => Promise.reject(new Error('no hosting here')),
      createSocket: (url) => new WebSocket(url),
      webRoot: join(ROOT, 'dist/renderer'),
      networkInterfaces: () => ({}),
      attention: {
        beep: () => electron.shell.beep(),
        notificationsSupported: () => false,
        createNotification: (o) => new electron.Notification(o),
        setBadgeCount: () => {},
      },
      ...(systemIdleSeconds === undefined ? {} : { idle: { systemIdleSeconds, pollMs: 20 } }),
    });
    cores.push(core);
    return core;
  }

  const statusOf = (core: AppCore, userId: number, status: UserStatus) =>
    waitFor<ServerMessage, StatusChangedMessage>(
      (listener) => core.session.on('message', listener),
      (m) => (m.action === 'StatusChanged' && m.userId === userId && m.status === status ? m : undefined),
      5_000,
      `${status} of #${userId}`,
    );

  const loggedIn = (core: AppCore) =>
    waitFor<ConnectionStatus, Identity>((listener) => core.session.on('status', listener), (s) => (s.state === 'authorized' ? s.self : undefined), 5_000, 'a login');

  it('the other user sees the idle one go away, and come back when it is used again', async () => {
    server = await startChatServer({ host: '127.0.0.1', port: 0 });
    const electron = createFakeElectron();
    const watcher = startCore('Watcher');
    const watching = loggedIn(watcher);
    await watcher.controller.connect({ server: '127.0.0.1', port: server.port, userName: 'Watcher', userColor: '#000000', gender: 0 });
    await watching;
    const idler = startCore('Idler', () => electron.powerMonitor.getSystemIdleTime());
    const logging = loggedIn(idler);
    await idler.controller.connect({ server: '127.0.0.1', port: server.port, userName: 'Idler', userColor: '#000000', gender: 0 });
    const self = await logging;
    const away = statusOf(watcher, self.userId, 'away');
    electron.powerMonitor.idleSeconds = AWAY_AFTER_IDLE_S + 1;
    await away;
    const back = statusOf(watcher, self.userId, 'online');
    electron.powerMonitor.idleSeconds = 0;
    await back;
  });
});
