/**
 * The run's report: a JSON document for bench/results/, and the same figures as a
 * plain table (stdout) or a Markdown table (`--markdown`, for docs/PERFORMANCE.md).
 */
import { oneRoomBaselineId } from './plan';
import type { LoadResult, MainThreadWork, TargetName, UiResult } from './types';

export interface Machine {
  cpuModel: string;
  cores: number;
  memoryGiB: number;
  node: string;
  os: string;
  loadAverage: number[];
  /** Whether the server and the load generator were pinned to cores of their own. */
  pinned: boolean;
}

export interface ScenarioOutcome {
  id: string;
  title: string;
  results: Partial<Record<TargetName, LoadResult>>;
  errors: Partial<Record<TargetName, string>>;
}

export interface BenchReport {
  command: string;
  startedAt: string;
  finishedAt: string;
  quick: boolean;
  machine: Machine;
  scenarios: ScenarioOutcome[];
  ui: { result: UiResult } | { error: string } | { skipped: string } | null;
}

interface Row {
  scenario: string;
  figure: string;
  simplechat: number | null;
  /** The same server with --db. */
  db: number | null;
  yardstick: number | null;
  /** Whether SimpleChat / yardstick (and --db / memory) means anything for this figure. */
  ratio: boolean;
  targets?: Array<{ text: string; met: boolean | null }>;
}

type Figure = { name: string; of: (result: LoadResult) => number | null; ratio?: boolean };

const FIGURES: Record<LoadResult['kind'], Figure[]> = {
  fanout: [
    { name: 'deliveries/s', of: (r) => (r.kind === 'fanout' ? r.deliveriesPerSec : null) },
    { name: 'latency p50 ms', of: (r) => (r.kind === 'fanout' ? r.latency.p50Ms : null) },
    { name: 'latency p95 ms', of: (r) => (r.kind === 'fanout' ? r.latency.p95Ms : null) },
    { name: 'latency p99 ms', of: (r) => (r.kind === 'fanout' ? r.latency.p99Ms : null) },
    { name: 'latency max ms', of: (r) => (r.kind === 'fanout' ? r.latency.maxMs : null) },
    { name: 'lost', of: (r) => (r.kind === 'fanout' ? r.lost : null), ratio: false },
    { name: 'server CPU %', of: (r) => (r.kind === 'fanout' ? r.cpu.server : null) },
    { name: 'generator CPU %', of: (r) => (r.kind === 'fanout' ? r.cpu.generator : null) },
    { name: 'server CPU µs per delivery', of: (r) => (r.kind === 'fanout' ? cpuPerDeliveryUs(r.cpu.server, r.deliveriesPerSec) : null) },
  ],
  storm: [
    { name: 'all logged in, s', of: (r) => (r.kind === 'storm' ? r.allLoggedInMs / 1000 : null) },
    { name: 'all Connected delivered, s', of: (r) => (r.kind === 'storm' ? r.allConnectedMs / 1000 : null) },
    { name: 'failed connections', of: (r) => (r.kind === 'storm' ? r.failedConnections : null), ratio: false },
    { name: 'server CPU %', of: (r) => (r.kind === 'storm' ? r.cpu.server : null) },
    { name: 'generator CPU %', of: (r) => (r.kind === 'storm' ? r.cpu.generator : null) },
  ],
  idle: [
    { name: 'RSS per connection, KiB', of: (r) => (r.kind === 'idle' ? r.rssPerConnectionKiB : null) },
    { name: 'JS heap per connection, KiB', of: (r) => (r.kind === 'idle' ? r.heapPerConnectionKiB : null) },
  ],
};

/** Issue 12 §7: the --db server's figure (or its ratio to the memory store's in the same run). */
const DB_TARGETS: Record<string, Record<string, (db: number, ratio: number | null) => { text: string; met: boolean | null }>> = {
  'fanout-100-flat': { 'deliveries/s': (_db, ratio) => ({ text: '--db ≥ 90% of memory', met: ratio === null ? null : ratio >= 0.9 }) },
  'fanout-1000-flat': { 'deliveries/s': (_db, ratio) => ({ text: '--db ≥ 90% of memory', met: ratio === null ? null : ratio >= 0.9 }) },
  'storm-2000': { 'all Connected delivered, s': (db) => ({ text: '--db (50 lines of history each) < 8 s', met: db < 8 }) },
};

