import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import { startChatServer } from '../../src-main/server';
import type { ChatServer, ServerConfig } from '../../src-main/server';

/*
 * Debian's Chromium driven by playwright-core: one browser per test file (the
 * machine has two cores), a fresh context and page per test.
 */

export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
/** What `node scripts/build.mjs renderer` builds and the server serves. */
export const WEB_ROOT = join(REPO_ROOT, 'dist', 'renderer');

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(join(WEB_ROOT, 'app.js'))) {
    throw new Error(`${WEB_ROOT}/app.js is missing: run \`node scripts/build.mjs renderer\` (npm test does) before the UI tests.`);
  }
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
}

/** What went wrong on a page that a user would never see but a clean page never has. */
export interface PageProblems {
  /** Console errors and warnings (CSP violations among them), uncaught exceptions. */
  console: string[];
  /** Requests that failed or answered 4xx/5xx. */
  requests: string[];
}

export interface OpenedPage {
  context: BrowserContext;
  page: Page;
  problems: PageProblems;
}

/**
 * Closes the pages a test opened, then requires that each stayed clean: no console
 * error (a CSP violation, an uncaught error) and no failed request (a 404). `tolerated`
 * lets a test accept what it causes on purpose, such as refused reconnects while its
 * server is down.
 */
export async function closeCheckingClean(opened: readonly OpenedPage[], tolerated: RegExp | null = null): Promise<void> {
  for (const o of opened) await o.context.close();
  const keep = (m: string): boolean => !tolerated?.test(m);
  for (const o of opened) {
    if (o.problems.console.filter(keep).length > 0 || o.problems.requests.filter(keep).length > 0) {
      throw new Error(`the page was not clean: ${JSON.stringify({ console: o.problems.console.filter(keep), requests: o.problems.requests.filter(keep) })}`);
    }
  }
}

export interface OpenPageOptions {
  /** Runs in the page before any of its scripts (e.g. a stand-in `window.chat`). */
  initScript?: string;
  locale?: string;
  viewport?: { width: number; height: number };
  /**
   * Playwright's controllable clock in the page (time flows until the test pauses it):
   * lets a test hold the page's timers, e.g. a reconnect, while it arranges the world.
   */
  clock?: boolean;
}

