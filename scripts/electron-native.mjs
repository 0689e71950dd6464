#!/usr/bin/env node
// Builds better-sqlite3 for the Electron in node_modules (its Node ABI differs from Node's)
// into native/electron/better_sqlite3.node, from a copy of the package in a temp folder, so
// node_modules keeps Node's build for the tests and the standalone server. The app loads
// this file through better-sqlite3's `nativeBinding`; electron-builder ships it as an extra
// resource (npmRebuild is off: it would rebuild node_modules in place).
//
// First a prebuilt binary for Electron's ABI (prebuild-install, from better-sqlite3's
// GitHub releases), else a compile against Electron's headers (node-gyp). Both need the
// network the first time; then it is a no-op until Electron, the platform or the arch change.
// `--force` builds again anyway.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(join(root, 'package.json'));
const electron = JSON.parse(readFileSync(require.resolve('electron/package.json'), 'utf8')).version;
const sqlitePackage = dirname(require.resolve('better-sqlite3/package.json'));
const sqlite = JSON.parse(readFileSync(join(sqlitePackage, 'package.json'), 'utf8')).version;
const arch = process.env.npm_config_arch || process.arch;
const platform = process.platform;

const outDir = join(root, 'native', 'electron');
const out = join(outDir, 'better_sqlite3.node');
const stampFile = join(outDir, 'built-for.json');
const stamp = JSON.stringify({ electron, betterSqlite3: sqlite, platform, arch });

if (!process.argv.includes('--force') && existsSync(out) && existsSync(stampFile) && readFileSync(stampFile, 'utf8') === stamp) {
  process.exit(0);
}

const work = mkdtempSync(join(tmpdir(), 'simplechat-electron-native-'));
const copy = join(work, 'better-sqlite3');
const run = (file, args) => execFileSync(process.execPath, [file, ...args], { cwd: copy, stdio: 'inherit' });
try {
  cpSync(sqlitePackage, copy, { recursive: true, filter: (path) => !path.startsWith(join(sqlitePackage, 'build')) });
  console.log(`electron-native: better-sqlite3 ${sqlite} for Electron ${electron} (${platform}-${arch})`);
  try {
    run(require.resolve('prebuild-install/bin.js'), ['--runtime', 'electron', '--target', electron, '--arch', arch, '--platform', platform]);
  } catch {
    console.log('electron-native: no prebuilt binary; compiling against Electron’s headers');
    const nodeGyp = process.env.npm_config_node_gyp || require.resolve('node-gyp/bin/node-gyp.js');
    run(nodeGyp, ['rebuild', '--release', `--target=${electron}`, `--arch=${arch}`, '--runtime=electron', '--dist-url=https://electronjs.org/headers']);
  }
  const built = join(copy, 'build', 'Release', 'better_sqlite3.node');
  if (!existsSync(built)) throw new Error(`no ${built} after the build`);
  mkdirSync(outDir, { recursive: true });
  cpSync(built, out);
  writeFileSync(stampFile, stamp);
  console.log(`electron-native: ${out}`);
} catch (error) {
  console.error(`electron-native: could not build better-sqlite3 for Electron ${electron}: ${error.message}`);
  console.error('electron-native: the app still runs, without a database (its hosted room keeps history in memory and the state file).');
  process.exitCode = process.argv.includes('--required') ? 1 : 0;
} finally {
  rmSync(work, { recursive: true, force: true });
}