/** Issue 5 §2, for the full-size scenarios. `met` compares SimpleChat's figure (or ratio). */
const TARGETS: Record<string, Record<string, (sc: number, ratio: number | null) => { text: string; met: boolean | null }>> = {
  'fanout-100-flat': {
    'deliveries/s': (_sc, ratio) => ({ text: '≥ 85% of yardstick', met: ratio === null ? null : ratio >= 0.85 }),
    'latency p99 ms': (sc) => ({ text: '≤ 25 ms', met: sc <= 25 }),
    lost: (sc) => ({ text: '0', met: sc === 0 }),
  },
  'fanout-1000-flat': {
    'deliveries/s': (_sc, ratio) => ({ text: '≥ 85% of yardstick', met: ratio === null ? null : ratio >= 0.85 }),
    lost: (sc) => ({ text: '0', met: sc === 0 }),
  },
  'storm-2000': {
    'all Connected delivered, s': (sc) => ({ text: '< 8 s', met: sc < 8 }),
  },
  'idle-5000': {
    'RSS per connection, KiB': (sc) => ({ text: '≤ 12 KiB', met: sc <= 12 }),
  },
};

/** Percent of a core is 10 000 µs of CPU a second. */
function cpuPerDeliveryUs(cpuPercent: number, deliveriesPerSec: number): number | null {
  return deliveriesPerSec > 0 ? Math.round((cpuPercent * 10_000 * 1000) / deliveriesPerSec) / 1000 : null;
}

/** Issue 13: a delivery in 100 rooms × 10 costs at most 110% of one in the one-room run of the same size, same run. */
const ROOMS_COST = 'server CPU µs per delivery';
const ROOMS_MAX_RATIO = 1.1;

function roomsTarget(report: BenchReport, outcome: ScenarioOutcome, figure: string, sc: number | null): { text: string; met: boolean | null } | null {
  const result = outcome.results.simplechat;
  if (figure !== ROOMS_COST || sc === null || result?.kind !== 'fanout' || result.spec.rooms === undefined) return null;
  const baselineId = oneRoomBaselineId(result.spec.clients);
  const baseline = report.scenarios.find((s) => s.id === baselineId)?.results.simplechat;
  const base = baseline?.kind === 'fanout' ? cpuPerDeliveryUs(baseline.cpu.server, baseline.deliveriesPerSec) : null;
  const text = `≤ 110% of ${baselineId}${base === null ? '' : ` (${formatNumber(base)})`}`;
  return { text, met: base === null || base === 0 ? null : sc <= base * ROOMS_MAX_RATIO };
}

function rows(report: BenchReport): Row[] {
  const out: Row[] = [];
  for (const outcome of report.scenarios) {
    const any = outcome.results.simplechat ?? outcome.results['simplechat-db'] ?? outcome.results.yardstick;
    if (!any) {
      out.push({ scenario: outcome.title, figure: 'failed', simplechat: null, db: null, yardstick: null, ratio: false });
      continue;
    }
    for (const figure of FIGURES[any.kind]) {
      const sc = outcome.results.simplechat ? figure.of(outcome.results.simplechat) : null;
      const ys = outcome.results.yardstick ? figure.of(outcome.results.yardstick) : null;
      const db = outcome.results['simplechat-db'] ? figure.of(outcome.results['simplechat-db']) : null;
      const row: Row = { scenario: outcome.title, figure: figure.name, simplechat: sc, db, yardstick: ys, ratio: figure.ratio !== false };
      const target = TARGETS[outcome.id]?.[figure.name];
      const results = [];
      if (target && sc !== null) results.push(target(sc, ratioOf(row)));
      const rooms = roomsTarget(report, outcome, figure.name, sc);
      if (rooms) results.push(rooms);
      const dbTarget = DB_TARGETS[outcome.id]?.[figure.name];
      if (dbTarget && db !== null) results.push(dbTarget(db, dbRatioOf(row)));
      if (results.length > 0) row.targets = results;
      out.push(row);
    }
  }
  return out;
}

function ratioOf(row: Row): number | null {
  if (!row.ratio || row.simplechat === null || row.yardstick === null || row.yardstick === 0) return null;
  return row.simplechat / row.yardstick;
}

function dbRatioOf(row: Row): number | null {
  if (!row.ratio || row.db === null || row.simplechat === null || row.simplechat === 0) return null;
  return row.db / row.simplechat;
}

