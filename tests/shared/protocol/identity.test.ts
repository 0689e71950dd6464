import { describe, expect, it } from 'vitest';
import { cleanUserName, nameKey, normalizeColor, normalizeGender, DEFAULT_USER_COLOR } from '../../../src-shared/protocol';

describe('cleanUserName', () => {
  it.each([
    ['Аня', 'Аня'],
    ['  Tom   Sawyer  ', 'Tom Sawyer'],
    ['a\tb\nc', 'abc'],
    ['<b>x</b>', 'bxb'],
    ['Jürgen-Ölaf_3', 'Jürgen-Ölaf_3'],
    ['李小龙', '李小龙'],
    ['مرحبا', 'مرحبا'],
    ['a&b+c=d#e', 'abcde'],
    ['😀 smile', 'smile'],
    ['x'.repeat(40), 'x'.repeat(32)],
  ])('%j → %j', (raw, cleaned) => {
    expect(cleanUserName(raw, 'Guest')).toBe(cleaned);
  });

  it('cuts to 32 characters and trims what the cut leaves at the end', () => {
    expect(cleanUserName(`${'a'.repeat(31)} b`, 'Guest')).toBe('a'.repeat(31));
  });

  it('falls back for empty, absent or non-string names', () => {
    for (const raw of ['', '   ', '!!!', undefined, null, ['x'], 5]) {
      expect(cleanUserName(raw, 'Guest')).toBe('Guest');
    }
  });

  it('falls back for names of only invisible or filler characters', () => {
    const blanks = ['\u3164', '\u115F\u1160', '\uFFA0 \uFFA0', '\u2800', '\u200B\u200C\u200D\u2060\uFEFF', '\u00AD', '\uFE0F\uFE00', '\u{E0041}\u{E007F}', '\u034F\u17B4\u180E'];
    for (const raw of blanks) expect(cleanUserName(raw, 'Guest'), JSON.stringify(raw)).toBe('Guest');
  });

  it('removes bidirectional controls and default-ignorables from names', () => {
    expect(cleanUserName('\u202Egpj\u202C.exe', 'Guest')).toBe('gpjexe');
    expect(cleanUserName('\u202A\u202B\u202D\u2066\u2067\u2068\u2069\u200E\u200F\u061CAdmin', 'Guest')).toBe('Admin');
    expect(cleanUserName('Ad\u3164min\u3164', 'Guest')).toBe('Admin');
  });

  it('keys names case-insensitively', () => {
    expect(nameKey('АНЯ')).toBe(nameKey('аня'));
  });
});

describe('normalizeColor and normalizeGender', () => {
  it('keeps #rgb and #rrggbb only', () => {
    expect(normalizeColor('#abc')).toBe('#abc');
    expect(normalizeColor('#A1B2C3')).toBe('#A1B2C3');
    for (const bad of ['red', '#abcd', "#000' onmouseover='x", '#0000000', '', 5, undefined]) {
      expect(normalizeColor(bad)).toBe(DEFAULT_USER_COLOR);
    }
  });

  it('maps gender to 0, 1 or 2', () => {
    expect([0, 1, 2, '1', '2', 3, -1, '1.0', 'x', undefined].map(normalizeGender)).toEqual([0, 1, 2, 1, 2, 0, 0, 0, 0, 0]);
  });
});
