import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt } from '../../support/build';
import { ROOT } from './helpers';

/*
 * `electron-builder --dir` against a stub Electron folder (the real binary cannot be
 * downloaded here): what goes into the asar, and the fuses on the packaged binary.
 * The stub is a file carrying Electron's fuse sentinel and wire, as the real one does.
 */

const require = createRequire(import.meta.url);
const asar = require('@electron/asar') as { listPackage(archive: string, options: { isPack: boolean }): string[]; extractFile(archive: string, file: string): Buffer };
const fuses = require('@electron/fuses') as { getCurrentFuseWire(path: string): Promise<Record<string, unknown>> };

const FUSE_SENTINEL = 'dL7pKGdnNz796PbbjQWNKmHXBZaB9tsX';
const ENABLE = 49;
const DISABLE = 48;
/** Electron's defaults, in wire order: RunAsNode, CookieEncryption, NodeOptions, Inspect, AsarIntegrity, OnlyAsar, V8Snapshot, FileProtocol. */
const DEFAULT_WIRE = [ENABLE, DISABLE, ENABLE, ENABLE, DISABLE, DISABLE, DISABLE, ENABLE];

let out = '';
let files: string[] = [];

beforeAll(() => {
  ensureBuilt('main', 'preload', 'renderer');
  const stub = mkdtempSync(join(tmpdir(), 'simplechat-stub-electron-'));
  mkdirSync(join(stub, 'resources'));
  const binary = join(stub, 'electron');
  writeFileSync(binary, Buffer.concat([Buffer.from('#!/bin/sh\necho "stub Electron"\n'), Buffer.from(FUSE_SENTINEL), Buffer.from([1, DEFAULT_WIRE.length, ...DEFAULT_WIRE])]));
  chmodSync(binary, 0o755);
  writeFileSync(join(stub, 'version'), JSON.parse(readFileSync(join(ROOT, 'node_modules/electron/package.json'), 'utf8')).version);
  writeFileSync(join(stub, 'LICENSE'), 'stub');
  out = mkdtempSync(join(tmpdir(), 'simplechat-package-'));
  execFileSync(
    process.execPath,
    [require.resolve('electron-builder/cli.js'), '--dir', '--linux', '--x64', '--config', 'electron-builder.yml', `-c.electronDist=${stub}`, `-c.directories.output=${out}`, '-c.npmRebuild=false'],
    { cwd: ROOT, stdio: 'pipe', env: { ...process.env, CSC_IDENTITY_AUTO_DISCOVERY: 'false' }, timeout: 180_000 },
  );
  files = asar.listPackage(join(out, 'linux-unpacked/resources/app.asar'), { isPack: false }).map((f) => f.replaceAll('\\', '/'));
}, 240_000);

/** The packages production code may need: package.json dependencies and theirs, lit aside (bundled). */
function runtimeClosure(): Set<string> {
  const seen = new Set<string>();
  const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
  const queue = Object.keys(manifest.dependencies).filter((name) => name !== 'lit');
  while (queue.length > 0) {
    const name = queue.shift()!;
    if (seen.has(name)) continue;
    seen.add(name);
    const path = join(ROOT, 'node_modules', name, 'package.json');
    if (!existsSync(path)) continue;
    const pkg = JSON.parse(readFileSync(path, 'utf8')) as { dependencies?: Record<string, string>; optionalDependencies?: Record<string, string> };
    queue.push(...Object.keys({ ...pkg.dependencies, ...pkg.optionalDependencies }));
  }
  return seen;
}

const packagesIn = (list: string[]): Set<string> =>
  new Set(
    list
      .filter((f) => f.startsWith('/node_modules/'))
      .map((f) => f.split('/'))
      .filter((parts) => parts.length > 2)
      .map((parts) => (parts[2]!.startsWith('@') ? `${parts[2]}/${parts[3]}` : parts[2]!))
      .filter((name) => !name.endsWith('/undefined')),
  );

describe('the packaged app (electron-builder --dir)', () => {
  it('holds the built code: main, preload, renderer, the icon and package.json', () => {
    for (const file of ['/package.json', '/dist/main/main.js', '/dist/preload/preload.cjs', '/dist/renderer/index.html', '/dist/renderer/app.js', '/assets/icon.png']) {
      expect(files, file).toContain(file);
    }
    const manifest = JSON.parse(asar.extractFile(join(out, 'linux-unpacked/resources/app.asar'), 'package.json').toString('utf8')) as { main: string };
    expect(files).toContain(`/${manifest.main}`);
  });

  it('holds no sources, tests, maps, TypeScript, docs or the standalone server', () => {
    const leaks = files.filter(
      (f) => /^\/(src-|tests|bench|scripts|docs|release|\.ci|\.git)/.test(f) || /\.(map|ts|tsx)$/.test(f) || f.startsWith('/dist/server') || f.startsWith('/dist/bench'),
    );
    expect(leaks).toEqual([]);
  });

  it('holds the runtime dependencies and nothing else from node_modules', () => {
    const packed = packagesIn(files);
    const allowed = runtimeClosure();
    expect([...packed].filter((name) => !allowed.has(name))).toEqual([]);
    for (const needed of ['ws', 'electron-store', 'conf']) expect(packed).toContain(needed);
    for (const dev of ['electron', 'typescript', 'vitest', 'esbuild', 'electron-builder', 'playwright-core', 'lit']) expect(packed.has(dev), dev).toBe(false);
  });

  it('main.js imports only what the package holds (or Node and Electron)', () => {
    const main = asar.extractFile(join(out, 'linux-unpacked/resources/app.asar'), 'dist/main/main.js').toString('utf8');
    const specifiers = [...main.matchAll(/^import .* from "([^"]+)"/gm)].map((m) => m[1]!);
    const packed = packagesIn(files);
    // A subpath ('image-size/fromFile') is its package's.
    const packageOf = (s: string): string => s.split('/').slice(0, s.startsWith('@') ? 2 : 1).join('/');
    const missing = specifiers.filter((s) => !s.startsWith('node:') && s !== 'electron' && !packed.has(packageOf(s)));
    expect(missing).toEqual([]);
  });

  it('ships better-sqlite3’s JavaScript but no native build; node_modules keeps the one Node loads', () => {
    expect(packagesIn(files)).toContain('better-sqlite3');
    expect(files.filter((f) => f.endsWith('.node'))).toEqual([]);
    // Electron's build (scripts/electron-native.mjs) rides along as a resource when it has been made.
    if (existsSync(join(ROOT, 'native/electron/better_sqlite3.node'))) {
      expect(existsSync(join(out, 'linux-unpacked/resources/native/better_sqlite3.node'))).toBe(true);
    }
    const Database = require('better-sqlite3') as new (path: string) => { close(): void };
    new Database(':memory:').close();
  });

  it('flips the fuses on the packaged binary', async () => {
    const wire = await fuses.getCurrentFuseWire(join(out, 'linux-unpacked/simplechat'));
    expect(wire).toMatchObject({
      version: '1',
      0: DISABLE, // RunAsNode
      1: ENABLE, // CookieEncryption
      2: DISABLE, // NODE_OPTIONS
      3: DISABLE, // --inspect
      4: ENABLE, // asar integrity
      5: ENABLE, // only load the app from the asar
      7: DISABLE, // no extra file:// privileges
    });
  });
});