function formatNumber(value: number | null): string {
  if (value === null) return '—';
  if (Number.isInteger(value) && Math.abs(value) >= 1000) return value.toLocaleString('en-US');
  if (Math.abs(value) >= 100) return String(Math.round(value));
  return String(Math.round(value * 100) / 100);
}

const formatRatio = (ratio: number | null) => (ratio === null ? '' : `${Math.round(ratio * 100)}%`);
const formatTarget = (targets: Row['targets']) =>
  (targets ?? []).map((target) => `${target.text} ${target.met === null ? '?' : target.met ? 'met' : 'MISSED'}`).join('; ');

function uiRows(report: BenchReport): string[][] {
  if (!report.ui) return [];
  if ('error' in report.ui) return [['UI', 'failed', report.ui.error, '']];
  if ('skipped' in report.ui) return [['UI', 'skipped', report.ui.skipped, '']];
  const ui = report.ui.result;
  const longTasks = (t: { count: number; maxMs: number }) => `${t.count} (max ${formatNumber(t.maxMs)} ms)`;
  const met = (ok: boolean) => (ok ? 'met' : 'MISSED');
  const work = (w: MainThreadWork) => `script ${w.scriptMs} / style ${w.styleMs} / layout ${w.layoutMs} (${w.layouts} layouts)`;
  const rows: string[][] = [];
  const firstLoad = ui.firstLoad;
  if (firstLoad) {
    const spread = (values: number[]) => (values.length > 1 ? ` (${formatNumber(Math.min(...values))}–${formatNumber(Math.max(...values))})` : '');
    const kb = (bytes: number) => Math.round(bytes / 100) / 10;
    const title = `first load of the room's page, median of ${firstLoad.runs}`;
    const bytes = firstLoad.unthrottled.map((r) => r.bytes);
    rows.push(
      [title, 'KB on the wire, cold cache', `${kb(firstLoad.medians.bytes)}${spread(bytes.map(kb))} in ${firstLoad.unthrottled[0]?.requests ?? 0} requests`, `< 50 KB ${met(firstLoad.medians.bytes < 50_000)}`],
      [title, 'ms to a usable connect dialog', `${formatNumber(firstLoad.medians.usableMs)}${spread(firstLoad.unthrottled.map((r) => r.usableMs))}`, `< 300 ms ${met(firstLoad.medians.usableMs < 300)}`],
      [title, 'ms to a usable connect dialog, CPU 4× slower', `${formatNumber(firstLoad.medians.usableMs4x)}${spread(firstLoad.throttled4x.map((r) => r.usableMs))}`, `< 1000 ms ${met(firstLoad.medians.usableMs4x < 1000)}`],
      [title, 'KB on the wire for a reload (304s)', `${kb(firstLoad.medians.reloadBytes)}, ${firstLoad.unthrottled[0]?.reloadNotModified ?? 0} not modified`, ''],
    );
  }
  rows.push(
    [`append ${ui.append.lines} lines at ${ui.append.linesPerSec}/s`, 'long tasks > 50 ms', longTasks(ui.append.longTasks), `none ${met(ui.append.longTasks.maxMs <= 50)}`],
    [`append ${ui.append.lines} lines at ${ui.append.linesPerSec}/s`, 'longest frame gap, ms', formatNumber(ui.append.maxFrameGapMs), ''],
    [`append ${ui.append.lines} lines at ${ui.append.linesPerSec}/s`, 'main thread, ms', work(ui.append.mainThread), ''],
    [`append ${ui.burst.lines} lines flat out`, 'ms per 1000 lines (mean / max)', `${formatNumber(ui.burst.msPer1000Lines)} / ${formatNumber(ui.burst.maxMsPer1000Lines)}`, ''],
    [`append ${ui.burst.lines} lines flat out`, 'main thread, ms', work(ui.burst.mainThread), ''],
    [`scroll a ${ui.scroll.lines}-line log`, 'lines kept by the log', ui.scroll.linesKept === null ? 'unknown' : formatNumber(ui.scroll.linesKept), ''],
    [`scroll a ${ui.scroll.lines}-line log`, 'most lines in the DOM', formatNumber(ui.scroll.maxLinesInDom), ''],
    [`scroll a ${ui.scroll.lines}-line log`, 'long tasks > 50 ms', longTasks(ui.scroll.longTasks), `none ${met(ui.scroll.longTasks.maxMs <= 50)}`],
    [`scroll a ${ui.scroll.lines}-line log`, 'longest frame gap, ms', formatNumber(ui.scroll.maxFrameGapMs), ''],
    [`scroll a ${ui.scroll.lines}-line log`, `main thread over ${ui.scroll.steps} steps, ms`, work(ui.scroll.mainThread), ''],
    [
      'JS heap after GC',
      `MiB: loaded / ${ui.append.lines} lines / ${ui.scroll.lines} lines`,
      `${ui.heap.baselineMiB} / ${ui.heap.afterAppendMiB} / ${ui.heap.afterScrollLogMiB}`,
      '',
    ],
  );
  const pastCap = ui.pastCap;
  if (pastCap) {
    rows.push([
      `append on, to ${pastCap.lines} lines`,
      'lines kept / JS heap after GC, MiB',
      `${pastCap.linesKept === null ? 'unknown' : formatNumber(pastCap.linesKept)} / ${pastCap.heapMiB}`,
      // Bounded: past the cap, the heap stays within 10% of where the full log left it.
      pastCap.linesKept !== null && pastCap.linesKept < pastCap.lines ? `flat past the cap ${met(pastCap.heapMiB <= ui.heap.afterScrollLogMiB * 1.1)}` : '',
    ]);
  }
  return rows;
}

