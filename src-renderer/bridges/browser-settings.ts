import { DEFAULT_SETTINGS, repairSettings, validateSettingsPatch } from '../../src-shared/bridge';
import type { Settings, SettingsPatch } from '../../src-shared/bridge';
import { DEFAULT_PORT } from '../../src-shared/protocol';

export const SETTINGS_STORAGE_KEY = 'simplechat.settings';

/** The part of `Location` the defaults come from. */
export interface PageLocation {
  protocol: string;
  hostname: string;
  host: string;
  port: string;
}

/**
 * A browser's defaults: the server that served the page (it hosts the room), and
 * no hosting, which a browser cannot do.
 */
export function browserDefaults(location: PageLocation): Settings {
  const defaults: Settings = { ...DEFAULT_SETTINGS, window: { ...DEFAULT_SETTINGS.window }, hostRoom: false };
  if (location.protocol === 'https:') {
    // An https page may only open wss://; the full URL carries the port.
    return { ...defaults, server: `wss://${location.host}` };
  }
  if (location.protocol === 'http:' && location.hostname !== '') {
    const port = Number(location.port) || 80;
    return { ...defaults, server: location.hostname, port: port || DEFAULT_PORT };
  }
  return defaults;
}

/** Settings kept in localStorage, read through `repairSettings` so a bad entry never breaks the page. */
export class BrowserSettingsStore {
  constructor(
    private readonly storage: Storage | null,
    private readonly defaults: Settings,
  ) {}

  load(): Settings {
    let raw: unknown = {};
    try {
      const text = this.storage?.getItem(SETTINGS_STORAGE_KEY);
      if (text) raw = JSON.parse(text);
    } catch {
      // Unreadable or unavailable storage: defaults.
    }
    const stored = typeof raw === 'object' && raw !== null ? (raw as Record<string, unknown>) : {};
    const { settings } = repairSettings({ ...this.defaults, ...stored });
    // Whatever was stored, a browser cannot host.
    return { ...settings, hostRoom: false };
  }

  save(patch: unknown): Settings {
    const checked = validateSettingsPatch(patch);
    if (typeof checked === 'string') throw new TypeError(`saveSettings: ${checked}`);
    const next: Settings = { ...this.load(), ...(checked as SettingsPatch), hostRoom: false };
    try {
      this.storage?.setItem(SETTINGS_STORAGE_KEY, JSON.stringify(next));
    } catch {
      // Private mode or a full quota: the settings hold for this page only.
    }
    return next;
  }
}
