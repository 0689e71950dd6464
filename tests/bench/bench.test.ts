import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { BenchReport } from '../../bench/report';

/*
 * `npm run bench -- --quick` end to end, so the suite cannot rot: the real server,
 * the yardstick, the load generator and Chromium, at small sizes. It checks that the
 * run completes and its figures are sane — never how fast anything is.
 */

const ROOT = join(import.meta.dirname, '../..');
const RUN = join(ROOT, 'dist/bench/run.js');
const resultsDir = mkdtempSync(join(tmpdir(), 'simplechat-bench-'));

afterAll(() => rmSync(resultsDir, { recursive: true, force: true }));

function runQuickBench(): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [RUN, '--quick', '--results-dir', resultsDir], { cwd: ROOT });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    // The bench bounds itself; this only keeps a wedged run from holding the suite.
    const timer = setTimeout(() => child.kill('SIGTERM'), 170_000);
    child.on('error', reject);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

describe('npm run bench -- --quick', () => {
  it('runs every scenario on both servers and the UI, prints the table and writes sane figures', { timeout: 180_000 }, async () => {
    expect(existsSync(RUN), 'dist/bench/run.js is built by node scripts/build.mjs').toBe(true);
    const { code, stdout, stderr } = await runQuickBench();
    expect(code, stderr).toBe(0);
    expect(stdout).toMatch(/scenario\s+figure\s+SimpleChat\s+SimpleChat --db\s+yardstick/);

    const files = readdirSync(resultsDir).filter((f) => f.endsWith('.json'));
    expect(files).toHaveLength(1);
    const report = JSON.parse(readFileSync(join(resultsDir, files[0]!), 'utf8')) as BenchReport;
    expect(stdout).toContain(join(resultsDir, files[0]!));
    expect(report.quick).toBe(true);
    expect(report.machine.cores).toBeGreaterThan(0);
    expect(report.machine.node).toBe(process.versions.node);

    const kinds = new Set<string>();
    for (const scenario of report.scenarios) {
      expect(scenario.errors, scenario.title).toEqual({});
      for (const target of ['simplechat', 'simplechat-db', 'yardstick'] as const) {
        if (target === 'simplechat-db' && scenario.id.startsWith('idle-')) continue;
        // The yardstick has one room only.
        if (target === 'yardstick' && scenario.id.startsWith('rooms-')) continue;
        const result = scenario.results[target];
        expect(result, `${scenario.title} on ${target}`).toBeDefined();
        if (!result) continue;
        kinds.add(result.kind);
        switch (result.kind) {
          case 'fanout':
            expect(result.deliveries).toBeGreaterThan(0);
            expect(result.sent).toBeGreaterThan(0);
            expect(result.lost).toBe(0);
            expect(result.disordered).toBe(0);
            expect(result.serverErrors).toBe(0);
            expect(result.closedByServer).toBe(0);
            expect(result.latency.count).toBe(result.deliveries);
            expect(result.latency.p50Ms).toBeGreaterThan(0);
            expect(result.latency.p50Ms).toBeLessThanOrEqual(result.latency.p99Ms);
            expect(result.latency.p99Ms).toBeLessThanOrEqual(result.latency.maxMs);
            // /proc counts CPU in 10 ms ticks: a starved server may show 0 over a short window.
            expect(result.cpu.server).toBeGreaterThanOrEqual(0);
            expect(result.cpu.generator).toBeGreaterThan(0);
            break;
          case 'storm':
            expect(result.failedConnections).toBe(0);
            expect(result.connectedDeliveries).toBe(result.expectedConnectedDeliveries);
            expect(result.expectedConnectedDeliveries).toBe((result.spec.clients * (result.spec.clients + 1)) / 2);
            expect(result.allLoggedInMs).toBeGreaterThan(0);
            expect(result.allConnectedMs).toBeGreaterThanOrEqual(result.allLoggedInMs);
            break;
          case 'idle':
            expect(result.failedConnections).toBe(0);
            expect(result.clients).toBe(result.spec.clients);
            expect(result.rssAfterKiB).toBeGreaterThan(result.rssBeforeKiB);
            expect(result.rssPerConnectionKiB).toBeGreaterThan(0);
            break;
        }
      }
    }
    expect([...kinds].sort()).toEqual(['fanout', 'idle', 'storm']);
    expect(report.scenarios.filter((s) => s.id.endsWith('-flat'))).toHaveLength(2);
    expect(report.scenarios.filter((s) => s.id.endsWith('-rate'))).toHaveLength(2);
    expect(report.scenarios.filter((s) => s.id.startsWith('rooms-')).map((s) => s.id)).toEqual(['rooms-6x10']);
    expect(stdout).toMatch(/server CPU µs per delivery.*≤ 110% of fanout-60-rate/);

    expect(report.ui, 'the UI bench ran').not.toBeNull();
    expect(report.ui && 'result' in report.ui, JSON.stringify(report.ui)).toBe(true);
    if (report.ui && 'result' in report.ui) {
      const ui = report.ui.result;
      expect(ui.append.lines).toBeGreaterThan(0);
      expect(ui.burst.msPer1000Lines).toBeGreaterThan(0);
      expect(ui.scroll.linesKept).toBeGreaterThan(0);
      expect(ui.scroll.steps).toBeGreaterThan(0);
      expect(ui.heap.baselineMiB).toBeGreaterThan(0);
      expect(ui.pastCap?.lines).toBeGreaterThan(ui.scroll.lines);
      // Quick sizes stay under the cap: every line is kept (and the login's system lines).
      expect(ui.pastCap?.linesKept).toBeGreaterThanOrEqual(ui.pastCap!.lines);
      expect(ui.pastCap?.heapMiB).toBeGreaterThan(0);
    }
  });
});
