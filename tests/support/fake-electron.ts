import { EventEmitter } from 'node:events';

/*
 * A stand-in for the parts of Electron the main process and the preload use. It keeps
 * what Electron does that matters to us: ipcMain.handle refuses a second handler for a
 * channel, invoke fails for an unknown channel, and everything that crosses between
 * renderer and main is structured-cloned (so a function or class instance cannot).
 * Everything it is asked to do is recorded for tests to look at.
 */

export const DEFAULT_PAGE_URL = 'app://simplechat/index.html';

let nextId = 1;

export class FakeWebFrame {
  constructor(public url: string) {}
}

export interface FakeInvokeEvent {
  sender: FakeWebContents;
  senderFrame: FakeWebFrame | null;
  frameId: number;
  processId: number;
  type: 'frame';
}

type MainHandler = (event: FakeInvokeEvent, ...args: unknown[]) => unknown;
type RendererListener = (event: { sender: FakeIpcRenderer }, ...args: unknown[]) => void;

export class FakeIpcMain {
  readonly handlers = new Map<string, MainHandler>();

  handle(channel: string, handler: MainHandler): void {
    if (this.handlers.has(channel)) throw new Error(`Attempted to register a second handler for '${channel}'`);
    this.handlers.set(channel, handler);
  }

  removeHandler(channel: string): void {
    this.handlers.delete(channel);
  }

  /** What Electron does when a renderer invokes `channel`. */
  async invoke(channel: string, event: FakeInvokeEvent, ...args: unknown[]): Promise<unknown> {
    const handler = this.handlers.get(channel);
    if (handler === undefined) throw new Error(`Error invoking remote method '${channel}': Error: No handler registered for '${channel}'`);
    const result = await handler(event, ...structuredClone(args));
    return structuredClone(result);
  }
}

/** The renderer's end of one webContents. */
export class FakeIpcRenderer {
  readonly #listeners = new Map<string, Set<RendererListener>>();

  constructor(
    readonly ipcMain: FakeIpcMain,
    readonly contents: FakeWebContents,
    /** The frame that sends: the main frame unless a test sends from an iframe. */
    readonly frame: () => FakeWebFrame | null = () => contents.mainFrame,
  ) {}

  invoke(channel: string, ...args: unknown[]): Promise<unknown> {
    const event: FakeInvokeEvent = { sender: this.contents, senderFrame: this.frame(), frameId: 1, processId: this.contents.id, type: 'frame' };
    return this.ipcMain.invoke(channel, event, ...structuredClone(args));
  }

  on(channel: string, listener: RendererListener): this {
    let set = this.#listeners.get(channel);
    if (set === undefined) this.#listeners.set(channel, (set = new Set()));
    set.add(listener);
    return this;
  }

  removeListener(channel: string, listener: RendererListener): this {
    this.#listeners.get(channel)?.delete(listener);
    return this;
  }

  listenerCount(channel: string): number {
    return this.#listeners.get(channel)?.size ?? 0;
  }

