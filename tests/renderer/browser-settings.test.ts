import { describe, expect, it } from 'vitest';
import { BrowserSettingsStore, SETTINGS_STORAGE_KEY, browserDefaults, pageOverrides } from '../../src-renderer/bridges/browser-settings';

/** localStorage, in memory. */
function memoryStorage(initial: Record<string, string> = {}): Storage {
  const items = new Map(Object.entries(initial));
  return {
    get length() {
      return items.size;
    },
    clear: () => items.clear(),
    getItem: (key) => items.get(key) ?? null,
    key: (index) => [...items.keys()][index] ?? null,
    removeItem: (key) => void items.delete(key),
    setItem: (key, value) => void items.set(key, value),
  };
}

const PAGE = { protocol: 'http:', hostname: '192.168.1.5', host: '192.168.1.5:27800', port: '27800', search: '' };

describe('browser settings: room keys per server', () => {
  it('a share link’s key is the key of the page’s own server only', () => {
    const store = new BrowserSettingsStore(memoryStorage(), browserDefaults(PAGE), pageOverrides({ search: '?key=abc' }));
    expect(store.load().roomKeys).toEqual({ '192.168.1.5:27800': 'abc' });
    // Not stored until a save carries it.
    expect(store.save({ language: 'ru' }).roomKeys).toEqual({ '192.168.1.5:27800': 'abc' });
    expect(new BrowserSettingsStore(memoryStorage(), browserDefaults(PAGE)).load().roomKeys).toEqual({});
  });

  it('moves a key stored before keys were per server under the server it was saved with', () => {
    const old = JSON.stringify({ server: 'chat.example', port: 9000, hostRoom: false, roomKey: 'old', userName: 'Ann' });
    const storage = memoryStorage({ [SETTINGS_STORAGE_KEY]: old });
    const store = new BrowserSettingsStore(storage, browserDefaults(PAGE));
    expect(store.load()).toMatchObject({ roomKey: '', roomKeys: { 'chat.example:9000': 'old' }, userName: 'Ann' });
    store.save({ language: 'en' });
    expect(JSON.parse(storage.getItem(SETTINGS_STORAGE_KEY)!)).toMatchObject({ roomKey: '', roomKeys: { 'chat.example:9000': 'old' } });
  });
});

describe('browser settings: Allow buzzes (issue 13 §4)', () => {
  it('is on by default, kept in localStorage when turned off, and a bad stored value falls back to on', () => {
    const storage = memoryStorage();
    const store = new BrowserSettingsStore(storage, browserDefaults(PAGE));
    expect(store.load().allowBuzz).toBe(true);
    expect(store.save({ allowBuzz: false }).allowBuzz).toBe(false);
    expect(new BrowserSettingsStore(storage, browserDefaults(PAGE)).load().allowBuzz).toBe(false);
    expect(() => store.save({ allowBuzz: 'no' })).toThrow(/invalid value for allowBuzz/);
    storage.setItem(SETTINGS_STORAGE_KEY, JSON.stringify({ allowBuzz: 'off' }));
    expect(new BrowserSettingsStore(storage, browserDefaults(PAGE)).load().allowBuzz).toBe(true);
  });
});
