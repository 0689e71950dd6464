import { cleanUserName, isValidColor } from '../protocol/identity';
import { isIdentitySecret } from '../protocol/lasting-identity';
import { DEFAULT_PORT, DEFAULT_USER_COLOR, MAX_LOGIN_KEY_LENGTH, MAX_NAME_LENGTH } from '../protocol/limits';
import type { Gender } from '../protocol/messages';
import { MAX_SAVED_ROOM_KEYS, serverAddressKey } from './room-keys';

/** What the app remembers. The schema is here so main and renderer agree on it. */
export type Language = 'auto' | 'en' | 'ru';

/** Light or dark, or as the system says (`prefers-color-scheme`). */
export type Theme = 'system' | 'light' | 'dark';

export interface WindowState {
  x: number | null;
  y: number | null;
  width: number;
  height: number;
  maximized: boolean;
}

export interface Settings {
  /** Host name, IPv4, IPv6 or a full ws:// / wss:// URL. */
  server: string;
  port: number;
  userName: string;
  userColor: string;
  gender: Gender;
  /** Host a room on this computer instead of joining `server`. */
  hostRoom: boolean;
  hostPort: number;
  /**
   * The key of the room this computer hosts. The app makes one at start while it is
   * empty, unless `roomOpen` says the user chose a room without a key.
   */
  roomKey: string;
  /** The user emptied the hosted room's key on purpose: it stays open. */
  roomOpen: boolean;
  /** The hosted room takes peers from anywhere, not only the local network. */
  allowInternet: boolean;
  /** The hosted room keeps its history and sessions on disk (a database in the user-data folder); off: in memory only. */
  roomHistory: boolean;
  /** Keys for joining other servers, by normalised address (`host:port`): each goes only to its own server. */
  roomKeys: Record<string, string>;
  language: Language;
  theme: Theme;
  window: WindowState;
  closeToTray: boolean;
  /** The one-time "still running in the tray" notice was shown. */
  trayNoticeShown: boolean;
  /** The hosted room is announced on the local network (mDNS), so others find it in their lists. */
  visibleOnNetwork: boolean;
  /** The hosted room's name in others' lists, the host's choice; '' for "<user>'s room". */
  roomName: string;
  /** Others may buzz this user (issue 13 §4); off: the server refuses their buzzes with buzz-off. */
  allowBuzz: boolean;
  /**
   * The conversation last shown, by normalised server address (`host:port`): `room:<name>` or
   * `dialog:<user name>`; a server whose lobby was shown has none (issue 13 §6).
   */
  conversations: Record<string, string>;
  /**
   * This install's lasting identity (lasting-identity.ts), proven at every login so the name
   * and private dialogs stay ours; '' until the first start makes one. Never given to the
   * renderer, which may not set it either.
   */
  identitySecret: string;
}

export const MAX_SERVER_LENGTH = 2048;
/** Servers whose last conversation is remembered at most; the oldest entry goes first. */
export const MAX_SAVED_CONVERSATIONS = 64;
/** `dialog:` or `room:` and a name (room names are at most 64 code points, user names less). */
export const MAX_CONVERSATION_LENGTH = 300;
/** A room name is cut to this many characters (others' lists show as many, MAX_FOUND_NAME_LENGTH). */
export const MAX_ROOM_NAME_LENGTH = 64;
/** Longer than this is not a name that was cut, but not a room name at all. */
const MAX_ROOM_NAME_INPUT = 4096;

export const DEFAULT_SETTINGS: Readonly<Settings> = Object.freeze({
  server: '127.0.0.1',
  port: DEFAULT_PORT,
  userName: '',
  userColor: DEFAULT_USER_COLOR,
  gender: 0,
  // First start: host a room and join it, so `npm start` alone gives a working chat.
  hostRoom: true,
  hostPort: DEFAULT_PORT,
  roomKey: '',
  roomOpen: false,
  allowInternet: false,
  roomHistory: true,
  roomKeys: Object.freeze({}) as Record<string, string>,
  language: 'auto',
  theme: 'system',
  window: Object.freeze({ x: null, y: null, width: 900, height: 600, maximized: false }),
  closeToTray: false,
  trayNoticeShown: false,
  visibleOnNetwork: true,
  roomName: '',
  allowBuzz: true,
  conversations: Object.freeze({}) as Record<string, string>,
  identitySecret: '',
}) as Readonly<Settings>;

/** The hosted room's name cut to MAX_ROOM_NAME_LENGTH characters (code points, so no surrogate is split). */
export function cutRoomName(name: string): string {
  const chars = Array.from(name.trim());
  return chars.length > MAX_ROOM_NAME_LENGTH ? chars.slice(0, MAX_ROOM_NAME_LENGTH).join('').trimEnd() : chars.join('');
}

/** What the hosted room is called: the host's choice, or "<user>'s room". */
export function roomDisplayName(settings: Pick<Settings, 'roomName' | 'userName'>): string {
  const chosen = cutRoomName(settings.roomName);
  if (chosen !== '') return chosen;
  return settings.userName.trim() === '' ? 'SimpleChat room' : `${settings.userName.trim()}'s room`;
}

const isPort = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 1 && v <= 65535;
const isBool = (v: unknown): v is boolean => typeof v === 'boolean';
const isCoord = (v: unknown): v is number | null =>
  v === null || (typeof v === 'number' && Number.isInteger(v) && Math.abs(v) <= 100_000);
const isSize = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 200 && v <= 20_000;