  /** Main sent something: every listener gets its own copy. */
  deliver(channel: string, args: unknown[]): void {
    for (const listener of [...(this.#listeners.get(channel) ?? [])]) listener({ sender: this }, ...structuredClone(args));
  }
}

export class FakeWebContents extends EventEmitter {
  readonly id = nextId++;
  readonly mainFrame: FakeWebFrame;
  readonly sent: { channel: string; args: unknown[] }[] = [];
  readonly renderers = new Set<FakeIpcRenderer>();
  windowOpenHandler: ((details: { url: string }) => { action: 'allow' | 'deny' }) | undefined;
  destroyed = false;
  reloads = 0;

  constructor(url = DEFAULT_PAGE_URL) {
    super();
    this.mainFrame = new FakeWebFrame(url);
  }

  isDestroyed(): boolean {
    return this.destroyed;
  }

  send(channel: string, ...args: unknown[]): void {
    if (this.destroyed) throw new Error('Object has been destroyed');
    this.sent.push({ channel, args: structuredClone(args) });
    for (const renderer of this.renderers) renderer.deliver(channel, args);
  }

  setWindowOpenHandler(handler: (details: { url: string }) => { action: 'allow' | 'deny' }): void {
    this.windowOpenHandler = handler;
  }

  getType(): string {
    return 'window';
  }

  async loadURL(url: string): Promise<void> {
    this.mainFrame.url = url;
  }

  reload(): void {
    this.reloads++;
  }

  /** A renderer bound to this contents and `ipcMain`. */
  connectRenderer(ipcMain: FakeIpcMain, frame?: () => FakeWebFrame | null): FakeIpcRenderer {
    const renderer = new FakeIpcRenderer(ipcMain, this, frame);
    this.renderers.add(renderer);
    return renderer;
  }

  /** The page loaded (its scripts ran): what Electron reports as did-finish-load. */
  finishLoad(): void {
    this.emit('did-finish-load');
  }

  /** A navigation attempt; returns whether a listener prevented it. */
  tryNavigate(url: string): boolean {
    let prevented = false;
    const event = { url, isMainFrame: true, isSameDocument: false, preventDefault: () => (prevented = true) };
    this.emit('will-navigate', event, url);
    return prevented;
  }
}

export interface Bounds {
  x: number;
  y: number;
  width: number;
  height: number;
}

export class FakeBrowserWindow extends EventEmitter {
  static readonly instances: FakeBrowserWindow[] = [];
  readonly webContents: FakeWebContents;
  readonly flashCalls: boolean[] = [];
  readonly calls: string[] = [];
  focused = false;
  minimized = false;
  visible = false;
  maximized = false;
  fullScreen = false;
  destroyed = false;
  bounds: Bounds;
  loadedUrl: string | undefined;

  constructor(readonly options: Record<string, unknown> = {}) {
    super();
    this.webContents = new FakeWebContents('about:blank');
    this.bounds = {
      x: typeof options.x === 'number' ? options.x : 100,
      y: typeof options.y === 'number' ? options.y : 100,
      width: typeof options.width === 'number' ? options.width : 800,
      height: typeof options.height === 'number' ? options.height : 600,
    };
    FakeBrowserWindow.instances.push(this);
  }

  isDestroyed(): boolean {
    return this.destroyed;
  }
  isFocused(): boolean {
    return this.focused;
  }
  isMinimized(): boolean {
    return this.minimized;
  }
  isVisible(): boolean {
    return this.visible;
  }
  isMaximized(): boolean {
    return this.maximized;
  }
  isFullScreen(): boolean {
    return this.fullScreen;
  }
  getNormalBounds(): Bounds {
    return { ...this.bounds };
  }
  flashFrame(flag: boolean): void {
    this.flashCalls.push(flag);
  }
  /** Every setPosition, in order (a buzz shakes the window). */
  readonly positions: [number, number][] = [];
  getPosition(): number[] {
    return [this.bounds.x, this.bounds.y];
  }
  setPosition(x: number, y: number): void {
    this.positions.push([x, y]);
    this.bounds = { ...this.bounds, x, y };
    this.emit('move');
  }
  readonly overlays: (string | null)[] = [];
  setOverlayIcon(image: unknown, description: string): void {
    this.overlays.push(image === null ? null : description);
  }
  restore(): void {
    this.calls.push('restore');
    this.minimized = false;
  }
  show(): void {
    this.calls.push('show');
    this.visible = true;
  }
  hide(): void {
    this.calls.push('hide');
    this.visible = false;
  }
  maximize(): void {
    this.calls.push('maximize');
    this.maximized = true;
    this.emit('maximize');
  }
  focus(): void {
    this.calls.push('focus');
    this.focused = true;
    this.emit('focus');
  }
  /** The user switched to another window. */
  blur(): void {
    this.focused = false;
    this.emit('blur');
  }
  /** The user moved or resized the window. */
  setBounds(bounds: Partial<Bounds>): void {
    this.bounds = { ...this.bounds, ...bounds };
    this.emit('move');
    this.emit('resize');
  }
  async loadURL(url: string): Promise<void> {
    this.loadedUrl = url;
    await this.webContents.loadURL(url);
  }
  /** The user closed it: a 'close' listener may prevent that (close to tray). */
  close(): void {
    let prevented = false;
    this.emit('close', { preventDefault: () => (prevented = true) });
    if (prevented) return;
    this.destroyed = true;
    this.webContents.destroyed = true;
    this.emit('closed');
  }
}

export class FakeNotification extends EventEmitter {
  static readonly instances: FakeNotification[] = [];
  static supported = true;
  static isSupported(): boolean {
    return FakeNotification.supported;
  }
  shown = false;
  closed = false;

  constructor(readonly options: { title?: string; body?: string; silent?: boolean } = {}) {
    super();
    FakeNotification.instances.push(this);
  }
  show(): void {
    this.shown = true;
  }
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.emit('close');
  }
  /** The user clicked it. */
  click(): void {
    this.emit('click');
  }
}

export interface FakeMenuItem {
  id?: string;
  label?: string;
  role?: string;
  type?: string;
  accelerator?: string;
  click?: () => void;
  submenu?: FakeMenuItem[];
}

/** Menu.buildFromTemplate keeps the template, so tests can read and click it. */
export class FakeMenu {
  constructor(readonly items: FakeMenuItem[]) {}
  static buildFromTemplate(template: FakeMenuItem[]): FakeMenu {
    return new FakeMenu(template);
  }
  static application: FakeMenu | null = null;
  static setApplicationMenu(menu: FakeMenu | null): void {
    FakeMenu.application = menu;
  }
  /** Every item, depth first. */
  all(): FakeMenuItem[] {
    const out: FakeMenuItem[] = [];
    const walk = (items: FakeMenuItem[]): void => {
      for (const item of items) {
        out.push(item);
        if (Array.isArray(item.submenu)) walk(item.submenu);
      }
    };
    walk(this.items);
    return out;
  }
  find(id: string): FakeMenuItem | undefined {
    return this.all().find((item) => item.id === id);
  }
}

export class FakeTray extends EventEmitter {
  static readonly instances: FakeTray[] = [];
  toolTip = '';
  title = '';
  menu: FakeMenu | null = null;
  destroyed = false;
  constructor(readonly image: unknown) {
    super();
    FakeTray.instances.push(this);
  }
  setToolTip(text: string): void {
    this.toolTip = text;
  }
  setTitle(title: string): void {
    this.title = title;
  }
  setContextMenu(menu: FakeMenu): void {
    this.menu = menu;
  }
  destroy(): void {
    this.destroyed = true;
  }
}

const fakeImage = (source: string) => ({ source, resize: (size: unknown) => ({ source, size }), isEmpty: () => false });

export type PermissionRequestHandler = (contents: unknown, permission: string, callback: (granted: boolean) => void) => void;
export type PermissionCheckHandler = (contents: unknown, permission: string) => boolean;

/** Emits what Electron's session does (`will-download`) when a test says so. */
export class FakeSession extends EventEmitter {
  availableSpellCheckerLanguages = ['en-GB', 'en-US', 'de', 'ru'];
  readonly spellCheckerLanguages: string[][] = [];
  setSpellCheckerLanguages(languages: string[]): void {
    this.spellCheckerLanguages.push([...languages]);
  }
  permissionRequestHandler: PermissionRequestHandler | undefined;
  permissionCheckHandler: PermissionCheckHandler | undefined;
  setPermissionRequestHandler(handler: PermissionRequestHandler): void {
    this.permissionRequestHandler = handler;
  }
  setPermissionCheckHandler(handler: PermissionCheckHandler): void {
    this.permissionCheckHandler = handler;
  }
  /** What a permission request resolves to. */
  request(contents: unknown, permission: string): Promise<boolean> {
    return new Promise((resolve) => this.permissionRequestHandler?.(contents, permission, resolve));
  }
}

export class FakeApp extends EventEmitter {
  readonly badgeCounts: number[] = [];
  appUserModelId: string | undefined;
  quitCalls = 0;
  readonly exitCodes: number[] = [];

  constructor(private readonly options: FakeAppOptions = {}) {
    super();
  }
  setBadgeCount(count: number): boolean {
    this.badgeCounts.push(count);
    return true;
  }
  setAppUserModelId(id: string): void {
    this.appUserModelId = id;
  }
  getVersion(): string {
    return '0.0.0-test';
  }
  getName(): string {
    return 'SimpleChat';
  }
  getAppPath(): string {
    return this.options.appPath ?? '/app';
  }
  getPath(name: string): string {
    return name === 'userData' ? (this.options.userData ?? '/user-data') : `/fake/${name}`;
  }
  requestSingleInstanceLock(): boolean {
    return this.options.singleInstance ?? true;
  }
  isPackaged = false;
  readonly protocolClients: string[] = [];
  aboutPanelOptions: Record<string, unknown> | undefined;
  aboutPanelShown = 0;
  setAsDefaultProtocolClient(scheme: string): boolean {
    this.protocolClients.push(scheme);
    return true;
  }
  getPreferredSystemLanguages(): string[] {
    return this.options.systemLanguages ?? ['en-US'];
  }
  setAboutPanelOptions(options: Record<string, unknown>): void {
    this.aboutPanelOptions = options;
  }
  showAboutPanel(): void {
    this.aboutPanelShown++;
  }
  whenReady(): Promise<void> {
    return Promise.resolve();
  }
  isReady(): boolean {
    return true;
  }
  /** As Electron: 'before-quit' may prevent it; otherwise 'will-quit' follows. */
  quit(): void {
    this.quitCalls++;
    let prevented = false;
    this.emit('before-quit', { preventDefault: () => (prevented = true) });
    if (!prevented) this.emit('will-quit');
  }
  exit(code = 0): void {
    this.exitCodes.push(code);
  }
}

export interface FakeAppOptions {
  systemLanguages?: string[];
  appPath?: string;
  userData?: string;
  singleInstance?: boolean;
}

/** A whole fake `electron` module: use with vi.mock('electron', () => createFakeElectron()) or inject its parts. */
export function createFakeElectron(options: FakeAppOptions = {}) {
  const ipcMain = new FakeIpcMain();
  const exposed = new Map<string, unknown>();
  const app = new FakeApp(options);
  const protocol = {
    privileged: [] as unknown[],
    handlers: new Map<string, (request: Request) => Response | Promise<Response>>(),
    registerSchemesAsPrivileged(schemes: unknown[]): void {
      this.privileged.push(...schemes);
    },
    handle(scheme: string, handler: (request: Request) => Response | Promise<Response>): void {
      this.handlers.set(scheme, handler);
    },
  };
  const workArea = { x: 0, y: 0, width: 1920, height: 1040 };
  const shell = {
    beeps: 0,
    opened: [] as string[],
    shownInFolder: [] as string[],
    showItemInFolder(path: string): void {
      this.shownInFolder.push(path);
    },
    beep(): void {
      this.beeps++;
    },
    async openExternal(url: string): Promise<void> {
      this.opened.push(url);
    },
  };
  return {
    app,
    ipcMain,
    shell,
    protocol,
    Menu: FakeMenu,
    Tray: FakeTray,
    nativeImage: {
      createFromPath: (path: string) => fakeImage(path),
      createFromBuffer: (buffer: Buffer) => fakeImage(`buffer:${buffer.length}`),
    },
    dialog: {
      shown: [] as unknown[],
      async showMessageBox(...args: unknown[]): Promise<{ response: number }> {
        this.shown.push(args.at(-1));
        return { response: 0 };
      },
    },
    BrowserWindow: FakeBrowserWindow,
    Notification: FakeNotification,
    session: { defaultSession: new FakeSession() },
    powerMonitor: Object.assign(new EventEmitter(), {
      /** What getSystemIdleTime answers: seconds since the user last touched the machine. */
      idleSeconds: 0,
      getSystemIdleTime(): number {
        return this.idleSeconds;
      },
    }),
    screen: { getAllDisplays: () => [{ id: 1, workArea, bounds: workArea }] },
    net: { online: true, isOnline(): boolean { return this.online; } },
    contextBridge: {
      exposed,
      exposeInMainWorld(key: string, api: unknown): void {
        if (exposed.has(key)) throw new Error(`Cannot bind an API on top of an existing property on the window object: ${key}`);
        exposed.set(key, api);
      },
    },
  };
}

export type FakeElectron = ReturnType<typeof createFakeElectron>;