export async function openPage(browser: Browser, url: string, options: OpenPageOptions = {}): Promise<OpenedPage> {
  const context = await browser.newContext({
    locale: options.locale ?? 'en-US',
    viewport: options.viewport ?? { width: 900, height: 600 },
  });
  const page = await context.newPage();
  const problems: PageProblems = { console: [], requests: [] };
  page.on('console', (message) => {
    if (message.type() === 'error' || message.type() === 'warning') problems.console.push(`${message.type()}: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.console.push(`uncaught: ${error.message}`));
  page.on('requestfailed', (request) => {
    // A WebSocket the page closed on purpose is not a failed request; failed sockets show as console errors.
    problems.requests.push(`${request.url()}: ${request.failure()?.errorText ?? 'failed'}`);
  });
  page.on('response', (response) => {
    if (response.status() >= 400) problems.requests.push(`${response.url()}: HTTP ${response.status()}`);
  });
  if (options.initScript) await page.addInitScript(options.initScript);
  if (options.clock) await page.clock.install();
  await page.goto(url);
  await page.locator('chat-app').waitFor({ state: 'attached' });
  return { context, page, problems };
}

/** Server settings a test file adds to the loopback address, any free port and the built UI. */
export type ExtraServerOptions = Omit<Partial<ServerConfig>, 'host' | 'port' | 'webRoot'>;

export interface BrowserAndServer {
  /** Chromium, launched once for the test file. */
  readonly browser: Browser;
  /** The real chat server on 127.0.0.1 (any free port) serving the built UI, started once for the test file. */
  readonly server: ChatServer;
  /**
   * The pages this test opened with `open`; after the test each is closed and must have
   * stayed clean. A test that closes one itself takes it out of here first.
   */
  readonly pages: OpenedPage[];
  /** Opens a page that is closed and checked for cleanliness after the test. */
  open(url: string, options?: OpenPageOptions): Promise<OpenedPage>;
  /** Console messages and failed requests this test causes on purpose (see `closeCheckingClean`); reset after the test. */
  tolerate(pattern: RegExp): void;
}

/**
 * The browser tests' fixture, called at the top level of a test file: starts the chat
 * server and Chromium before the file's tests and closes both after them, and after
 * each test closes the pages it opened, failing it unless they stayed clean.
 */
export function useBrowserAndServer(extraServerOptions: ExtraServerOptions = {}): BrowserAndServer {
  let browser: Browser | undefined;
  let server: ChatServer | undefined;
  const pages: OpenedPage[] = [];
  let tolerated: RegExp | null = null;

  beforeAll(async () => {
    server = await startChatServer({ host: '127.0.0.1', port: 0, webRoot: WEB_ROOT, ...extraServerOptions });
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  afterEach(async () => {
    const toleratedThisTest = tolerated;
    tolerated = null;
    // Every page must stay clean: no CSP violation, no 404, no uncaught error.
    await closeCheckingClean(pages.splice(0), toleratedThisTest);
  });

  const started = <T>(value: T | undefined, what: string): T => {
    if (value === undefined) throw new Error(`${what} is not started: use it inside a test or a hook`);
    return value;
  };

  return {
    get browser() {
      return started(browser, 'the browser');
    },
    get server() {
      return started(server, 'the chat server');
    },
    pages,
    async open(url, options) {
      const opened = await openPage(started(browser, 'the browser'), url, options);
      pages.push(opened);
      return opened;
    },
    tolerate(pattern) {
      tolerated = pattern;
    },
  };
}

export interface FakeBridgeOptions {
  /** `connect` rejects with this message. */
  connectRejects?: string;
  /**
   * Emulate the session's outbox: `send` queues the message and pushes an `outbox`
   * event, `cancelPending` drops a waiting one; the test plays the rest through
   * `window.__bridge.markSending(id)` and `window.__bridge.confirm(id)` (the echo came).
   */
  outbox?: boolean;
}

/**
 * A stand-in for the preload's `window.chat`: the same contract, commands recorded
 * in `window.__bridge.calls`, events pushed by `window.__bridge.emit(name, payload)`.
 * Settings start from `settings` merged over the defaults the page would get.
 */
export function fakeBridgeScript(settings: Record<string, unknown> = {}, options: FakeBridgeOptions = {}): string {
  return `(() => {
    const listeners = { message: new Set(), status: new Set(), hosting: new Set(), notice: new Set(), outbox: new Set(), olderHistory: new Set(), connectLink: new Set(), foundRooms: new Set(), uploadProgress: new Set(), download: new Set() };
    const calls = [];
    let settings = Object.assign({
      server: '127.0.0.1', port: 27800, userName: 'Tester', userColor: '#2980b9', gender: 1,
      hostRoom: false, hostPort: 27800, roomKey: '', roomOpen: false, allowInternet: false, roomHistory: true, roomKeys: {}, language: 'en',
      window: { x: null, y: null, width: 900, height: 600, maximized: false },
      closeToTray: false, trayNoticeShown: false, visibleOnNetwork: true, roomName: '',
      allowBuzz: true,
    }, ${JSON.stringify(settings)});
    const connectRejects = ${JSON.stringify(options.connectRejects ?? null)};
    const emulateOutbox = ${JSON.stringify(options.outbox === true)};
    let outbox = [];
    let nextId = 1;
    const record = (name, args) => { calls.push({ name, args: JSON.parse(JSON.stringify(args)) }); };
    const emit = (event, payload) => { for (const l of [...listeners[event]]) l(payload); };
    const emitOutbox = () => emit('outbox', outbox.map((m) => Object.assign({}, m)));
    const bridge = {
      on(event, listener) { listeners[event].add(listener); return () => listeners[event].delete(listener); },
      async connect(request) { record('connect', [request]); if (connectRejects) throw new Error(connectRejects); },
      async disconnect() { record('disconnect', []); },
      async send(request) {
        record('send', [request]);
        if (!emulateOutbox) return;
        outbox = [...outbox, { id: 'p' + nextId++, text: request.text.trim(), toUserId: request.toUserId, queuedAt: Date.now(), sending: false }];
        emitOutbox();
      },
      async hostRoom(request) { record('hostRoom', [request]); return { state: 'running', port: request.port, addresses: ['ws://192.168.1.5:' + request.port], webUrls: ['http://192.168.1.5:' + request.port + '/'], locked: false }; },
      async stopHosting() { record('stopHosting', []); },
      async getSettings() { record('getSettings', []); return settings; },
      async saveSettings(patch) { record('saveSettings', [patch]); settings = Object.assign({}, settings, patch); return settings; },
      async requestAttention(request) { record('requestAttention', [request]); },
      async setUnreadCount(count) { record('setUnreadCount', [count]); },
      async cancelPending(id) {
        record('cancelPending', [id]);
        if (!emulateOutbox) return true;
        const waiting = outbox.find((m) => m.id === id && !m.sending);
        if (!waiting) return false;
        outbox = outbox.filter((m) => m !== waiting);
        emitOutbox();
        return true;
      },
      async loadOlder(request) { record('loadOlder', [request]); return true; },
      async editMessage(request) { record('editMessage', [request]); return true; },
      async deleteMessage(request) { record('deleteMessage', [request]); return true; },
      async setStatus(request) { record('setStatus', [request]); },
      async buzz(request) { record('buzz', [request]); return true; },
      async loadDialog(request) { record('loadDialog', [request]); return true; },
      async joinRoom(request) { record('joinRoom', [request]); return true; },
      async leaveRoom(request) { record('leaveRoom', [request]); return true; },
      async listRooms() { record('listRooms', []); return true; },
      async uploadFile(request) { record('uploadFile', [{ uploadId: request.uploadId, name: request.name, size: request.bytes.length }]); return { ok: false, error: 'not-connected', message: 'Not logged in.' }; },
      async cancelUpload(id) { record('cancelUpload', [id]); return false; },
      async fileLink(id) { record('fileLink', [id]); return { ok: false, error: 'not-found', message: 'Not found.' }; },
      async showDownload(id) { record('showDownload', [id]); return true; },
      async reconnectNow() { record('reconnectNow', []); },
    };
    Object.defineProperty(window, 'chat', { value: Object.freeze(bridge), configurable: false });
    window.__bridge = {
      calls,
      emit,
      get outbox() { return outbox.map((m) => Object.assign({}, m)); },
      markSending(id) { outbox = outbox.map((m) => (m.id === id ? Object.assign({}, m, { sending: true }) : m)); emitOutbox(); },
      confirm(id) { outbox = outbox.filter((m) => m.id !== id); emitOutbox(); },
    };
  })();`;
}

/**
 * Elements that server data could have smuggled into the parts of the UI that show
 * it (the log, the user list, the composer, and anything inside them), and the
 * `window.__pwned` flag a payload would set if any script of its ran.
 */
export async function findInjected(page: Page): Promise<{ elements: string[]; flag: unknown }> {
  return page.evaluate(() => {
    const found: string[] = [];
    const dangerous =
      'img:not([data-icon^="gender-"][src^="data:image/svg+xml"]), script, style, iframe, object, embed, svg, video, audio, link, meta, a, form, i, font, marquee, ' +
      '[onerror], [onload], [onclick], [onmouseover], [href], [srcdoc]';
    const visit = (root: ShadowRoot): void => {
      for (const el of root.querySelectorAll(dangerous)) found.push(el.outerHTML.slice(0, 120));
      for (const el of root.querySelectorAll('*')) if (el.shadowRoot) visit(el.shadowRoot);
    };
    const app = document.querySelector('chat-app')?.shadowRoot;
    for (const tag of ['chat-log', 'user-list', 'message-input']) {
      const shadow = app?.querySelector(tag)?.shadowRoot;
      if (!shadow) throw new Error(`no ${tag} to inspect`);
      visit(shadow);
    }
    return { elements: found, flag: (window as unknown as { __pwned?: unknown }).__pwned };
  });
}

/** The stamp that starts every log line: `[dd.MM.yyyy HH:mm:ss] `. */
export const LOG_TIMESTAMP = /^\[\d{2}\.\d{2}\.\d{4} \d{2}:\d{2}:\d{2}\] /;

/** The log's lines as a person reads them, without the stamp. */
export async function logLines(page: Page): Promise<string[]> {
  return (await page.getByRole('log').locator('.line').allInnerTexts()).map((l) => l.replace(LOG_TIMESTAMP, ''));
}

/** Waits for a log line matching `pattern`; on a timeout the error shows the whole log. */
export async function waitForLogLine(page: Page, pattern: RegExp, timeout = 10_000): Promise<void> {
  try {
    await expect.poll(async () => (await logLines(page)).some((l) => pattern.test(l)), { timeout }).toBe(true);
  } catch (error) {
    throw new Error(`no line matching ${pattern} in:\n${(await logLines(page)).join('\n')}`, { cause: error });
  }
}

/** Logs in through the connect dialog as `name` (to the dialog's server, the page's own by default) and waits for the input. */
export async function joinAs(page: Page, name: string): Promise<void> {
  const nickname = page.getByRole('dialog').getByRole('textbox', { name: 'Nickname', exact: true });
  await nickname.fill(name);
  await nickname.press('Enter');
  await expect.poll(() => page.getByRole('textbox', { name: 'Message' }).isEnabled(), { timeout: 10_000 }).toBe(true);
}

/** Types `text` into the message input and sends it with Enter; resolves once the input is empty again. */
export async function sendText(page: Page, text: string): Promise<void> {
  const input = page.getByRole('textbox', { name: 'Message' });
  await input.fill(text);
  await input.press('Enter');
  await expect.poll(() => input.inputValue()).toBe('');
}