function loadTable(report: BenchReport): string[][] {
  return rows(report).map((row) => [
    row.scenario,
    row.figure,
    formatNumber(row.simplechat),
    formatNumber(row.db),
    formatNumber(row.yardstick),
    formatRatio(ratioOf(row)),
    formatRatio(dbRatioOf(row)),
    formatTarget(row.targets),
  ]);
}

export function machineLine(report: BenchReport): string {
  const m = report.machine;
  return `${m.cpuModel}, ${m.cores} cores, ${m.memoryGiB} GiB, Node ${m.node}, ${m.os}; load average at start ${m.loadAverage.join(' ')}; ${m.pinned ? 'server and generator pinned to a core each' : 'not pinned'}`;
}

function errors(report: BenchReport): string[] {
  const lines: string[] = [];
  for (const outcome of report.scenarios) {
    for (const [target, error] of Object.entries(outcome.errors)) lines.push(`${outcome.title} — ${target}: ${error}`);
  }
  return lines;
}

export function textTable(report: BenchReport): string {
  const header = ['scenario', 'figure', 'SimpleChat', 'SimpleChat --db', 'yardstick', 'SC/YS', 'db/SC', 'target'];
  const body = loadTable(report);
  const ui = uiRows(report);
  const all = [header, ...body, ...ui.map(([a, b, c, d]) => [a!, b!, c!, '', '', '', '', d!])];
  const widths = header.map((_, i) => Math.max(...all.map((r) => r[i]!.length)));
  const line = (r: string[]) => r.map((cell, i) => (i >= 2 && i <= 6 ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!))).join('  ').trimEnd();
  let previous = '';
  const out = [line(header), widths.map((w) => '-'.repeat(w)).join('  ')];
  for (const r of all.slice(1)) {
    out.push(line([r[0] === previous ? '' : r[0]!, ...r.slice(1)]));
    previous = r[0]!;
  }
  const failures = errors(report);
  if (failures.length) out.push('', 'Failures:', ...failures.map((e) => `  ${e}`));
  out.push('', `Machine: ${machineLine(report)}`);
  return out.join('\n');
}

export function markdown(report: BenchReport): string {
  const escape = (cell: string) => cell.replace(/\|/g, '\\|');
  const md = (r: string[]) => `| ${r.map(escape).join(' | ')} |`;
  const out = [
    `Command: \`${report.command}\` — ${report.startedAt.slice(0, 16).replace('T', ' ')} UTC`,
    '',
    `Machine: ${machineLine(report)}`,
    '',
    md(['Scenario', 'Figure', 'SimpleChat', 'SimpleChat --db', 'Yardstick', 'SimpleChat / yardstick', '--db / memory', 'Target']),
    md(['---', '---', '---:', '---:', '---:', '---:', '---:', '---']),
    ...loadTable(report).map(md),
  ];
  const ui = uiRows(report);
  if (ui.length) {
    out.push('', md(['UI (Chromium)', 'Figure', 'Value', 'Target']), md(['---', '---', '---:', '---']), ...ui.map(md));
  }
  const failures = errors(report);
  if (failures.length) out.push('', 'Failures:', '', ...failures.map((e) => `- ${e}`));
  return out.join('\n');
}
