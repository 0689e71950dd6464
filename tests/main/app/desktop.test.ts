import { inflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { aboutText, applicationMenuTemplate } from '../../../src-main/app/menu';
import type { MenuActions } from '../../../src-main/app/menu';
import { dotPng } from '../../../src-main/app/png';
import { spellcheckLanguages } from '../../../src-main/app/spellcheck';
import { AppTray, closeToTray, trayToolTip } from '../../../src-main/app/tray';
import type { TrayDeps } from '../../../src-main/app/tray';
import { FakeBrowserWindow, FakeMenu, FakeTray } from '../../support/fake-electron';
import type { FakeMenuItem } from '../../support/fake-electron';

function menu(platform: NodeJS.Platform, isDevelopment = false, hosting = false) {
  const clicked: string[] = [];
  const actions: MenuActions = {
    openConnectDialog: () => clicked.push('connect'),
    toggleHosting: () => clicked.push('host'),
    showAbout: () => clicked.push('about'),
  };
  const built = FakeMenu.buildFromTemplate(applicationMenuTemplate({ platform, isDevelopment, appName: 'SimpleChat', hosting, actions }) as FakeMenuItem[]);
  return { built, clicked, roles: built.all().map((i) => i.role).filter(Boolean) };
}

describe('the application menu', () => {
  it('has our commands with accelerators, and they act', () => {
    const { built, clicked } = menu('linux');
    expect(built.find('connect')).toMatchObject({ label: 'Connect to a Server…', accelerator: 'CmdOrCtrl+Shift+K' });
    expect(built.find('host')).toMatchObject({ label: 'Host a Room', accelerator: 'CmdOrCtrl+Shift+H' });
    for (const id of ['connect', 'host', 'about']) built.find(id)!.click!();
    expect(clicked).toEqual(['connect', 'host', 'about']);
    expect(menu('linux', false, true).built.find('host')!.label).toBe('Stop Hosting the Room');
  });

  it('uses the standard roles: edit (copy/paste), zoom, window, quit', () => {
    const { roles } = menu('win32');
    expect(roles).toEqual(expect.arrayContaining(['quit', 'editMenu', 'windowMenu', 'resetZoom', 'zoomIn', 'zoomOut', 'togglefullscreen']));
    expect(menu('darwin').roles).toEqual(expect.arrayContaining(['services', 'hide', 'quit', 'editMenu']));
  });

  it('offers dev tools and reload only in development', () => {
    expect(menu('linux', false).roles).not.toContain('toggleDevTools');
    expect(menu('linux', false).roles).not.toContain('reload');
    expect(menu('linux', true).roles).toEqual(expect.arrayContaining(['toggleDevTools', 'reload']));
  });

  it('About says the version', () => {
    const text = aboutText('SimpleChat', '1.2.3', { electron: '45.5.0', chrome: '140', node: '22' });
    expect(text.message).toBe('SimpleChat 1.2.3');
    expect(text.detail).toContain('Electron 45.5.0');
  });
});

function tray(platform: NodeJS.Platform = 'linux') {
  const calls: string[] = [];
  const deps: TrayDeps = {
    createTray: () => new FakeTray('icon') as never,
    buildMenu: (template) => FakeMenu.buildFromTemplate(template as FakeMenuItem[]),
    showWindow: () => calls.push('show'),
    quit: () => calls.push('quit'),
    platform,
    appName: 'SimpleChat',
  };
  const appTray = new AppTray(deps);
  return { appTray, icon: FakeTray.instances.at(-1)!, calls };
}

describe('the tray', () => {
  it('shows the unread count in its tooltip and menu, and clears it', () => {
    const { appTray, icon } = tray();
    expect(icon.toolTip).toBe('SimpleChat');
    appTray.setUnread(4);
    expect(icon.toolTip).toBe('SimpleChat — 4 unread');
    expect(icon.menu!.find('show')!.label).toBe('Show SimpleChat (4 unread)');
    appTray.setUnread(0);
    expect(icon.toolTip).toBe('SimpleChat');
    expect(trayToolTip('SimpleChat', 5000)).toBe('SimpleChat — 999+ unread');
  });

  it('its menu shows the window and quits; a click shows the window (not on macOS)', () => {
    const { icon, calls } = tray();
    icon.menu!.find('show')!.click!();
    icon.menu!.find('quit')!.click!();
    icon.emit('click');
    expect(calls).toEqual(['show', 'quit', 'show']);
    const mac = tray('darwin');
    mac.icon.emit('click');
    expect(mac.calls).toEqual([]);
    mac.appTray.setUnread(2);
    expect(mac.icon.title).toBe('2');
  });
});

describe('close to tray', () => {
  function setUp(enabled: boolean) {
    const window = new FakeBrowserWindow();
    const state = { enabled, quitting: false, noticeShown: false, notices: 0 };
    closeToTray(window, {
      closeToTray: () => state.enabled,
      quitting: () => state.quitting,
      noticeShown: () => state.noticeShown,
      showNotice: () => {
        state.notices++;
        state.noticeShown = true;
      },
    });
    return { window, state };
  }

  it('off (the default): closing closes', () => {
    const { window, state } = setUp(false);
    window.close();
    expect(window.isDestroyed()).toBe(true);
    expect(state.notices).toBe(0);
  });

  it('on: closing hides the window, with the notice the first time only', () => {
    const { window, state } = setUp(true);
    window.show();
    window.close();
    expect(window.isDestroyed()).toBe(false);
    expect(window.isVisible()).toBe(false);
    window.show();
    window.close();
    expect(state.notices).toBe(1);
    state.quitting = true;
    window.close();
    expect(window.isDestroyed()).toBe(true);
  });
});

describe('spellcheck languages', () => {
  const available = ['en-GB', 'en-US', 'de', 'ru', 'pt-BR'];
  it('follow the UI language', () => {
    expect(spellcheckLanguages('ru', ['en-US'], available)).toEqual(['ru']);
    expect(spellcheckLanguages('en', ['ru-RU'], available)).toEqual(['en-US']);
  });
  it('auto: the system languages that have dictionaries, at most three', () => {
    expect(spellcheckLanguages('auto', ['ru-RU', 'en-GB', 'fr-FR'], available)).toEqual(['ru', 'en-GB']);
    expect(spellcheckLanguages('auto', ['pt-PT', 'de-AT', 'en-US', 'ru'], available)).toEqual(['pt-BR', 'de', 'en-US']);
    expect(spellcheckLanguages('auto', ['ja-JP'], available)).toEqual(['en-US']);
    expect(spellcheckLanguages('auto', ['ja-JP'], [])).toEqual([]);
  });
});

describe('the unread dot', () => {
  it('is a valid PNG of the size asked, red in the middle and clear in the corner', () => {
    const png = dotPng(16, [229, 57, 53]);
    expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    expect(png.readUInt32BE(16)).toBe(16);
    expect(png.readUInt32BE(20)).toBe(16);
    const idatLength = png.readUInt32BE(33);
    expect(png.toString('latin1', 37, 41)).toBe('IDAT');
    const raw = inflateSync(png.subarray(41, 41 + idatLength));
    const pixel = (x: number, y: number) => [...raw.subarray(y * 65 + 1 + x * 4, y * 65 + 1 + x * 4 + 4)];
    expect(pixel(8, 8)).toEqual([229, 57, 53, 255]);
    expect(pixel(0, 0)[3]).toBe(0);
  });
});
