/**
 * The UI bench: the real renderer (dist/renderer) in Debian's Chromium, driven
 * through a stand-in `window.chat` bridge that pushes `message` events as main
 * would. Measures long tasks and frame gaps while lines arrive at a steady rate,
 * the time per 1000 lines flat out, scrolling a 100 000-line log, and the JS heap.
 */
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { extname, join, normalize } from 'node:path';
import { build } from 'esbuild';
import { chromium, type CDPSession, type Page } from 'playwright-core';
import { DEFAULT_SETTINGS } from '../../src-shared/bridge';
import type { LongTaskSummary, MainThreadWork, UiResult } from '../types';
import { measureFirstLoad } from './first-load';
import { installPageDriver } from './page-driver';

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];
const ORIGIN = 'http://simplechat.bench';
const SELF = { userId: 1, userName: 'Bench', gender: 1 as const, userColor: '#2980b9' };
const OTHERS = [
  { userId: 2, userName: 'Аня', gender: 2 as const, userColor: '#8e44ad' },
  { userId: 3, userName: 'Bob', gender: 1 as const, userColor: '#27ae60' },
  { userId: 4, userName: 'Инкогнито', gender: 0 as const, userColor: '#d35400' },
];
const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.json': 'application/json',
};

interface Sizes {
  appendLines: number;
  appendPerSec: number;
  burstBatches: number;
  scrollLogLines: number;
  flingFrames: number;
  jumps: number;
  /** Appended after the scroll: with the log's cap at 100 000, the full run goes past it. */
  pastCapLines: number;
  firstLoadRuns: number;
}
const FULL: Sizes = { appendLines: 10_000, appendPerSec: 1_000, burstBatches: 10, scrollLogLines: 100_000, flingFrames: 300, jumps: 60, pastCapLines: 50_000, firstLoadRuns: 5 };
const QUICK: Sizes = { appendLines: 1_000, appendPerSec: 1_000, burstBatches: 2, scrollLogLines: 5_000, flingFrames: 60, jumps: 20, pastCapLines: 1_000, firstLoadRuns: 1 };

function summarise(longTasks: number[]): LongTaskSummary {
  const round = (ms: number) => Math.round(ms * 10) / 10;
  return {
    count: longTasks.length,
    maxMs: round(Math.max(0, ...longTasks)),
    totalMs: round(longTasks.reduce((a, b) => a + b, 0)),
  };
}

/** Chromium's own main-thread counters (Performance.getMetrics), cumulative. */
async function mainThread(cdp: CDPSession): Promise<MainThreadWork> {
  const { metrics } = await cdp.send('Performance.getMetrics');
  const value = (name: string) => metrics.find((m) => m.name === name)?.value ?? 0;
  return {
    scriptMs: value('ScriptDuration') * 1000,
    styleMs: value('RecalcStyleDuration') * 1000,
    layoutMs: value('LayoutDuration') * 1000,
    layouts: value('LayoutCount'),
  };
}

function workBetween(before: MainThreadWork, after: MainThreadWork): MainThreadWork {
  const round = (n: number) => Math.round(n);
  return {
    scriptMs: round(after.scriptMs - before.scriptMs),
    styleMs: round(after.styleMs - before.styleMs),
    layoutMs: round(after.layoutMs - before.layoutMs),
    layouts: round(after.layouts - before.layouts),
  };
}

async function heapMiB(cdp: CDPSession): Promise<number> {
  await cdp.send('HeapProfiler.collectGarbage');
  const { usedSize } = await cdp.send('Runtime.getHeapUsage');
  return Math.round((usedSize / 2 ** 20) * 10) / 10;
}

const emit = (page: Page, event: string, payload: unknown) =>
  page.evaluate(([e, p]) => window.__benchDriver.emit(e, p), [event, payload] as const);

function logCount(page: Page): Promise<number | null> {
  return page.evaluate(() => {
    const log = document.querySelector('chat-app')?.shadowRoot?.querySelector('chat-log') as { log?: { count?: unknown } } | null;
    return typeof log?.log?.count === 'number' ? log.log.count : null;
  });
}

async function logIn(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Connect', exact: true }).click({ timeout: 15_000 });
  await emit(page, 'status', { state: 'connecting', url: 'ws://127.0.0.1:27800/', attempt: 0 });
  await emit(page, 'status', { state: 'open', url: 'ws://127.0.0.1:27800/' });
  await emit(page, 'message', { action: 'Authorized', ...SELF, users: [...OTHERS, SELF] });
  await emit(page, 'status', { state: 'authorized', self: SELF });
  await emit(page, 'message', { action: 'Connected', ...SELF });
  await page.getByRole('textbox', { name: 'Message' }).waitFor({ state: 'visible', timeout: 15_000 });
}