/** One check per key: a value that fails it is replaced by the default. */
const CHECKS: { [K in keyof Settings]: (v: unknown) => boolean } = {
  server: (v) => typeof v === 'string' && v.trim() !== '' && v.length <= MAX_SERVER_LENGTH,
  port: isPort,
  userName: (v) => typeof v === 'string' && (v === '' || cleanUserName(v, '') === v) && v.length <= MAX_NAME_LENGTH * 2,
  userColor: isValidColor,
  gender: (v) => v === 0 || v === 1 || v === 2,
  hostRoom: isBool,
  hostPort: isPort,
  roomKey: (v) => typeof v === 'string' && v.length <= MAX_LOGIN_KEY_LENGTH,
  roomOpen: isBool,
  allowInternet: isBool,
  roomHistory: isBool,
  roomKeys: (v) => {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
    const entries = Object.entries(v as Record<string, unknown>);
    return (
      entries.length <= MAX_SAVED_ROOM_KEYS &&
      entries.every(([address, key]) => address.length <= MAX_SERVER_LENGTH + 8 && typeof key === 'string' && key !== '' && key.length <= MAX_LOGIN_KEY_LENGTH)
    );
  },
  language: (v) => v === 'auto' || v === 'en' || v === 'ru',
  theme: (v) => v === 'system' || v === 'light' || v === 'dark',
  window: (v) => {
    if (typeof v !== 'object' || v === null) return false;
    const w = v as Record<string, unknown>;
    return isCoord(w.x) && isCoord(w.y) && isSize(w.width) && isSize(w.height) && isBool(w.maximized);
  },
  closeToTray: isBool,
  trayNoticeShown: isBool,
  visibleOnNetwork: isBool,
  roomName: (v) => typeof v === 'string' && v.length <= MAX_ROOM_NAME_INPUT,
  allowBuzz: isBool,
  conversations: (v) => {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
    const entries = Object.entries(v as Record<string, unknown>);
    return (
      entries.length <= MAX_SAVED_CONVERSATIONS &&
      entries.every(([address, value]) => address.length <= MAX_SERVER_LENGTH + 8 && typeof value === 'string' && value !== '' && value.length <= MAX_CONVERSATION_LENGTH)
    );
  },
  identitySecret: (v) => v === '' || isIdentitySecret(v),
};

export const SETTINGS_KEYS = Object.keys(CHECKS) as (keyof Settings)[];

export function isValidSetting<K extends keyof Settings>(key: K, value: unknown): value is Settings[K] {
  return CHECKS[key](value);
}

/** What `repairSettings` read. */
export interface RepairedSettings {
  settings: Settings;
  /** Keys that held a bad value and now hold their default. */
  repaired: (keyof Settings)[];
  /**
   * Keys an older layout was moved into: the store must write them back at once, or a
   * later partial write would leave the old layout to be read again.
   */
  migrated: (keyof Settings)[];
}

/**
 * Reads stored settings: every good key is kept, every bad or missing one gets its
 * default, unknown keys are dropped. Never throws, whatever the file held.
 */
export function repairSettings(raw: unknown): RepairedSettings {
  const original = typeof raw === 'object' && raw !== null && !Array.isArray(raw) ? (raw as Record<string, unknown>) : {};
  const source = migrateRoomKey(original);
  const settings = structuredCloneSettings(DEFAULT_SETTINGS);
  const repaired: (keyof Settings)[] = [];
  for (const key of SETTINGS_KEYS) {
    const value = source[key];
    if (value === undefined) continue;
    if (CHECKS[key](value)) (settings as unknown as Record<string, unknown>)[key] = cloneValue(key, value);
    else repaired.push(key);
  }
  const migrated: (keyof Settings)[] = source === original ? [] : ['roomKey', 'roomKeys'];
  return { settings, repaired, migrated };
}

/** The keys the renderer may change through `saveSettings`. */
export type SettingsPatch = Partial<Omit<Settings, 'window' | 'trayNoticeShown' | 'identitySecret'>>;
const PATCHABLE = new Set<string>(SETTINGS_KEYS.filter((k) => k !== 'window' && k !== 'trayNoticeShown' && k !== 'identitySecret'));

/** Checks a patch from the renderer: a string saying what is wrong, or the patch. */
export function validateSettingsPatch(raw: unknown): SettingsPatch | string {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return 'settings must be an object';
  const patch: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(raw)) {
    if (!PATCHABLE.has(key)) return `unknown or read-only setting: ${key.slice(0, 40)}`;
    if (!CHECKS[key as keyof Settings](value)) return `invalid value for ${key}`;
    patch[key] = key === 'roomName' ? cutRoomName(value as string) : value;
  }
  return patch as SettingsPatch;
}

/**
 * Settings from before keys were kept per server had one `roomKey`, for whatever was
 * joined last. When that was another server, the key moves to the map under that
 * server, and the hosted room gets a key of its own at the next start.
 */
function migrateRoomKey(source: Record<string, unknown>): Record<string, unknown> {
  const key = source.roomKey;
  if (source.roomKeys !== undefined || typeof key !== 'string' || key === '' || source.hostRoom !== false) return source;
  const server = CHECKS.server(source.server) ? (source.server as string) : DEFAULT_SETTINGS.server;
  const port = isPort(source.port) ? source.port : DEFAULT_SETTINGS.port;
  const address = serverAddressKey(server, port);
  return { ...source, roomKey: '', roomKeys: address === null ? {} : { [address]: key } };
}

function cloneValue(key: keyof Settings, value: unknown): unknown {
  if (key === 'window') return { ...(value as WindowState) };
  if (key === 'roomKeys') return { ...(value as Record<string, string>) };
  if (key === 'conversations') return { ...(value as Record<string, string>) };
  if (key === 'roomName') return cutRoomName(value as string);
  return value;
}

/** A copy that shares no object with `s`. */
export function structuredCloneSettings(s: Readonly<Settings>): Settings {
  return { ...s, window: { ...s.window }, roomKeys: { ...s.roomKeys }, conversations: { ...s.conversations } };
}
