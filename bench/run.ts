/**
 * `npm run bench [-- options]`: runs the load scenarios against the real SimpleChat
 * server and the yardstick in the same run, then the UI bench in Chromium, prints
 * a table and writes bench/results/<timestamp>.json. Options: see USAGE.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, release, tmpdir, totalmem, type } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { spawnSync, type ChildProcess } from 'node:child_process';
import { DB_KINDS, SIMPLECHAT, SIMPLECHAT_DB, STORM_HISTORY_LINES, YARDSTICK, scenarios, type Scenario, type ServerTarget } from './plan';
import { seedDatabase } from './seed-db';
import { summariseProfile } from './profile-summary';
import { markdown, textTable, type BenchReport, type Machine, type ScenarioOutcome } from './report';
import { killAllChildren, ServerProcess, spawnTracked, type ServerMemory } from './server-process';
import type { FromGenerator, LoadResult, LoadSpec, ToGenerator } from './types';
import { runUiBench } from './ui/ui-bench';

function repositoryRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error('cannot find the repository root (package.json)');
    dir = parent;
  }
  return dir;
}

const USAGE = `Usage: npm run bench -- [options]   (or: node dist/bench/run.js [options])

  --quick              small sizes (the test suite runs this)
  --markdown           print the table as Markdown (for docs/PERFORMANCE.md)
  --only LIST          comma-separated scenario ids or kinds: fanout, storm, idle, ui
  --target NAME        simplechat, simplechat-db (--db: fan-out and storm) or yardstick
                       (default: all three; repeatable)
  --results-dir DIR    where the JSON goes (default bench/results)
  --no-pin             do not pin the server and the generator to a core each
  --profile            V8 CPU profiles of each server run, and of the page during the
                       UI phases (unminified renderer build), into DIR/profiles/<timestamp>
  --profile-generator  the same for the load generator
  --from FILE          print the table of an earlier run's JSON; runs nothing
  --summarise FILE...  where .cpuprofile files' time went (self time per function); runs nothing
  --window N           in-flight messages per flat-out sender (default 8; for exploring)
  --measure-ms N       length of each measured window (for exploring)
  --yardstick-arg=A    pass A to the yardstick server (e.g. --yardstick-arg=--adaptive-gap)
  --help               this text
`;

const root = repositoryRoot();
const { values: options, positionals } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    markdown: { type: 'boolean', default: false },
    only: { type: 'string' },
    target: { type: 'string', multiple: true },
    'results-dir': { type: 'string' },
    'no-pin': { type: 'boolean', default: false },
    profile: { type: 'boolean', default: false },
    'profile-generator': { type: 'boolean', default: false },
    from: { type: 'string' },
    summarise: { type: 'boolean', default: false },
    window: { type: 'string' },
    'measure-ms': { type: 'string' },
    'yardstick-arg': { type: 'string', multiple: true },
    help: { type: 'boolean', default: false },
  },
  strict: true,
  allowPositionals: true,
});

const log = (line: string) => process.stderr.write(`${line}\n`);

function canPin(): boolean {
  if (options['no-pin'] || cpus().length < 2) return false;
  return spawnSync('taskset', ['-c', '0', 'true']).status === 0;
}

function machine(pinned: boolean): Machine {
  const cpu = cpus();
  return {
    cpuModel: cpu[0]?.model.trim() ?? 'unknown',
    cores: cpu.length,
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    node: process.versions.node,
    os: `${type()} ${release()}`,
    loadAverage: loadavg().map((l) => Math.round(l * 100) / 100),
    pinned,
  };
}

/** How long one scenario may take on one server before it is abandoned. */
function hardTimeoutMs(spec: LoadSpec): number {
  switch (spec.kind) {
    case 'fanout':
      return 90_000 + spec.clients * 30 + spec.warmupMs + spec.measureMs + spec.drainTimeoutMs;
    case 'storm':
    case 'idle':
      return spec.timeoutMs + 60_000;
  }
}

/** Disconnecting tells the generator to exit (writing its profile, if any); SIGKILL if it lingers. */
function stopGenerator(generator: ChildProcess): Promise<void> {
  if (generator.exitCode !== null || generator.signalCode !== null) return Promise.resolve();
  return new Promise((resolveStop) => {
    const timer = setTimeout(() => generator.kill('SIGKILL'), 5_000);
    generator.once('exit', () => {
      clearTimeout(timer);
      resolveStop();
    });
    if (generator.connected) generator.disconnect();
    else generator.kill('SIGKILL');
  });
}

