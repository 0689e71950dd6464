import { describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS, repairSettings, validateSettingsPatch } from '../../../src-shared/bridge';

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
