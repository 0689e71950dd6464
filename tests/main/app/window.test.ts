import { afterEach, describe, expect, it, vi } from 'vitest';
import type { WindowState } from '../../../src-shared/bridge';
import { RENDERER_ENTRY_URL } from '../../../src-main/app/security';
import { createMainWindow, lockDownPermissions, mainWindowOptions } from '../../../src-main/app/window';
import type { MainWindowDeps } from '../../../src-main/app/window';
import { restoreBounds, trackWindowState } from '../../../src-main/app/window-state';
import { FakeBrowserWindow, FakeSession, FakeWebContents, createFakeElectron } from '../../support/fake-electron';

const centred = { width: 900, height: 600, maximized: false };

function openWindow(bounds = centred) {
  const electron = createFakeElectron();
  const window = createMainWindow({
    BrowserWindow: electron.BrowserWindow as unknown as MainWindowDeps['BrowserWindow'],
    openExternal: (url) => electron.shell.openExternal(url),
    preloadPath: '/app/dist/preload/preload.cjs',
    bounds,
  }) as unknown as FakeBrowserWindow;
  return { electron, window };
}

describe('the main window', () => {
  it('is isolated, sandboxed, without Node, with web security and our preload', () => {
    const { window } = openWindow();
    const prefs = window.options.webPreferences as Record<string, unknown>;
    expect(prefs).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      preload: '/app/dist/preload/preload.cjs',
    });
    expect(window.options.show).toBe(false);
    expect(window.loadedUrl).toBe(RENDERER_ENTRY_URL);
  });

  it('shows itself when ready, maximised if it was', () => {
    const { window } = openWindow({ ...centred, maximized: true });
    expect(window.isVisible()).toBe(false);
    window.emit('ready-to-show');
    expect(window.calls).toEqual(['maximize', 'show']);
  });

  it('denies navigation and opens only http(s) links in the system browser', () => {
    const { electron, window } = openWindow();
    expect(window.webContents.tryNavigate('https://example.com/page')).toBe(true);
    expect(window.webContents.tryNavigate('file:///etc/passwd')).toBe(true);
    expect(window.webContents.tryNavigate('javascript:alert(1)')).toBe(true);
    expect(electron.shell.opened).toEqual(['https://example.com/page']);
  });

  it('denies every new window, passing http(s) ones to the system browser', () => {
    const { electron, window } = openWindow();
    const handler = window.webContents.windowOpenHandler!;
    expect(handler({ url: 'http://example.com' })).toEqual({ action: 'deny' });
    expect(handler({ url: 'smb://host/share' })).toEqual({ action: 'deny' });
    expect(handler({ url: 'https://a@b.example' })).toEqual({ action: 'deny' });
    expect(electron.shell.opened).toEqual(['http://example.com/']);
  });

  it('refuses redirects and webviews', () => {
    const { window } = openWindow();
    for (const event of ['will-redirect', 'will-attach-webview']) {
      const preventDefault = vi.fn();
      window.webContents.emit(event, { preventDefault });
      expect(preventDefault, event).toHaveBeenCalled();
    }
  });

  it('places the window where it was, or centres it', () => {
    expect(mainWindowOptions('p', { ...centred, x: 10, y: 20 })).toMatchObject({ x: 10, y: 20 });
    const centredOptions = mainWindowOptions('p', centred);
    expect(centredOptions.center).toBe(true);
    expect(centredOptions.x).toBeUndefined();
  });
});

describe('permissions', () => {
  it('grants notifications to our page only, and nothing else to anyone', async () => {
    const session = new FakeSession();
    const ours = new FakeWebContents();
    const other = new FakeWebContents();
    lockDownPermissions(session as never, (contents) => contents === (ours as never));
    expect(await session.request(ours, 'notifications')).toBe(true);
    expect(await session.request(other, 'notifications')).toBe(false);
    for (const permission of ['media', 'geolocation', 'clipboard-read', 'openExternal', 'pointerLock']) {
      expect(await session.request(ours, permission), permission).toBe(false);
    }
    expect(session.permissionCheckHandler!(ours, 'notifications')).toBe(true);
    expect(session.permissionCheckHandler!(ours, 'media')).toBe(false);
    expect(session.permissionCheckHandler!(null, 'notifications')).toBe(false);
  });
});

describe('window state', () => {
  const display = { x: 0, y: 0, width: 1920, height: 1040 };
  const second = { x: 1920, y: 0, width: 1280, height: 1000 };
  const saved = (x: number | null, y: number | null, width = 900, height = 600): WindowState => ({ x, y, width, height, maximized: false });

  it('keeps a position that is on a display', () => {
    expect(restoreBounds(saved(100, 50), [display])).toEqual({ x: 100, y: 50, width: 900, height: 600, maximized: false });
    expect(restoreBounds(saved(2000, 100), [display, second])).toMatchObject({ x: 2000, y: 100 });
  });

  it('drops a position off every display (a monitor unplugged), so the system centres it', () => {
    for (const [x, y] of [[2000, 100], [-5000, 0], [100, 3000], [100, -590], [1900, 100]]) {
      const restored = restoreBounds(saved(x!, y!), [display]);
      expect(restored.x, `${x},${y}`).toBeUndefined();
      expect(restored.y).toBeUndefined();
    }
  });

  it('shrinks a window bigger than the largest display', () => {
    expect(restoreBounds(saved(0, 0, 5000, 4000), [display, second])).toMatchObject({ width: 1920, height: 1040 });
    expect(restoreBounds(saved(null, null), [])).toEqual({ width: 900, height: 600, maximized: false });
  });

  afterEach(() => {
    vi.useRealTimers();
  });

  it('saves the normal bounds after moves settle, and at once on close', () => {
    vi.useFakeTimers();
    const window = new FakeBrowserWindow({ x: 10, y: 10, width: 800, height: 600 });
    const saves: WindowState[] = [];
    trackWindowState(window, (state) => saves.push(state), 500);
    window.setBounds({ x: 20 });
    window.setBounds({ x: 30 });
    vi.advanceTimersByTime(499);
    expect(saves).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(saves).toEqual([{ x: 30, y: 10, width: 800, height: 600, maximized: false }]);
    window.maximize();
    window.setBounds({ width: 100 });
    window.close();
    expect(saves.at(-1)).toEqual({ x: 30, y: 10, width: 200, height: 600, maximized: true });
    vi.advanceTimersByTime(1000);
    expect(saves).toHaveLength(2);
  });
});