interface RunContext {
  pinned: boolean;
  /** Where V8 CPU profiles go, for whichever processes are profiled. */
  serverProfileDir: string | undefined;
  generatorProfileDir: string | undefined;
  /** Names the profiles: scenario and target. */
  label: string;
}

async function runOnTarget(target: ServerTarget, spec: LoadSpec, context: RunContext): Promise<LoadResult> {
  const script = join(root, target.script);
  if (!existsSync(script)) throw new Error(`${target.script} is not built (run node scripts/build.mjs)`);
  let dbDir: string | undefined;
  let args = target.args;
  if (target.name === 'simplechat-db') {
    dbDir = mkdtempSync(join(tmpdir(), 'simplechat-bench-db-'));
    const db = join(dbDir, 'bench.db');
    if (spec.kind === 'storm') seedDatabase(db, STORM_HISTORY_LINES);
    args = [...args, '--db', db];
  }
  try {
    return await runOnServer(script, args, spec, context);
  } finally {
    if (dbDir !== undefined) rmSync(dbDir, { recursive: true, force: true });
  }
}

async function runOnServer(script: string, args: string[], spec: LoadSpec, context: RunContext): Promise<LoadResult> {
  const server = await ServerProcess.start({
    script,
    args,
    cpu: context.pinned ? 0 : undefined,
    inspect: spec.kind === 'idle',
    cpuProfileDir: context.serverProfileDir,
    cpuProfileName: `server-${context.label}.cpuprofile`,
  });
  try {
    const before = spec.kind === 'idle' ? await server.settledMemory() : undefined;
    let after: ServerMemory | undefined;
    let cpuAtStart = 0;
    let wallAtStart = 0;
    let serverCpu = 0;

    const generator = spawnTracked(join(root, 'dist/bench/load-generator.js'), [], {
      cpu: context.pinned ? 1 : undefined,
      ipc: true,
      nodeFlags: context.generatorProfileDir
        ? ['--cpu-prof', `--cpu-prof-dir=${context.generatorProfileDir}`, `--cpu-prof-name=generator-${context.label}.cpuprofile`]
        : [],
    });
    generator.stdout!.pipe(process.stderr);
    generator.stderr!.pipe(process.stderr);
    const send = (message: ToGenerator) => generator.send(message);

    const result = await new Promise<LoadResult>((resolvePromise, reject) => {
      const timer = setTimeout(() => reject(new Error(`abandoned after ${hardTimeoutMs(spec)} ms`)), hardTimeoutMs(spec));
      const finish = (error: Error | undefined, value?: LoadResult) => {
        clearTimeout(timer);
        generator.off('exit', onExit);
        if (error) reject(error);
        else resolvePromise(value!);
      };
      const onExit = (code: number | null) => finish(new Error(`the load generator exited (code ${code}) without a result`));
      generator.once('exit', onExit);
      generator.on('message', (message: FromGenerator) => {
        switch (message.type) {
          case 'checkpoint':
            if (message.name === 'measure-start') {
              cpuAtStart = server.cpuMs();
              wallAtStart = performance.now();
              send({ type: 'continue' });
            } else if (message.name === 'measure-end') {
              const wall = performance.now() - wallAtStart;
              serverCpu = Math.round(((server.cpuMs() - cpuAtStart) / wall) * 1000) / 10;
              send({ type: 'continue' });
            } else {
              server.settledMemory(1_000).then(
                (memory) => {
                  after = memory;
                  send({ type: 'continue' });
                },
                (error: Error) => finish(error),
              );
            }
            return;
          case 'result':
            return finish(undefined, message.result);
          case 'failed':
            return finish(new Error(message.message));
        }
      });
      send({ type: 'run', url: server.url, spec });
    }).finally(() => {
      // The server goes first, so the generator's sockets closing is not timed as work.
      return server.stop().then(() => stopGenerator(generator));
    });

    if (result.kind === 'fanout' || result.kind === 'storm') result.cpu.server = serverCpu;
    if (result.kind === 'idle' && before && after) {
      result.rssBeforeKiB = before.rssKiB;
      result.rssAfterKiB = after.rssKiB;
      result.rssPerConnectionKiB = Math.round(((after.rssKiB - before.rssKiB) / result.clients) * 100) / 100;
      if (before.heapUsedKiB !== null && after.heapUsedKiB !== null) {
        result.heapPerConnectionKiB = Math.round(((after.heapUsedKiB - before.heapUsedKiB) / result.clients) * 100) / 100;
      }
    }
    return result;
  } finally {
    await server.stop();
  }
}

