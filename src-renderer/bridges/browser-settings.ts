import { DEFAULT_SETTINGS, repairSettings, validateSettingsPatch, withSavedKey } from '../../src-shared/bridge';
import { MAX_LOGIN_KEY_LENGTH } from '../../src-shared/protocol';
import type { ConnectRequest, Settings, SettingsPatch } from '../../src-shared/bridge';
import { DEFAULT_PORT, isIdentitySecret, newIdentitySecret } from '../../src-shared/protocol';

export const SETTINGS_STORAGE_KEY = 'simplechat.settings';
/** The browser's lasting identity secret, apart from the settings: the UI that reads settings never sees it. */
export const IDENTITY_STORAGE_KEY = 'simplechat.identity';

/** The part of `Location` the defaults come from. */
export interface PageLocation {
  protocol: string;
  hostname: string;
  host: string;
  port: string;
  /** `?key=…`: the room key of a share link. */
  search: string;
}

/** What the page's own address says about this visit: the room key of the share link that opened it (for the page's own server). */
export interface PageOverrides {
  roomKey?: string;
}

/** `?key=…` from the page's address (the host's share link), when it is one a room could have. */
export function pageOverrides(location: Pick<PageLocation, 'search'>): PageOverrides {
  let key: string | null = null;
  try {
    key = new URLSearchParams(location.search).get('key');
  } catch {
    // A search string no parser takes: no key.
  }
  return key !== null && key !== '' && key.length <= MAX_LOGIN_KEY_LENGTH ? { roomKey: key } : {};
}

/**
 * The page came from a room's own web server: the origin check lets it join that room
 * only, so its server and port are the page's, whatever was stored.
 */
export function servedByRoom(location: Pick<PageLocation, 'protocol' | 'hostname'>): boolean {
  return (location.protocol === 'http:' || location.protocol === 'https:') && location.hostname !== '';
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

/**
 * Settings kept in localStorage, read through `repairSettings` so a bad entry never
 * breaks the page. The page's overrides (a share link's key) show over them but are
 * stored only when a save carries them, i.e. when the user connects with them.
 */
export class BrowserSettingsStore {
  constructor(
    private readonly storage: Storage | null,
    private readonly defaults: Settings,
    private readonly overrides: PageOverrides = {},
    /** The page joins only its own room (`servedByRoom`): the defaults' server and port always. */
    private readonly pinned = false,
  ) {}

  load(): Settings {
    return this.withPageKey(this.stored());
  }

  save(patch: unknown): Settings {
    const checked = validateSettingsPatch(patch);
    if (typeof checked === 'string') throw new TypeError(`saveSettings: ${checked}`);
    const next: Settings = { ...this.stored(), ...(checked as SettingsPatch), hostRoom: false };
    try {
      this.storage?.setItem(SETTINGS_STORAGE_KEY, JSON.stringify(next));
    } catch {
      // Private mode or a full quota: the settings hold for this page only.
    }
    return checked.roomKeys === undefined ? this.withPageKey(next) : next;
  }

  /**
   * The login as sent: with this browser's lasting identity, made on first use and kept
   * in local storage (shared by the site's tabs). Without storage it lasts for the page.
   */
  withIdentity(request: ConnectRequest): ConnectRequest {
    return { ...request, identity: this.identitySecret() };
  }

  private pageSecret: string | null = null;

  private identitySecret(): string {
    try {
      const stored = this.storage?.getItem(IDENTITY_STORAGE_KEY);
      if (isIdentitySecret(stored)) return stored;
      const made = newIdentitySecret();
      this.storage?.setItem(IDENTITY_STORAGE_KEY, made);
      if (this.storage) return made;
    } catch {
      // Private mode or a full quota: a secret for this page only.
    }
    this.pageSecret ??= newIdentitySecret();
    return this.pageSecret;
  }

  /** The share link's key, shown as the key of the page's own server (whose address the defaults hold). */
  private withPageKey(settings: Settings): Settings {
    const key = this.overrides.roomKey;
    if (key === undefined) return settings;
    return { ...settings, roomKeys: withSavedKey(settings.roomKeys, this.defaults.server, this.defaults.port, key) };
  }

  private stored(): Settings {
    let raw: unknown = {};
    try {
      const text = this.storage?.getItem(SETTINGS_STORAGE_KEY);
      if (text) raw = JSON.parse(text);
    } catch {
      // Unreadable or unavailable storage: defaults.
    }
    const stored = typeof raw === 'object' && raw !== null ? (raw as Record<string, unknown>) : {};
    const merged: Record<string, unknown> = { ...this.defaults, ...stored };
    // Stored before keys were kept per server: let the migration see the old single key.
    if (stored.roomKeys === undefined && stored.roomKey !== undefined) delete merged.roomKeys;
    const { settings } = repairSettings(merged);
    // Whatever was stored, a browser cannot host (nor, served by a room, join another).
    return this.pinned ? { ...settings, hostRoom: false, server: this.defaults.server, port: this.defaults.port } : { ...settings, hostRoom: false };
  }
}
