import { DEFAULT_USER_COLOR, MAX_NAME_LENGTH } from './limits';
import type { Gender } from './messages';

/*
 * How a peer's name, colour and gender become safe values. The server applies these
 * at the handshake; the client uses them to preview what the server will do.
 */

// Letters of any script, decimal digits, '-', '_' and the plain space survive, but not
// the invisible ones: default-ignorables are letters too (the Hangul fillers U+115F,
// U+1160, U+3164, U+FFA0), and a name of them alone would show blank. Bidirectional
// controls and zero widths are format characters, dropped with the rest.
const NAME_DROP = /[^\p{L}\p{Nd}\-_ ]|\p{Default_Ignorable_Code_Point}/gu;
const SPACE_RUNS = / {2,}/g;

/**
 * Cleans a requested name: filter, collapse spaces, trim, cut to MAX_NAME_LENGTH
 * code points. Returns `fallback` when nothing (visible) is left.
 */
export function cleanUserName(raw: unknown, fallback: string): string {
  if (typeof raw !== 'string') return fallback;
  const filtered = raw.replace(NAME_DROP, '').replace(SPACE_RUNS, ' ').trim();
  const cut = Array.from(filtered).slice(0, MAX_NAME_LENGTH).join('').trimEnd();
  return cut === '' ? fallback : cut;
}

/** The key under which names are unique: case-insensitive, locale-independent. */
export function nameKey(name: string): string {
  return name.toLowerCase();
}

const COLOR = /^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$/;

export function isValidColor(value: unknown): value is string {
  return typeof value === 'string' && COLOR.test(value);
}

/** `#rgb` or `#rrggbb` is kept; anything else becomes `fallback`. */
export function normalizeColor(raw: unknown, fallback: string = DEFAULT_USER_COLOR): string {
  return isValidColor(raw) ? raw : fallback;
}

/** 0, 1 or 2 (as a number or its decimal string); anything else is 0 (unknown). */
export function normalizeGender(raw: unknown): Gender {
  if (raw === 1 || raw === '1') return 1;
  if (raw === 2 || raw === '2') return 2;
  return 0;
}