function selected(scenario: Scenario | 'ui', only: string[] | undefined): boolean {
  if (!only) return true;
  if (scenario === 'ui') return only.includes('ui');
  return only.includes(scenario.id) || only.includes(scenario.spec.kind);
}

async function main(): Promise<void> {
  if (options.help) {
    process.stdout.write(USAGE);
    return;
  }
  if (options.summarise) {
    for (const file of positionals) process.stdout.write(`${summariseProfile(resolve(file))}\n\n`);
    return;
  }
  if (positionals.length > 0) throw new Error(`unexpected arguments: ${positionals.join(' ')}`);
  if (options.from) {
    const report = JSON.parse(readFileSync(resolve(options.from), 'utf8')) as BenchReport;
    process.stdout.write(`${options.markdown ? markdown(report) : textTable(report)}\n`);
    return;
  }

  const pinned = canPin();
  const quick = options.quick;
  const only = options.only?.split(',').map((s) => s.trim());
  const wanted = options.target ?? ['simplechat', 'simplechat-db', 'yardstick'];
  const yardstick = { ...YARDSTICK, args: [...YARDSTICK.args, ...(options['yardstick-arg'] ?? [])] };
  const targets = [SIMPLECHAT, SIMPLECHAT_DB, yardstick].filter((t) => wanted.includes(t.name));
  const resultsDir = resolve(options['results-dir'] ?? join(root, 'bench/results'));
  const startedAt = new Date();
  const stamp = startedAt.toISOString().replace(/[:.]/g, '-');
  const profiling = options.profile || options['profile-generator'];
  const profileDir = profiling ? join(resultsDir, 'profiles', stamp) : undefined;
  mkdirSync(resultsDir, { recursive: true });
  if (profileDir) mkdirSync(profileDir, { recursive: true });

  const report: BenchReport = {
    command: `npm run bench --${process.argv.slice(2).map((a) => ` ${a}`).join('')}`.replace(/ --$/, ''),
    startedAt: startedAt.toISOString(),
    finishedAt: '',
    quick,
    machine: machine(pinned),
    scenarios: [],
    ui: null,
  };

  const overrides = {
    window: options.window === undefined ? undefined : Number(options.window),
    measureMs: options['measure-ms'] === undefined ? undefined : Number(options['measure-ms']),
  };
  for (const scenario of scenarios(quick, overrides)) {
    if (!selected(scenario, only)) continue;
    const outcome: ScenarioOutcome = { id: scenario.id, title: scenario.title, results: {}, errors: {} };
    report.scenarios.push(outcome);
    for (const target of targets) {
      if (target.name === 'simplechat-db' && !DB_KINDS.has(scenario.spec.kind)) continue;
      // The yardstick has one room: it knows no JoinRoom.
      if (target.name === 'yardstick' && scenario.spec.kind === 'fanout' && scenario.spec.rooms !== undefined) continue;
      log(`bench: ${scenario.title} — ${target.label}…`);
      try {
        outcome.results[target.name] = await runOnTarget(target, scenario.spec, {
          pinned,
          serverProfileDir: options.profile ? profileDir : undefined,
          generatorProfileDir: options['profile-generator'] ? profileDir : undefined,
          label: `${scenario.id}-${target.name}`,
        });
      } catch (error) {
        outcome.errors[target.name] = error instanceof Error ? error.message : String(error);
        log(`bench:   failed: ${outcome.errors[target.name]}`);
      }
    }
  }

  if (selected('ui', only)) {
    log(`bench: UI in Chromium…`);
    try {
      report.ui = await runUiBench({ root, quick, profileDir: options.profile ? profileDir : undefined });
    } catch (error) {
      report.ui = { error: error instanceof Error ? error.message : String(error) };
      log(`bench:   failed: ${report.ui.error}`);
    }
  }

  report.finishedAt = new Date().toISOString();
  const file = join(resultsDir, `${stamp}.json`);
  writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
  process.stdout.write(`${options.markdown ? markdown(report) : textTable(report)}\n\nResults: ${file}\n`);
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    killAllChildren();
    process.exit(130);
  });
}
process.on('exit', killAllChildren);

main().then(
  () => process.exit(0),
  (error: unknown) => {
    log(`bench: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    killAllChildren();
    process.exit(1);
  },
);
