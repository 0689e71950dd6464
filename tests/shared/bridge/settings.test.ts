import { describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS, MAX_ROOM_NAME_LENGTH, MAX_SAVED_ROOM_KEYS, repairSettings, roomDisplayName, savedKeyFor, serverAddressKey, validateSettingsPatch, withSavedKey } from '../../../src-shared/bridge';

describe('repairSettings', () => {
  it('gives the defaults for anything that is not an object', () => {
    for (const raw of [null, 5, 'x', [1], undefined]) {
      expect(repairSettings(raw).settings).toEqual(DEFAULT_SETTINGS);
    }
  });

  it('keeps good keys, replaces bad ones with defaults, and says which', () => {
    const { settings, repaired } = repairSettings({
      server: 'chat.example', port: 99999, userName: 'Аня', userColor: 'red; background:url(x)',
      gender: 2, hostRoom: false, window: { x: 10, y: 20, width: 800, height: 500, maximized: true }, junk: 1,
    });
    expect(settings).toEqual({
      ...DEFAULT_SETTINGS, server: 'chat.example', userName: 'Аня', gender: 2, hostRoom: false,
      window: { x: 10, y: 20, width: 800, height: 500, maximized: true },
    });
    expect(repaired.sort()).toEqual(['port', 'userColor']);
    expect(settings).not.toHaveProperty('junk');
  });

  it('does not share the default window object', () => {
    const { settings } = repairSettings({});
    settings.window.width = 1234;
    expect(DEFAULT_SETTINGS.window.width).not.toBe(1234);
  });
});

describe('validateSettingsPatch', () => {
  it('accepts renderer-editable keys with valid values', () => {
    expect(validateSettingsPatch({ port: 8080, language: 'ru' })).toEqual({ port: 8080, language: 'ru' });
  });

  it.each([
    [{ port: 0 }, 'invalid value for port'],
    [{ window: DEFAULT_SETTINGS.window }, 'unknown or read-only setting: window'],
    [{ evil: 1 }, 'unknown or read-only setting: evil'],
    [[], 'settings must be an object'],
  ])('refuses %j', (patch, message) => {
    expect(validateSettingsPatch(patch)).toBe(message);
  });
});

describe('the hosted room\'s name (issue 16 §1)', () => {
  it('is the host\'s choice, cut to 64 characters (whole code points) when saved or read; empty: "<user>\'s room"', () => {
    expect(MAX_ROOM_NAME_LENGTH).toBe(64);
    const long = '🙂'.repeat(70);
    expect(validateSettingsPatch({ roomName: long })).toEqual({ roomName: '🙂'.repeat(64) });
    expect(validateSettingsPatch({ roomName: '  Office  ' })).toEqual({ roomName: 'Office' });
    expect(validateSettingsPatch({ roomName: 5 })).toBe('invalid value for roomName');
    expect(validateSettingsPatch({ roomName: 'x'.repeat(10_000) })).toBe('invalid value for roomName');
    expect(repairSettings({ roomName: 'a'.repeat(100) }).settings.roomName).toBe('a'.repeat(64));
    expect(repairSettings({ roomName: null }).repaired).toEqual(['roomName']);
    expect(roomDisplayName({ roomName: '', userName: 'Аня' })).toBe("Аня's room");
    expect(roomDisplayName({ roomName: ' ', userName: '' })).toBe('SimpleChat room');
    expect(roomDisplayName({ roomName: 'Office', userName: 'Аня' })).toBe('Office');
  });
});

describe('room keys per server (issue 18, hole 4)', () => {
  it('names a server by host:port, lowercased, the default port filled in', () => {
    expect(serverAddressKey('Chat.Example.', 27800)).toBe('chat.example:27800');
    expect(serverAddressKey('chat.example:9000', 27800)).toBe('chat.example:9000');
    expect(serverAddressKey('wss://Chat.Example/room', 27800)).toBe('chat.example:443');
    expect(serverAddressKey('ws://chat.example', 27800)).toBe('chat.example:80');
    expect(serverAddressKey('wss://chat.example:8443/x', 1)).toBe('chat.example:8443');
    expect(serverAddressKey('::1', 27800)).toBe('[::1]:27800');
    expect(serverAddressKey('[FD00::1]:5', 27800)).toBe('[fd00::1]:5');
    // A room's page address is that room's (issue 19 §2): its key is the same server's.
    expect(serverAddressKey('http://X:27805/?key=k', 1)).toBe('x:27805');
    expect(serverAddressKey('ftp://x', 1)).toBeNull();
    expect(serverAddressKey('', 1)).toBeNull();
  });

  it('finds a key only under its own server', () => {
    const keys = withSavedKey({}, 'office.local', 27800, 's3cret');
    expect(keys).toEqual({ 'office.local:27800': 's3cret' });
    expect(savedKeyFor(keys, 'OFFICE.local', 27800)).toBe('s3cret');
    expect(savedKeyFor(keys, 'office.local', 27801)).toBe('');
    expect(savedKeyFor(keys, 'evil.example', 27800)).toBe('');
    expect(savedKeyFor(keys, 'office.local.evil.example', 27800)).toBe('');
    expect(savedKeyFor(keys, '__proto__', 27800)).toBe('');
    expect(withSavedKey(keys, 'office.local', 27800, '')).toEqual({});
  });

  it('remembers a bounded number of servers, dropping the oldest', () => {
    let keys: Record<string, string> = {};
    for (let i = 0; i < MAX_SAVED_ROOM_KEYS + 3; i++) keys = withSavedKey(keys, `host${i}.example`, 1, `k${i}`);
    expect(Object.keys(keys)).toHaveLength(MAX_SAVED_ROOM_KEYS);
    expect(savedKeyFor(keys, 'host0.example', 1)).toBe('');
    expect(savedKeyFor(keys, `host${MAX_SAVED_ROOM_KEYS + 2}.example`, 1)).toBe(`k${MAX_SAVED_ROOM_KEYS + 2}`);
  });

  it('moves the old single key of a joined server to the map, under that server', () => {
    const { settings, repaired } = repairSettings({ server: 'Office.Local', port: 9000, hostRoom: false, roomKey: 'old' });
    expect(settings).toMatchObject({ roomKey: '', roomOpen: false, roomKeys: { 'office.local:9000': 'old' } });
    expect(repaired).toEqual([]);
  });

  it('keeps the old key of a hosted room as the hosted room’s key, and adds nothing else', () => {
    expect(repairSettings({ hostRoom: true, roomKey: 'mine' }).settings).toMatchObject({ roomKey: 'mine', roomKeys: {} });
    expect(repairSettings({ roomKey: 'mine' }).settings).toMatchObject({ roomKey: 'mine', roomKeys: {} });
  });

  it('leaves settings that already have the map as they are, and keeps every other setting', () => {
    const raw = { userName: 'Ann', hostRoom: false, roomKey: 'host', roomKeys: { 'a.example:1': 'k' }, roomOpen: true, allowInternet: true };
    expect(repairSettings(raw).settings).toMatchObject(raw);
  });

  it('refuses a bad map: too many servers, empty or long keys', () => {
    const many = Object.fromEntries(Array.from({ length: MAX_SAVED_ROOM_KEYS + 1 }, (_, i) => [`h${i}:1`, 'k']));
    for (const roomKeys of [many, { 'a:1': '' }, { 'a:1': 'x'.repeat(129) }, { 'a:1': 5 }, ['k']]) {
      expect(repairSettings({ roomKeys }).repaired).toEqual(['roomKeys']);
    }
  });
});
