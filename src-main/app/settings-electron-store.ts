import { copyFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import ElectronStore from 'electron-store';
import { DEFAULT_SETTINGS, repairSettings, structuredCloneSettings } from '../../src-shared/bridge';
import type { Settings } from '../../src-shared/bridge';
import { writeFileAtomically } from './settings-file';
import { applyPatch, backupPathFor, migratedPatch } from './settings-store';
import type { SettingsReadReport, SettingsStore } from './settings-store';

/*
 * Settings through electron-store (the app's userData folder, atomic writes).
 *
 * electron-store 12 (conf 16) on a file that is not JSON: with the default
 * `clearInvalidConfig: true` it silently replaces the file with defaults; with `false`
 * its constructor throws a SyntaxError. We take the second, copy the file aside, and
 * only then let a whole-store write replace it. No electron-store schema either: its
 * validation fails a file as a whole, where `repairSettings` keeps every good key.
 */

type Store = ElectronStore<Record<string, unknown>>;

export interface ElectronStoreSettingsOptions {
  /** File name without `.json`. */
  name?: string;
  /** Absolute folder: app.getPath('userData') in the app. */
  cwd: string;
  now?: () => Date;
}

const isSyntaxError = (error: unknown): boolean => error instanceof Error && error.name === 'SyntaxError';

export class ElectronStoreSettings implements SettingsStore {
  readonly report: SettingsReadReport;
  readonly #store: Store | null;
  readonly #now: () => Date;
  #settings: Settings;

  constructor(options: ElectronStoreSettingsOptions) {
    this.#now = options.now ?? (() => new Date());
    const name = options.name ?? 'settings';
    const storeOptions = { name, cwd: options.cwd, clearInvalidConfig: false };
    const path = join(options.cwd, `${name}.json`);
    const report: SettingsReadReport = { repaired: [] };
    let store: Store | null = null;
    try {
      store = new ElectronStore<Record<string, unknown>>(storeOptions);
    } catch (error) {
      if (!isSyntaxError(error)) {
        // Unreadable for another reason (permissions, a folder in the way): run on defaults, touch nothing.
        report.error = `settings cannot be opened: ${error instanceof Error ? error.message : String(error)}`;
      } else {
        report.error = error instanceof Error ? error.message : String(error);
        const backupPath = this.#backUp(path);
        if (backupPath !== null) {
          report.backupPath = backupPath;
          store = this.#openReplacing(path, storeOptions);
        }
      }
    }
    this.#store = store;
    const repaired = repairSettings(store === null ? DEFAULT_SETTINGS : this.#readRaw(store));
    report.repaired = repaired.repaired;
    this.#settings = repaired.settings;
    this.report = report;
    // Writes here are per key: an old layout left in the file would be read again later.
    if (store !== null && repaired.migrated.length > 0) {
      try {
        store.set(migratedPatch(repaired) as Record<string, unknown>);
      } catch {
        // Read-only or ruined meanwhile: the next start migrates again, from the same old layout.
      }
    }
  }

  /** Where the file is, when the store could be opened. */
  get path(): string | null {
    return this.#store?.path ?? null;
  }

  get(): Settings {
    return structuredCloneSettings(this.#settings);
  }

  update(patch: Partial<Settings>): Settings {
    const next = applyPatch(this.#settings, patch);
    this.#settings = next;
    const store = this.#store;
    if (store !== null) {
      try {
        store.set(patch as Record<string, unknown>);
      } catch (error) {
        // The file went bad while we ran (hand-edited mid-session): set it aside, write it whole.
        if (!isSyntaxError(error) || this.#backUp(store.path) === null) throw error;
        store.store = { ...next } as Record<string, unknown>;
      }
    }
    return this.get();
  }

  #readRaw(store: Store): unknown {
    try {
      return store.store;
    } catch {
      return undefined;
    }
  }

  #backUp(path: string): string | null {
    if (!existsSync(path)) return null;
    const backupPath = backupPathFor(path, this.#now());
    try {
      copyFileSync(path, backupPath);
      return backupPath;
    } catch {
      return null;
    }
  }

  /** Opens the store after the unreadable file was copied aside, replacing it with `{}`. */
  #openReplacing(path: string, storeOptions: { name: string; cwd: string; clearInvalidConfig: boolean }): Store | null {
    try {
      writeFileAtomically(path, '{}\n');
      return new ElectronStore<Record<string, unknown>>(storeOptions);
    } catch {
      return null;
    }
  }
}
