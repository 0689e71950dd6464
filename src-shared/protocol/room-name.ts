import { MAX_ROOM_NAME_LENGTH } from './limits';

/*
 * Room names as the server and every client read them: trimmed, in Unicode NFC, 1 to
 * MAX_ROOM_NAME_LENGTH characters, with no control or bidirectional-control characters
 * (a name is shown in lists and logs). Two names that fold alike are one room.
 */

/** C0/C1 controls, and the bidirectional controls that reorder what a list shows around them. */
const FORBIDDEN = /[\p{Cc}\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]/u;

/**
 * Private dialogs are kept in the same store as rooms, under keys `@<a>:<b>` (the two
 * user ids): a room named like one would read that dialog, so no room name starts so.
 */
export const DIALOG_KEY_PREFIX = '@';

/** The name as the server keeps it (trimmed, NFC), or null for anything that is not a room name. */
export function normalizeRoomName(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  // Cut long junk before the work of normalising it: NFC never shrinks a name 4-fold.
  if (value.length > MAX_ROOM_NAME_LENGTH * 8) return null;
  const name = value.trim().normalize('NFC');
  if (name === '' || FORBIDDEN.test(name) || name.startsWith(DIALOG_KEY_PREFIX)) return null;
  // A code point is one or two UTF-16 units.
  if (name.length > MAX_ROOM_NAME_LENGTH && (name.length > 2 * MAX_ROOM_NAME_LENGTH || [...name].length > MAX_ROOM_NAME_LENGTH)) return null;
  return name;
}

/**
 * The key two names share when they are one room: a case fold (upper then lower, so
 * `ß` and `SS` meet) in no particular locale, back in NFC.
 */
export function foldRoomName(name: string): string {
  return name.toLocaleUpperCase('und').toLocaleLowerCase('und').normalize('NFC');
}
