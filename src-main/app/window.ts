import type { BrowserWindow, BrowserWindowConstructorOptions, Session, Shell, WebContents } from 'electron';
import { RENDERER_ENTRY_URL, externalLinkTarget, isPermissionAllowed } from './security';
import type { RestoredBounds } from './window-state';

/*
 * The chat window and its locks: an isolated, sandboxed renderer with no Node, that
 * cannot navigate, open windows, attach webviews or get permissions (notifications
 * aside), and whose http/https links go to the system browser.
 */

export const MIN_WIDTH = 480;
export const MIN_HEIGHT = 360;

export function mainWindowOptions(preloadPath: string, bounds: RestoredBounds, extra: Partial<BrowserWindowConstructorOptions> = {}): BrowserWindowConstructorOptions {
  const options: BrowserWindowConstructorOptions = {
    title: 'SimpleChat',
    width: bounds.width,
    height: bounds.height,
    minWidth: MIN_WIDTH,
    minHeight: MIN_HEIGHT,
    // Shown on 'ready-to-show', so the window never flashes white before the page paints.
    show: false,
    // The page's own --window-bg (styles.css), so a resize never shows another colour at the edge.
    backgroundColor: '#eceef0',
    ...extra,
    webPreferences: {
      preload: preloadPath,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      webviewTag: false,
      navigateOnDragDrop: false,
      safeDialogs: true,
      spellcheck: true,
    },
  };
  if (bounds.x !== undefined && bounds.y !== undefined) {
    options.x = bounds.x;
    options.y = bounds.y;
  } else {
    options.center = true;
  }
  return options;
}

export type OpenExternal = Pick<Shell, 'openExternal'>['openExternal'];

/** Opens a link in the system browser if it is a plain http(s) URL; refuses anything else. */
export function openLinkExternally(url: string, openExternal: OpenExternal, log: (line: string) => void = () => {}): boolean {
  const target = externalLinkTarget(url);
  if (target === null) {
    log(`window: refused to open ${url.slice(0, 200)}`);
    return false;
  }
  openExternal(target).catch((error: unknown) => log(`window: could not open ${target}: ${String(error)}`));
  return true;
}

type HardenedContents = Pick<WebContents, 'on' | 'setWindowOpenHandler'>;

/** No navigation, no new windows, no webviews; links leave for the system browser. */
export function lockDownContents(contents: HardenedContents, openExternal: OpenExternal, log: (line: string) => void = () => {}): void {
  contents.setWindowOpenHandler(({ url }) => {
    openLinkExternally(url, openExternal, log);
    return { action: 'deny' };
  });
  contents.on('will-navigate', (event) => {
    event.preventDefault();
    openLinkExternally(event.url, openExternal, log);
  });
  contents.on('will-redirect', (event) => event.preventDefault());
  contents.on('will-attach-webview', (event) => event.preventDefault());
}

/** Permission requests and checks: notifications for our own page, nothing else for anyone. */
export function lockDownPermissions(session: Pick<Session, 'setPermissionRequestHandler' | 'setPermissionCheckHandler'>, isOwnContents: (contents: WebContents | null) => boolean): void {
  session.setPermissionRequestHandler((contents, permission, callback) => {
    callback(isPermissionAllowed(permission) && isOwnContents(contents));
  });
  session.setPermissionCheckHandler((contents, permission) => isPermissionAllowed(permission) && isOwnContents(contents));
}

export interface MainWindowDeps {
  BrowserWindow: new (options: BrowserWindowConstructorOptions) => BrowserWindow;
  openExternal: OpenExternal;
  preloadPath: string;
  bounds: RestoredBounds;
  extraOptions?: Partial<BrowserWindowConstructorOptions>;
  log?: (line: string) => void;
}

export function createMainWindow(deps: MainWindowDeps): BrowserWindow {
  const log = deps.log ?? (() => {});
  const window = new deps.BrowserWindow(mainWindowOptions(deps.preloadPath, deps.bounds, deps.extraOptions));
  lockDownContents(window.webContents, deps.openExternal, log);
  window.once('ready-to-show', () => {
    if (deps.bounds.maximized) window.maximize();
    window.show();
  });
  window.loadURL(RENDERER_ENTRY_URL).catch((error: unknown) => log(`window: could not load the page: ${String(error)}`));
  return window;
}
