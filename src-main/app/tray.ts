import type { MenuItemConstructorOptions } from 'electron';

/*
 * The tray icon: shows the unread count, brings the window back, quits. With "close
 * to tray" on, closing the window hides it here; the first time, a notice says so.
 */

export interface TrayIcon {
  setToolTip(text: string): void;
  setContextMenu(menu: never): void;
  /** macOS only: text next to the icon in the menu bar. */
  setTitle(title: string): void;
  on(event: 'click', listener: () => void): unknown;
  destroy(): void;
}

export interface TrayDeps {
  createTray(): TrayIcon;
  buildMenu(template: MenuItemConstructorOptions[]): unknown;
  showWindow(): void;
  quit(): void;
  platform: NodeJS.Platform;
  appName: string;
}

export function trayToolTip(appName: string, unread: number): string {
  if (unread === 0) return appName;
  return `${appName} — ${unread > 999 ? '999+' : unread} unread`;
}

export function trayMenuTemplate(appName: string, unread: number, actions: { showWindow(): void; quit(): void }): MenuItemConstructorOptions[] {
  return [
    { id: 'show', label: unread > 0 ? `Show ${appName} (${unread > 999 ? '999+' : unread} unread)` : `Show ${appName}`, click: () => actions.showWindow() },
    { type: 'separator' },
    { id: 'quit', label: `Quit ${appName}`, click: () => actions.quit() },
  ];
}

export class AppTray {
  readonly #deps: TrayDeps;
  readonly #tray: TrayIcon;
  #unread = -1;

  constructor(deps: TrayDeps) {
    this.#deps = deps;
    this.#tray = deps.createTray();
    // Windows and Linux: a click on the icon is "show me the window"; macOS opens the menu.
    this.#tray.on('click', () => {
      if (deps.platform !== 'darwin') deps.showWindow();
    });
    this.setUnread(0);
  }

  setUnread(count: number): void {
    if (count === this.#unread) return;
    this.#unread = count;
    const { appName, platform } = this.#deps;
    this.#tray.setToolTip(trayToolTip(appName, count));
    if (platform === 'darwin') this.#tray.setTitle(count > 0 ? String(count) : '');
    this.#tray.setContextMenu(this.#deps.buildMenu(trayMenuTemplate(appName, count, this.#deps)) as never);
  }

  destroy(): void {
    this.#tray.destroy();
  }
}

/** The part of the window close-to-tray needs. */
export interface HideableWindow {
  hide(): void;
  on(event: 'close', listener: (event: { preventDefault(): void }) => void): unknown;
}

export interface CloseToTrayOptions {
  closeToTray(): boolean;
  /** True once the app is really quitting: then the window closes. */
  quitting(): boolean;
  noticeShown(): boolean;
  /** Show the one-time "still running in the tray" notice, and remember it was shown. */
  showNotice(): void;
}

/** Closing the window hides it instead, while the setting is on and the app is not quitting. */
export function closeToTray(window: HideableWindow, options: CloseToTrayOptions): void {
  window.on('close', (event) => {
    if (options.quitting() || !options.closeToTray()) return;
    event.preventDefault();
    window.hide();
    if (!options.noticeShown()) options.showNotice();
  });
}
