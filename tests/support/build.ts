import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

/*
 * `npm test` builds everything before vitest starts, and test files run in parallel
 * while others read dist/: a test that rebuilt a target would pull it from under them
 * (the renderer's build starts by removing dist/renderer). So a test builds a target
 * only when its output is missing or older than the sources, as in a targeted run
 * (`npx vitest run tests/…` without a build).
 */

const ROOT = resolve(import.meta.dirname, '../..');

export type BuildTarget = 'server' | 'main' | 'preload' | 'renderer';

const OUTPUT: Record<BuildTarget, string> = {
  server: 'dist/server/cli.js',
  main: 'dist/main/main.js',
  preload: 'dist/preload/preload.cjs',
  renderer: 'dist/renderer/app.js',
};

const SOURCES = ['src-shared', 'src-main', 'src-renderer', 'assets', 'scripts/build.mjs'];

function newestMtime(path: string): number {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = 0;
  for (const name of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, name)));
  return newest;
}

/** Builds those of `targets` whose output is missing or stale; leaves fresh ones alone. */
export function ensureBuilt(...targets: BuildTarget[]): void {
  const sources = Math.max(...SOURCES.map((source) => newestMtime(join(ROOT, source))));
  const stale = targets.filter((target) => {
    const output = join(ROOT, OUTPUT[target]);
    return !existsSync(output) || statSync(output).mtimeMs < sources;
  });
  if (stale.length > 0) execFileSync(process.execPath, [join(ROOT, 'scripts/build.mjs'), ...stale], { cwd: ROOT, stdio: 'pipe' });
}
