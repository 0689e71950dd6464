import { closeSync, copyFileSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { DEFAULT_SETTINGS, repairSettings, structuredCloneSettings } from '../../src-shared/bridge';
import type { Settings } from '../../src-shared/bridge';
import { applyPatch, backupPathFor, parseSettingsText } from './settings-store';
import type { SettingsReadReport, SettingsStore } from './settings-store';

/**
 * Settings in one JSON file, written atomically (temp file, fsync, rename), so a crash
 * mid-write leaves the old file or the new one, never half of each. Used by tests and
 * by anything that runs without Electron; the app uses the electron-store one.
 */
export class JsonFileSettingsStore implements SettingsStore {
  readonly path: string;
  readonly report: SettingsReadReport;
  #settings: Settings;
  /** False when the file could be neither read nor set aside: then it is never overwritten. */
  readonly #writable: boolean;

  constructor(path: string, now: () => Date = () => new Date()) {
    this.path = path;
    const { settings, report, writable } = readSettingsFile(path, now);
    this.#settings = settings;
    this.report = report;
    this.#writable = writable;
  }

  get(): Settings {
    return structuredCloneSettings(this.#settings);
  }

  update(patch: Partial<Settings>): Settings {
    const next = applyPatch(this.#settings, patch);
    if (this.#writable) writeFileAtomically(this.path, `${JSON.stringify(next, null, 2)}\n`);
    this.#settings = next;
    return this.get();
  }
}

interface FileRead {
  settings: Settings;
  report: SettingsReadReport;
  writable: boolean;
}

function readSettingsFile(path: string, now: () => Date): FileRead {
  const defaults = repairSettings(DEFAULT_SETTINGS).settings;
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { settings: defaults, report: { repaired: [] }, writable: true };
    return { settings: defaults, report: { repaired: [], error: `cannot read ${path}: ${code ?? String(error)}` }, writable: false };
  }
  const parsed = parseSettingsText(text);
  if (parsed !== null) return { settings: parsed.settings, report: { repaired: parsed.repaired }, writable: true };
  // Unreadable: keep the user's bytes aside before the next write replaces them.
  const backupPath = backupPathFor(path, now());
  try {
    copyFileSync(path, backupPath);
    return { settings: defaults, report: { repaired: [], backupPath, error: `${path} is not valid JSON` }, writable: true };
  } catch (error) {
    const error_ = `${path} is not valid JSON and could not be copied aside (${String(error)}); it is left as it is`;
    return { settings: defaults, report: { repaired: [], error: error_ }, writable: false };
  }
}

export function writeFileAtomically(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true });
  const temp = `${path}.${process.pid}.${Date.now()}.tmp`;
  const fd = openSync(temp, 'w', 0o600);
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  try {
    renameSync(temp, path);
  } catch (error) {
    try {
      unlinkSync(temp);
    } catch {
      // The temp file is already gone.
    }
    throw error;
  }
}
