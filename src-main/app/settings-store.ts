import { isValidSetting, repairSettings, structuredCloneSettings } from '../../src-shared/bridge';
import type { RepairedSettings, Settings } from '../../src-shared/bridge';

/*
 * Where settings live, behind a small interface so that everything but main.ts is
 * tested without Electron. Both implementations read through `repairSettings`: bad
 * keys get their defaults, good ones are kept, and nothing stops the app.
 */

export interface SettingsStore {
  get(): Settings;
  /** Writes the keys given; returns the whole settings after the change. */
  update(patch: Partial<Settings>): Settings;
}

/** What went wrong while reading, for the log (and a notice, if the UI wants one). */
export interface SettingsReadReport {
  /** Keys that held a bad value and now hold their default. */
  repaired: (keyof Settings)[];
  /** Where an unreadable file was copied before it was replaced. */
  backupPath?: string;
  /** Why the file could not be read or written, when it could not. */
  error?: string;
}

/** Checks a main-side patch: a wrong value here is a programmer error, so it throws. */
export function applyPatch(settings: Settings, patch: Partial<Settings>): Settings {
  const next: Settings = structuredCloneSettings(settings);
  for (const [key, value] of Object.entries(patch) as [keyof Settings, unknown][]) {
    if (value === undefined) continue;
    if (!isValidSetting(key, value)) throw new TypeError(`invalid value for setting ${key}`);
    (next as unknown as Record<string, unknown>)[key] = typeof value === 'object' && value !== null ? { ...value } : value;
  }
  return next;
}

/** The keys of `settings` a migration changed, as a patch to write back. */
export function migratedPatch(read: RepairedSettings): Partial<Settings> {
  return Object.fromEntries(read.migrated.map((key) => [key, read.settings[key]])) as Partial<Settings>;
}

/** Parses a settings file's text; an unparsable text is `null` (as opposed to valid but wrong). */
export function parseSettingsText(text: string): RepairedSettings | null {
  let raw: unknown;
  try {
    raw = JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  } catch {
    return null;
  }
  return repairSettings(raw);
}

/** The name an unreadable settings file is kept under, next to it. */
export function backupPathFor(path: string, now: Date): string {
  const stamp = now.toISOString().replace(/[:.]/g, '-');
  return `${path}.unreadable-${stamp}`;
}
