import { EventEmitter } from 'node:events';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { COMMAND_NAMES, commandChannel, eventChannel } from '../../../src-shared/bridge';
import { APP_ID } from '../../../src-main/app/app-id';
import type { IpcReply } from '../../../src-main/app/ipc';
import { CONTENT_SECURITY_POLICY, RENDERER_ENTRY_URL } from '../../../src-main/app/security';
import { FakeWebContents, createFakeElectron } from '../../support/fake-electron';
import type { FakeBrowserWindow, FakeElectron } from '../../support/fake-electron';

/*
 * main.ts itself, the Electron glue, run against the fake `electron` module: what it
 * registers, the window it opens, and how it answers the app's lifecycle events.
 */

const setup = { appPath: '', userData: '', singleInstance: true };

// electron-store (not mocked: it is a package) imports the real `electron` package,
// whose binary cannot be downloaded here; this makes that import harmless.
process.env.ELECTRON_OVERRIDE_DIST_PATH ??= join(tmpdir(), 'no-electron-binary');

function prepareFolders(settings: Record<string, unknown>): void {
  setup.appPath = mkdtempSync(join(tmpdir(), 'simplechat-apppath-'));
  mkdirSync(join(setup.appPath, 'dist/renderer'), { recursive: true });
  writeFileSync(join(setup.appPath, 'dist/renderer/index.html'), '<!doctype html><title>SimpleChat</title>');
  setup.userData = mkdtempSync(join(tmpdir(), 'simplechat-userdata-'));
  // Not hosting: this test must not open port 27800 on every interface.
  writeFileSync(join(setup.userData, 'settings.json'), JSON.stringify({ hostRoom: false, ...settings }));
}

async function launch(settings: Record<string, unknown> = {}): Promise<{ electron: FakeElectron; window: FakeBrowserWindow | undefined }> {
  // A fresh main.ts and a fresh `electron` for each launch, as each start of the app.
  vi.resetModules();
  prepareFolders(settings);
  const electron = createFakeElectron({ appPath: setup.appPath, userData: setup.userData, singleInstance: setup.singleInstance });
  vi.doMock('electron', () => electron);
  electron.BrowserWindow.instances.length = 0;
  await import('../../../src-main/app/main');
  if (setup.singleInstance) await vi.waitFor(() => expect(electron.BrowserWindow.instances).toHaveLength(1));
  return { electron, window: electron.BrowserWindow.instances[0] };
}

