import type { MenuItemConstructorOptions } from 'electron';

/*
 * The application menu: the usual roles (so copy/paste, zoom and the system
 * accelerators behave as on any app of the platform) plus our own commands.
 */

export interface MenuActions {
  openConnectDialog(): void;
  toggleHosting(): void;
  showAbout(): void;
}

export interface MenuOptions {
  platform: NodeJS.Platform;
  /** Dev tools and reload only while developing. */
  isDevelopment: boolean;
  appName: string;
  hosting: boolean;
  actions: MenuActions;
}

export function applicationMenuTemplate(options: MenuOptions): MenuItemConstructorOptions[] {
  const { platform, isDevelopment, appName, hosting, actions } = options;
  const mac = platform === 'darwin';
  const chat: MenuItemConstructorOptions = {
    label: mac ? 'Chat' : '&Chat',
    submenu: [
      { id: 'connect', label: 'Connect to a Server…', accelerator: 'CmdOrCtrl+Shift+K', click: () => actions.openConnectDialog() },
      { id: 'host', label: hosting ? 'Stop Hosting the Room' : 'Host a Room', accelerator: 'CmdOrCtrl+Shift+H', click: () => actions.toggleHosting() },
      ...(mac ? [] : ([{ type: 'separator' }, { role: 'quit', accelerator: 'CmdOrCtrl+Q' }] as MenuItemConstructorOptions[])),
    ],
  };
  const view: MenuItemConstructorOptions = {
    label: mac ? 'View' : '&View',
    submenu: [
      ...(isDevelopment ? ([{ role: 'reload' }, { role: 'toggleDevTools' }, { type: 'separator' }] as MenuItemConstructorOptions[]) : []),
      { role: 'resetZoom' },
      { role: 'zoomIn' },
      { role: 'zoomOut' },
      { type: 'separator' },
      { role: 'togglefullscreen' },
    ],
  };
  const about: MenuItemConstructorOptions = { id: 'about', label: `About ${appName}`, click: () => actions.showAbout() };
  const template: MenuItemConstructorOptions[] = [];
  if (mac) {
    template.push({
      label: appName,
      submenu: [about, { type: 'separator' }, { role: 'services' }, { type: 'separator' }, { role: 'hide' }, { role: 'hideOthers' }, { role: 'unhide' }, { type: 'separator' }, { role: 'quit' }],
    });
  }
  template.push(chat, { role: 'editMenu' }, view, { role: 'windowMenu' });
  if (!mac) template.push({ label: '&Help', submenu: [about] });
  return template;
}

/** The About box's text, for the platforms without a native About panel (Windows). */
export function aboutText(appName: string, version: string, versions: { electron?: string; chrome?: string; node?: string }): { title: string; message: string; detail: string } {
  return {
    title: `About ${appName}`,
    message: `${appName} ${version}`,
    detail: `Electron ${versions.electron ?? '?'} · Chromium ${versions.chrome ?? '?'} · Node.js ${versions.node ?? '?'}\nHost a chat room on your network, or join one.`,
  };
}
