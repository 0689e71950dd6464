/**
 * A guest's first visit to a hosted room's page: the real server (dist/renderer as its
 * web root, over plain HTTP on loopback) and a fresh Chromium context per run, so the
 * cache is cold. Measures the bytes on the wire (bodies and headers, as Chromium counts
 * them) and the time from navigation start to the connect dialog's Connect button being
 * visible and enabled, unthrottled and with the CPU slowed 4× (a phone stand-in); then a
 * reload, which should cost only revalidations.
 */
import type { Browser, CDPSession } from 'playwright-core';
import { startChatServer } from '../../src-main/server';
import type { FirstLoadResult, FirstLoadRun } from '../types';

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[middle] ?? 0) : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
};

/** Counts what arrives over the network for one page, from Chromium's own accounting. */
function countBytes(cdp: CDPSession): { total: () => { bytes: number; requests: number; notModified: number } } {
  let bytes = 0;
  let requests = 0;
  let notModified = 0;
  cdp.on('Network.responseReceived', (event) => {
    if (event.response.status === 304) notModified++;
  });
  cdp.on('Network.loadingFinished', (event) => {
    bytes += event.encodedDataLength;
    requests++;
  });
  return { total: () => ({ bytes, requests, notModified }) };
}

async function oneRun(browser: Browser, url: string, cpuSlowdown: number): Promise<FirstLoadRun> {
  const context = await browser.newContext({ viewport: { width: 360, height: 740 }, locale: 'en-US' });
  try {
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    await cdp.send('Network.enable');
    if (cpuSlowdown > 1) await cdp.send('Emulation.setCPUThrottlingRate', { rate: cpuSlowdown });
    const counter = countBytes(cdp);
    const usable = async (): Promise<number> => {
      const connect = page.getByRole('button', { name: 'Connect', exact: true });
      await connect.waitFor({ state: 'visible', timeout: 30_000 });
      await page.waitForFunction(
        () => {
          const button = document.querySelector('chat-app')?.shadowRoot?.querySelector('connect-dialog')?.shadowRoot?.querySelector('#connect');
          return button instanceof HTMLButtonElement && !button.disabled;
        },
        undefined,
        { polling: 'raf', timeout: 30_000 },
      );
      // Measured in the page, from its own navigation start.
      return page.evaluate(() => performance.now());
    };
    await page.goto(url, { waitUntil: 'commit' });
    const usableMs = await usable();
    await page.waitForLoadState('networkidle');
    const cold = counter.total();
    await page.reload({ waitUntil: 'commit' });
    const reloadUsableMs = await usable();
    await page.waitForLoadState('networkidle');
    const afterReload = counter.total();
    return {
      usableMs: Math.round(usableMs),
      bytes: cold.bytes,
      requests: cold.requests,
      reloadUsableMs: Math.round(reloadUsableMs),
      reloadBytes: afterReload.bytes - cold.bytes,
      reloadNotModified: afterReload.notModified - cold.notModified,
    };
  } finally {
    await context.close();
  }
}

export async function measureFirstLoad(browser: Browser, webRoot: string, runs: number): Promise<FirstLoadResult> {
  const server = await startChatServer({ host: '127.0.0.1', port: 0, webRoot });
  try {
    const url = `http://127.0.0.1:${server.port}/`;
    const result: FirstLoadResult = { runs, unthrottled: [], throttled4x: [], medians: { bytes: 0, usableMs: 0, usableMs4x: 0, reloadBytes: 0 } };
    // Alternated, so a busy moment of the machine does not land on one setting only.
    for (let i = 0; i < runs; i++) {
      result.unthrottled.push(await oneRun(browser, url, 1));
      result.throttled4x.push(await oneRun(browser, url, 4));
    }
    result.medians = {
      bytes: median(result.unthrottled.map((r) => r.bytes)),
      usableMs: median(result.unthrottled.map((r) => r.usableMs)),
      usableMs4x: median(result.throttled4x.map((r) => r.usableMs)),
      reloadBytes: median(result.unthrottled.map((r) => r.reloadBytes)),
    };
    return result;
  } finally {
    await server.close();
  }
}