/** A port nobody listens on now: the room's port must be 1–65535, not 0. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
    probe.on('error', reject);
  });
}

function lastEvent(window: FakeBrowserWindow, event: string): unknown {
  return window.webContents.sent.filter((s) => s.channel === eventChannel(event as never)).at(-1)?.args[0];
}

const platform = process.platform;
afterEach(() => {
  Object.defineProperty(process, 'platform', { value: platform });
  setup.singleInstance = true;
  vi.restoreAllMocks();
});

describe('main.ts with a fake electron', () => {
  it('registers our scheme as privileged and serves the renderer through it, with the CSP header', async () => {
    const { electron } = await launch();
    expect(electron.protocol.privileged).toEqual([{ scheme: 'app', privileges: { standard: true, secure: true, supportFetchAPI: true } }]);
    const serve = electron.protocol.handlers.get('app')!;
    const response = await serve(new Request(RENDERER_ENTRY_URL));
    expect(response.status).toBe(200);
    expect(response.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
    expect(await response.text()).toContain('<title>SimpleChat</title>');
  });

  it('opens one locked-down window on our page, with our preload', async () => {
    const { window } = await launch();
    expect(window!.loadedUrl).toBe(RENDERER_ENTRY_URL);
    expect(window!.options.webPreferences).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      preload: join(setup.appPath, 'dist/preload/preload.cjs'),
    });
    expect(window!.webContents.tryNavigate('https://example.com/')).toBe(true);
  });

  it('saves our window’s downloads of lines’ files into Downloads, shows them in the folder, and cancels any other', async () => {
    const { electron, window } = await launch();
    window!.webContents.finishLoad();
    const item = (url: string) =>
      Object.assign(new EventEmitter(), {
        savedTo: null as string | null,
        cancelled: false,
        getURL: () => url,
        getFilename: () => 'shot.png',
        getReceivedBytes: () => 3,
        getTotalBytes: () => 3,
        setSavePath(path: string) {
          this.savedTo = path;
        },
        cancel() {
          this.cancelled = true;
        },
      });
    const downloads = mkdtempSync(join(tmpdir(), 'simplechat-downloads-'));
    const getPath = electron.app.getPath.bind(electron.app);
    vi.spyOn(electron.app, 'getPath').mockImplementation((name: string) => (name === 'downloads' ? downloads : getPath(name)));
    const ours = item('app://simplechat/server-files/AAAAAAAAAAAAAAAAAAAAAA');
    electron.session.defaultSession.emit('will-download', {}, ours, window!.webContents);
    expect(ours.savedTo).toBe(join(downloads, 'shot.png'));
    writeFileSync(ours.savedTo!, 'png');
    ours.emit('done', {}, 'completed');
    expect(lastEvent(window!, 'download')).toMatchObject({ downloadId: 'd1', name: 'shot.png', state: 'completed' });
    const reply = (await window!.webContents.connectRenderer(electron.ipcMain).invoke(commandChannel('showDownload'), 'd1')) as IpcReply;
    expect(reply).toEqual({ ok: true, value: true });
    expect(electron.shell.shownInFolder).toEqual([ours.savedTo]);
    // Another page's download, and a download of anything but a line's file, never start.
    const stranger = item('app://simplechat/server-files/AAAAAAAAAAAAAAAAAAAAAA');
    electron.session.defaultSession.emit('will-download', {}, stranger, new FakeWebContents());
    const other = item('https://example.com/setup.exe');
    electron.session.defaultSession.emit('will-download', {}, other, window!.webContents);
    expect([stranger.cancelled, other.cancelled, stranger.savedTo, other.savedTo]).toEqual([true, true, null, null]);
  });

  it('answers every command, for our window only', async () => {
    const { electron, window } = await launch();
    expect([...electron.ipcMain.handlers.keys()].sort()).toEqual(COMMAND_NAMES.map(commandChannel).sort());
    const ours = window!.webContents.connectRenderer(electron.ipcMain);
    const reply = (await ours.invoke(commandChannel('getSettings'))) as IpcReply;
    expect(reply).toMatchObject({ ok: true, value: { hostRoom: false } });
    const stranger = new FakeWebContents();
    expect(((await stranger.connectRenderer(electron.ipcMain).invoke(commandChannel('getSettings'))) as IpcReply).ok).toBe(false);
  });

  it('grants notifications to our window only', async () => {
    const { electron, window } = await launch();
    const session = electron.session.defaultSession;
    expect(await session.request(window!.webContents, 'notifications')).toBe(true);
    expect(await session.request(window!.webContents, 'media')).toBe(false);
    expect(await session.request({}, 'notifications')).toBe(false);
  });

  it('a hosted room keeps its state file in the user data folder, so a restart of the app loses no one', async () => {
    const { electron, window } = await launch();
    const port = await freePort();
    const ours = window!.webContents.connectRenderer(electron.ipcMain);
    const reply = (await ours.invoke(commandChannel('hostRoom'), { port })) as IpcReply;
    try {
      expect(reply).toMatchObject({ ok: true, value: { state: 'running', port } });
      await vi.waitFor(() => expect(existsSync(join(setup.userData, 'room-state.jsonl'))).toBe(true));
    } finally {
      await ours.invoke(commandChannel('stopHosting'));
    }
  });

  it('with room history off, a hosted room writes nothing to the user data folder', async () => {
    const { electron, window } = await launch({ roomHistory: false });
    const port = await freePort();
    const ours = window!.webContents.connectRenderer(electron.ipcMain);
    const reply = (await ours.invoke(commandChannel('hostRoom'), { port })) as IpcReply;
    try {
      expect(reply).toMatchObject({ ok: true, value: { state: 'running', port } });
    } finally {
      await ours.invoke(commandChannel('stopHosting'));
    }
    expect(readdirSync(setup.userData).filter((f) => f.startsWith('room'))).toEqual([]);
  });

  it('a second launch brings the first window forward', async () => {
    const { electron, window } = await launch();
    window!.minimized = true;
    electron.app.emit('second-instance', {}, ['simplechat'], '/');
    expect(window!.calls).toEqual(expect.arrayContaining(['restore', 'focus']));
    expect(window!.isFocused()).toBe(true);
  });

  it('waking from sleep asks the session to reconnect now', async () => {
    const { electron } = await launch();
    // The session class main.ts loaded (a fresh module registry per launch).
    const { ClientSession } = await import('../../../src-shared/session');
    const reconnectNow = vi.spyOn(ClientSession.prototype, 'reconnectNow');
    electron.powerMonitor.emit('resume');
    expect(reconnectNow).toHaveBeenCalledTimes(1);
  });

  it('quitting waits for the room and the session to close, then quits', async () => {
    const { electron, window } = await launch();
    window!.close();
    electron.app.emit('window-all-closed');
    expect(electron.app.quitCalls).toBe(1);
    await vi.waitFor(() => expect(electron.app.quitCalls).toBe(2));
    expect(electron.ipcMain.handlers.size).toBe(0);
  });

  it('a simplechat:// link from a second launch prefills the connect dialog and brings the window forward', async () => {
    const { electron, window } = await launch();
    window!.webContents.finishLoad();
    window!.minimized = true;
    electron.app.emit('second-instance', {}, ['simplechat', 'simplechat://chat.example:27900?name=Ann&key=k'], '/');
    expect(lastEvent(window!, 'connectLink')).toEqual({ server: 'chat.example', port: 27900, userName: 'Ann', roomKey: 'k' });
    expect(window!.isFocused()).toBe(true);
  });

  it('a hostile link is refused: no event, nothing connects', async () => {
    const { electron, window } = await launch();
    window!.webContents.finishLoad();
    for (const link of ['simplechat://evil@chat.example', 'simplechat://chat.example/../../x', 'simplechat://%00']) {
      electron.app.emit('second-instance', {}, ['simplechat', link], '/');
      electron.app.emit('open-url', { preventDefault() {} }, link);
    }
    expect(lastEvent(window!, 'connectLink')).toBeUndefined();
    expect(lastEvent(window!, 'status')).toBeUndefined();
  });

  it('a link on the command line of the first launch (or from macOS before ready) waits for the page', async () => {
    const argv = process.argv;
    process.argv = [...argv, 'simplechat://[::1]:4000'];
    try {
      const { window } = await launch();
      expect(lastEvent(window!, 'connectLink')).toBeUndefined();
      window!.webContents.finishLoad();
      expect(lastEvent(window!, 'connectLink')).toEqual({ server: '::1', port: 4000 });
    } finally {
      process.argv = argv;
    }
  });

  it('the menu: Connect opens the dialog with the last server; About shows the version', async () => {
    const { electron, window } = await launch();
    window!.webContents.finishLoad();
    const menu = electron.Menu.application!;
    menu.find('connect')!.click!();
    expect(lastEvent(window!, 'connectLink')).toEqual({ server: '127.0.0.1', port: 27800 });
    menu.find('about')!.click!();
    expect(electron.app.aboutPanelShown).toBe(1);
    expect(electron.app.aboutPanelOptions).toMatchObject({ applicationName: 'SimpleChat', applicationVersion: '0.0.0-test' });
  });

  it('the tray shows the unread count the page reports', async () => {
    const { electron, window } = await launch();
    const renderer = window!.webContents.connectRenderer(electron.ipcMain);
    await renderer.invoke(commandChannel('setUnreadCount'), 3);
    const tray = electron.Tray.instances.at(-1)!;
    expect(tray.toolTip).toBe('SimpleChat — 3 unread');
    expect(electron.app.badgeCounts).toEqual([3]);
  });

  it('close to tray (once turned on) hides the window and says so once', async () => {
    const { electron, window } = await launch();
    const renderer = window!.webContents.connectRenderer(electron.ipcMain);
    await renderer.invoke(commandChannel('saveSettings'), { closeToTray: true });
    const notices = electron.Notification.instances.length;
    window!.close();
    window!.close();
    expect(window!.isDestroyed()).toBe(false);
    expect(window!.calls.filter((c) => c === 'hide')).toHaveLength(2);
    expect(electron.Notification.instances.slice(notices).map((n) => n.options.title)).toEqual(['SimpleChat is still running']);
    expect(((await renderer.invoke(commandChannel('getSettings'))) as IpcReply<{ trayNoticeShown: boolean }>)).toMatchObject({ value: { trayNoticeShown: true } });
  });

  it('the spellchecker follows the UI language', async () => {
    const { electron, window } = await launch();
    const languages = electron.session.defaultSession.spellCheckerLanguages;
    expect(languages.at(-1)).toEqual(['en-US']);
    await window!.webContents.connectRenderer(electron.ipcMain).invoke(commandChannel('saveSettings'), { language: 'ru' });
    expect(languages.at(-1)).toEqual(['ru']);
  });

  it('a second instance (on Windows) sets the AppUserModelId, quits, and opens nothing', async () => {
    Object.defineProperty(process, 'platform', { value: 'win32' });
    setup.singleInstance = false;
    const { electron, window } = await launch();
    expect(electron.app.appUserModelId).toBe(APP_ID);
    expect(electron.app.quitCalls).toBe(1);
    expect(window).toBeUndefined();
    expect(electron.ipcMain.handlers.size).toBe(0);
  });
});