/** Scrolls the log up a viewport per frame (a fling), then jumps to random places (dragging the thumb). */
function scrollTheLog(page: Page, flingFrames: number, jumps: number): Promise<{ steps: number; durationMs: number; maxLinesInDom: number }> {
  return page.evaluate(
    async ([fling, jumpCount]) => {
      const scroller = document.querySelector('chat-app')?.shadowRoot?.querySelector('chat-log')?.shadowRoot?.querySelector('.scroller') as HTMLElement | null;
      if (!scroller) throw new Error('no .scroller in chat-log');
      const start = performance.now();
      let steps = 0;
      let maxLinesInDom = 0;
      // A live collection's length: no wrapper object per line, so counting adds no garbage to the page it measures.
      const lines = scroller.getElementsByClassName('line');
      const countLines = () => (maxLinesInDom = Math.max(maxLinesInDom, lines.length));
      for (let i = 0; i < fling && scroller.scrollTop > 0; i++, steps++) {
        scroller.scrollTop -= scroller.clientHeight;
        await window.__benchDriver.nextFrame();
        countLines();
      }
      // A fixed sequence of places, so every run scrolls the same way.
      let seed = 12345;
      for (let i = 0; i < jumpCount; i++, steps++) {
        seed = (seed * 1103515245 + 12345) % 2 ** 31;
        scroller.scrollTop = (seed / 2 ** 31) * (scroller.scrollHeight - scroller.clientHeight);
        await window.__benchDriver.nextFrame();
        countLines();
      }
      return { steps, durationMs: performance.now() - start, maxLinesInDom };
    },
    [flingFrames, jumps] as const,
  );
}

/** The renderer built like dist/renderer but not minified, so a profile names its functions. */
async function readableRendererBuild(root: string, builtRoot: string): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'simplechat-bench-renderer-'));
  cpSync(builtRoot, dir, { recursive: true });
  await build({
    entryPoints: [join(root, 'src-renderer/main.ts')],
    outfile: join(dir, 'app.js'),
    bundle: true,
    platform: 'browser',
    target: 'es2022',
    format: 'esm',
    // As scripts/build.mjs's renderer target, only readable.
    loader: { '.svg': 'dataurl' },
    minify: false,
    logLevel: 'warning',
  });
  return dir;
}

/** Records a CPU profile of the page around `phase`, into `dir/<name>.cpuprofile` (when profiling). */
async function profiled<T>(cdp: CDPSession, dir: string | undefined, name: string, phase: () => Promise<T>): Promise<T> {
  if (!dir) return phase();
  await cdp.send('Profiler.enable');
  await cdp.send('Profiler.start');
  try {
    return await phase();
  } finally {
    const { profile } = await cdp.send('Profiler.stop');
    writeFileSync(join(dir, `${name}.cpuprofile`), JSON.stringify(profile));
  }
}

