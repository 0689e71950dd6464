import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS } from '../../../src-shared/bridge';
import type { Settings } from '../../../src-shared/bridge';
import { JsonFileSettingsStore } from '../../../src-main/app/settings-file';
import type { SettingsReadReport, SettingsStore } from '../../../src-main/app/settings-store';

// electron-store imports the `electron` package, which in plain Node is the path of a
// binary that cannot be downloaded here; this makes that import harmless.
process.env.ELECTRON_OVERRIDE_DIST_PATH ??= join(tmpdir(), 'no-electron-binary');
const { ElectronStoreSettings } = await import('../../../src-main/app/settings-electron-store');

const fixedNow = () => new Date('2026-01-02T03:04:05.678Z');

interface Kind {
  name: string;
  fileName: string;
  open(dir: string): SettingsStore & { report: SettingsReadReport };
}

const kinds: Kind[] = [
  { name: 'JSON file', fileName: 'settings.json', open: (dir) => new JsonFileSettingsStore(join(dir, 'settings.json'), fixedNow) },
  { name: 'electron-store', fileName: 'settings.json', open: (dir) => new ElectronStoreSettings({ cwd: dir, now: fixedNow }) },
];

describe.each(kinds)('settings in a $name', (kind) => {
  const fresh = () => mkdtempSync(join(tmpdir(), 'simplechat-settings-'));
  const file = (dir: string) => join(dir, kind.fileName);

  it('starts from the defaults and keeps what is saved', () => {
    const dir = fresh();
    const store = kind.open(dir);
    expect(store.get()).toEqual(DEFAULT_SETTINGS);
    store.update({ userName: 'Ann', port: 1234, window: { x: 5, y: 6, width: 700, height: 500, maximized: true } });
    const again = kind.open(dir);
    expect(again.get()).toMatchObject({ userName: 'Ann', port: 1234, window: { x: 5, y: 6, width: 700, height: 500, maximized: true } });
    expect(again.report).toEqual({ repaired: [] });
  });

  it('an old file with one saved key for a joined server: the key moves under that server, for good', () => {
    const dir = fresh();
    writeFileSync(file(dir), JSON.stringify({ server: 'Office.example', port: 9000, hostRoom: false, roomKey: 'old', userName: 'Ann' }));
    const store = kind.open(dir);
    expect(store.get()).toMatchObject({ roomKey: '', roomKeys: { 'office.example:9000': 'old' }, userName: 'Ann' });
    // The app then makes the hosted room's key: written alone, it must not be read as the old layout's key.
    store.update({ roomKey: 'newhostkey' });
    const again = kind.open(dir);
    expect(again.get()).toMatchObject({ roomKey: 'newhostkey', roomKeys: { 'office.example:9000': 'old' }, userName: 'Ann' });
    expect(again.report).toEqual({ repaired: [] });
  });

  it('a hand-edited file: bad keys get their defaults, good ones are kept', () => {
    const dir = fresh();
    writeFileSync(file(dir), JSON.stringify({ userName: 'Bob', port: 'eighty', userColor: '#abc', gender: 9, hostRoom: false, extra: 1, window: { x: 1 } }));
    const store = kind.open(dir);
    const expected: Settings = { ...DEFAULT_SETTINGS, userName: 'Bob', userColor: '#abc', hostRoom: false };
    expect(store.get()).toEqual(expected);
    expect(store.report.repaired.sort()).toEqual(['gender', 'port', 'window']);
    // Reading never rewrites the user's file.
    expect(JSON.parse(readFileSync(file(dir), 'utf8')).port).toBe('eighty');
  });

  it('a corrupted file: the app runs on defaults, and the file is kept aside before it is replaced', () => {
    const dir = fresh();
    const garbage = '{"userName": "Bob", "port": 12';
    writeFileSync(file(dir), garbage);
    const store = kind.open(dir);
    expect(store.get()).toEqual(DEFAULT_SETTINGS);
    expect(store.report.error).toMatch(/not valid JSON/);
    expect(store.report.backupPath).toBe(`${file(dir)}.unreadable-2026-01-02T03-04-05-678Z`);
    expect(readFileSync(store.report.backupPath!, 'utf8')).toBe(garbage);
    store.update({ userName: 'Cy' });
    expect(kind.open(dir).get().userName).toBe('Cy');
    expect(readFileSync(store.report.backupPath!, 'utf8')).toBe(garbage);
  });

  it('a file that is valid JSON but not an object reads as defaults', () => {
    const dir = fresh();
    writeFileSync(file(dir), '[1,2,3]');
    expect(kind.open(dir).get()).toEqual(DEFAULT_SETTINGS);
  });

  it('refuses a bad value from the main process (a programmer error) without writing', () => {
    const dir = fresh();
    const store = kind.open(dir);
    expect(() => store.update({ port: 0 })).toThrow(/invalid value for setting port/);
    expect(store.get().port).toBe(DEFAULT_SETTINGS.port);
  });

  it('a file ruined while the app runs is set aside and rewritten whole on the next save', () => {
    const dir = fresh();
    const store = kind.open(dir);
    store.update({ userName: 'Ann' });
    writeFileSync(file(dir), 'nonsense');
    store.update({ port: 4321 });
    const again = kind.open(dir);
    expect(again.get()).toMatchObject({ userName: 'Ann', port: 4321 });
    if (kind.name === 'electron-store') expect(readdirSync(dir).some((f) => f.includes('.unreadable-'))).toBe(true);
  });
});

describe('the JSON file store', () => {
  it('writes atomically: no temp file is left behind', () => {
    const dir = mkdtempSync(join(tmpdir(), 'simplechat-settings-'));
    const store = new JsonFileSettingsStore(join(dir, 'nested', 'settings.json'));
    store.update({ userName: 'Ann' });
    expect(readdirSync(join(dir, 'nested'))).toEqual(['settings.json']);
  });

  it('never overwrites a file it could not set aside', () => {
    const dir = mkdtempSync(join(tmpdir(), 'simplechat-settings-'));
    const path = join(dir, 'settings.json');
    writeFileSync(path, 'garbage');
    // A backup path that cannot be written: its name is taken by a folder.
    const now = () => new Date('2026-01-02T03:04:05.678Z');
    const blocked = `${path}.unreadable-2026-01-02T03-04-05-678Z`;
    mkdirSync(join(blocked, 'x'), { recursive: true });
    const store = new JsonFileSettingsStore(path, now);
    expect(store.report.error).toMatch(/could not be copied aside/);
    store.update({ userName: 'Ann' });
    expect(store.get().userName).toBe('Ann');
    expect(readFileSync(path, 'utf8')).toBe('garbage');
    expect(existsSync(blocked)).toBe(true);
  });
});
