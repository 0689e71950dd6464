import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

/*
 * scripts/audit-electron.mjs (Electronegativity over the built main, preload and
 * renderer) passes on our build, and fails where it must: a sample that turns on
 * nodeIntegration, and a copy of our own build with its navigation guard and permission
 * handler taken out — so neither the atomic nor the global checks can pass silently.
 */

const ROOT = join(__dirname, '../../..');
const SCRIPT = join(ROOT, 'scripts/audit-electron.mjs');
const DIST = join(ROOT, 'dist');
const temp = mkdtempSync(join(tmpdir(), 'simplechat-audit-test-'));

afterAll(() => rmSync(temp, { recursive: true, force: true }));

interface AuditRun {
  code: number;
  output: string;
}

function audit(dir?: string): Promise<AuditRun> {
  return new Promise((resolve) => {
    execFile(process.execPath, dir === undefined ? [SCRIPT] : [SCRIPT, dir], { cwd: ROOT, timeout: 60_000 }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === 'number' ? error.code : -1;
      resolve({ code, output: `${stdout}\n${stderr}` });
    });
  });
}

function write(dir: string, files: Record<string, string>): string {
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

const GOOD_HTML = `<!doctype html><html><head><meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'self'"></head><body></body></html>`;

/** A tiny main process: guarded navigation and permissions, but nodeIntegration on (and so no sandbox). */
const BAD_MAIN = `import { app, BrowserWindow, session, shell } from 'electron';
app.whenReady().then(() => {
  session.defaultSession.setPermissionRequestHandler((contents, permission, callback) => callback(false));
  const window = new BrowserWindow({
    webPreferences: { nodeIntegration: true, contextIsolation: true },
  });
  window.webContents.on('will-navigate', (event) => event.preventDefault());
  window.webContents.setWindowOpenHandler(() => ({ action: 'deny' }));
  //! eng-disable OPEN_EXTERNAL_JS_CHECK — fixture: a reviewed use, disabled in place with its reason
  shell.openExternal('https://example.org/');
  //! eng-disable CSP_GLOBAL_CHECK — trying to silence a global check
  //! eng-disable REMOTE_MODULE_JS_CHECK
  window.loadFile('index.html');
});
`;

describe('the Electron security audit (scripts/audit-electron.mjs)', () => {
  const runs = new Map<string, Promise<AuditRun>>();
  const once = (name: string, start: () => Promise<AuditRun>): Promise<AuditRun> => {
    if (!runs.has(name)) runs.set(name, start());
    return runs.get(name)!;
  };
  // The three audits run side by side (each parses the bundles for a few seconds).
  const ours = (): Promise<AuditRun> => once('ours', () => audit());
  const sample = (): Promise<AuditRun> =>
    once('sample', () =>
      audit(
        write(join(temp, 'bad-sample'), {
          'main/main.js': BAD_MAIN,
          'preload/preload.cjs': "const { contextBridge } = require('electron');\ncontextBridge.exposeInMainWorld('x', {});\n",
          'renderer/app.js': 'document.body.textContent = "hi";\n',
          'renderer/index.html': GOOD_HTML,
        }),
      ),
    );
  const unguarded = (): Promise<AuditRun> =>
    once('unguarded', () => {
      const dir = join(temp, 'unguarded');
      for (const part of ['main', 'preload', 'renderer']) cpSync(join(DIST, part), join(dir, part), { recursive: true });
      const main = join(dir, 'main/main.js');
      const code = readFileSync(main, 'utf8');
      // Our own build, its navigation limits and permission handler renamed away.
      writeFileSync(
        main,
        code
          .replaceAll('will-navigate', 'did-finish-load')
          .replaceAll('setWindowOpenHandler', 'setWindowTitleHandler')
          .replaceAll('setPermissionRequestHandler', 'setPermissionRequestLogger'),
      );
      return audit(dir);
    });

  it('passes on the built main, preload and renderer, having parsed every file', async () => {
    expect(existsSync(join(DIST, 'main/main.js')), 'dist/main/main.js: run `node scripts/build.mjs` (npm test does)').toBe(true);
    void sample();
    void unguarded();
    const run = await ours();
    expect(run.output).not.toMatch(/could not be parsed/);
    expect(run.output).toMatch(/0 finding\(s\) at MEDIUM or above/);
    expect(run.output).toMatch(/electron audit: passed/);
    expect(run.code, run.output).toBe(0);
  }, 60_000);

  it('fails on a sample with nodeIntegration: true, honours a disable with a reason, refuses others', async () => {
    const run = await sample();
    expect(run.code, run.output).toBe(1);
    expect(run.output).toMatch(/HIGH \w+ NODE_INTEGRATION_JS_CHECK at main\/main\.js/);
    // Disabled in place with a reason: not a finding.
    expect(run.output).not.toMatch(/OPEN_EXTERNAL_JS_CHECK at/);
    expect(run.output).toMatch(/CSP_GLOBAL_CHECK is a global check; it must find the real code/);
    expect(run.output).toMatch(/eng-disable needs check ids, then "—" and a reason/);
  }, 60_000);

  it("fails on our own build with its navigation limits and permission handler removed (the global checks read the real code)", async () => {
    const run = await unguarded();
    expect(run.code, run.output).toBe(1);
    expect(run.output).toMatch(/HIGH \w+ LIMIT_NAVIGATION_GLOBAL_CHECK/);
    expect(run.output).toMatch(/MEDIUM \w+ PERMISSION_REQUEST_HANDLER_GLOBAL_CHECK/);
  }, 60_000);

  it('fails when a built file is missing instead of passing on what is there', async () => {
    const run = await audit(write(join(temp, 'partial'), { 'main/main.js': BAD_MAIN }));
    expect(run.code).toBe(1);
    expect(run.output).toMatch(/preload\/preload\.cjs is missing/);
  });
});