export async function runUiBench(options: {
  root: string;
  quick: boolean;
  profileDir?: string | undefined;
}): Promise<{ result: UiResult } | { skipped: string }> {
  const builtRoot = join(options.root, 'dist/renderer');
  if (!existsSync(CHROMIUM)) return { skipped: `${CHROMIUM} is not installed` };
  if (!existsSync(join(builtRoot, 'index.html'))) return { skipped: 'dist/renderer is not built' };
  const sizes = options.quick ? QUICK : FULL;
  const profileDir = options.profileDir;
  const webRoot = profileDir ? await readableRendererBuild(options.root, builtRoot) : builtRoot;

  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true, timeout: 30_000 });
  try {
    const context = await browser.newContext({ viewport: { width: 1000, height: 700 }, locale: 'en-US' });
    context.setDefaultTimeout(120_000);
    await context.route(`${ORIGIN}/**`, (route) => {
      const path = normalize(decodeURIComponent(new URL(route.request().url()).pathname)).replace(/^[/\\]+/, '') || 'index.html';
      const file = join(webRoot, path);
      if (!file.startsWith(webRoot) || !existsSync(file)) return route.fulfill({ status: 404, body: 'not found' });
      return route.fulfill({ status: 200, body: readFileSync(file), headers: { 'content-type': CONTENT_TYPES[extname(file)] ?? 'application/octet-stream' } });
    });
    const page = await context.newPage();
    const pageErrors: string[] = [];
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await page.addInitScript(installPageDriver, { settings: { ...DEFAULT_SETTINGS, hostRoom: false, userName: SELF.userName }, self: SELF });
    await page.goto(`${ORIGIN}/index.html`);
    await logIn(page);
    const cdp = await context.newCDPSession(page);
    await cdp.send('Performance.enable');
    const baselineMiB = await heapMiB(cdp);
    let line = 0;

    await page.evaluate(() => window.__benchDriver.resetProbes());
    const beforeAppend = await mainThread(cdp);
    const appendMs = await profiled(cdp, profileDir, 'ui-append', () =>
      page.evaluate(([first, count, rate]) => window.__benchDriver.feedAtRate(first, count, rate), [line, sizes.appendLines, sizes.appendPerSec] as const),
    );
    await page.evaluate(() => window.__benchDriver.nextFrame());
    const appendProbes = await page.evaluate(() => window.__benchDriver.probes());
    const appendWork = workBetween(beforeAppend, await mainThread(cdp));
    line += sizes.appendLines;
    const afterAppendMiB = await heapMiB(cdp);

    const burstMs: number[] = [];
    const beforeBurst = await mainThread(cdp);
    await profiled(cdp, profileDir, 'ui-burst', async () => {
      for (let i = 0; i < sizes.burstBatches; i++) {
        burstMs.push(await page.evaluate(([first]) => window.__benchDriver.feedFlatOut(first, 1000), [line] as const));
        line += 1000;
      }
    });

    const burstWork = workBetween(beforeBurst, await mainThread(cdp));
    const toAdd = Math.max(0, sizes.scrollLogLines - line);
    await page.evaluate(([first, count]) => window.__benchDriver.feedInBatches(first, count, 1000), [line, toAdd] as const);
    line += toAdd;
    const scrollLogLines = line;
    const linesKept = await logCount(page);
    const afterScrollLogMiB = await heapMiB(cdp);

    await page.evaluate(() => window.__benchDriver.resetProbes());
    const beforeScroll = await mainThread(cdp);
    const scrolled = await profiled(cdp, profileDir, 'ui-scroll', () => scrollTheLog(page, sizes.flingFrames, sizes.jumps));
    const scrollProbes = await page.evaluate(() => window.__benchDriver.probes());
    const scrollWork = workBetween(beforeScroll, await mainThread(cdp));
    await page.evaluate(([first, count]) => window.__benchDriver.feedInBatches(first, count, 1000), [line, sizes.pastCapLines] as const);
    line += sizes.pastCapLines;
    const pastCap = { lines: line, linesKept: await logCount(page), heapMiB: await heapMiB(cdp) };
    if (pageErrors.length > 0) throw new Error(`the page threw: ${pageErrors.slice(0, 3).join('; ')}`);

    // The built files, as a guest gets them (the profile's readable build is not what ships).
    const firstLoad = await measureFirstLoad(browser, builtRoot, sizes.firstLoadRuns);

    const round = (ms: number) => Math.round(ms * 10) / 10;
    return {
      result: {
        firstLoad,
        append: {
          lines: sizes.appendLines,
          linesPerSec: sizes.appendPerSec,
          durationMs: Math.round(appendMs),
          longTasks: summarise(appendProbes.longTasks),
          maxFrameGapMs: round(appendProbes.maxFrameGapMs),
          mainThread: appendWork,
        },
        burst: {
          lines: sizes.burstBatches * 1000,
          msPer1000Lines: round(burstMs.reduce((a, b) => a + b, 0) / Math.max(1, burstMs.length)),
          maxMsPer1000Lines: round(Math.max(0, ...burstMs)),
          mainThread: burstWork,
        },
        scroll: {
          lines: scrollLogLines,
          linesKept,
          steps: scrolled.steps,
          maxLinesInDom: scrolled.maxLinesInDom,
          durationMs: Math.round(scrolled.durationMs),
          longTasks: summarise(scrollProbes.longTasks),
          maxFrameGapMs: round(scrollProbes.maxFrameGapMs),
          mainThread: scrollWork,
        },
        heap: { baselineMiB, afterAppendMiB, afterScrollLogMiB },
        pastCap,
        page: 'dist/renderer/index.html (chat-app → chat-log), window.chat stood in',
      },
    };
  } finally {
    await browser.close();
    if (webRoot !== builtRoot) rmSync(webRoot, { recursive: true, force: true });
  }
}
