/**
 * Every default and limit of the protocol, in one place. The server's and the
 * client's configurable values start from these.
 */

/** The original's port; the Qt client defaults to it too. */
export const DEFAULT_PORT = 27800;

/** Name given when the cleaned name is empty or absent (the original's default). */
export const DEFAULT_USER_NAME = 'Инкогнито';
/** Colour given when `userColor` is not `#rgb` or `#rrggbb`: the Qt client's default. */
export const DEFAULT_USER_COLOR = '#34495e';
/**
 * The connect dialog's ten swatches: the Qt client's palette, with its midnight blue
 * (#2c3e50, which cannot be told from #34495e beside it) given up for a pink.
 */
export const PALETTE = [
  '#34495e', '#16a085', '#27ae60', '#2980b9', '#8e44ad',
  '#f39c12', '#d35400', '#c0392b', '#7f8c8d', '#d63384',
] as const;
export type PaletteColor = (typeof PALETTE)[number];

/** A cleaned name is cut to this many characters (code points). */
export const MAX_NAME_LENGTH = 32;
/** A chat text longer than this (after trimming) is refused with an error. */
export const MAX_TEXT_LENGTH = 4096;
/** A status text longer than this (after trimming, in characters) is refused. */
export const MAX_STATUS_TEXT_LENGTH = 80;
/** The server passes on at most one buzz per sender and recipient this often (ms). */
export const DEFAULT_BUZZ_INTERVAL_MS = 10_000;
/** Largest frame the server accepts; larger ones are closed with 1009. */
export const MAX_FRAME_BYTES = 64 * 1024;

/** `userId` stays below 2^31 (a Qt `int`); 0 means "public" in `toUserId`. */
export const MAX_USER_ID = 2 ** 31 - 1;
export const PUBLIC_RECIPIENT = 0;

/** A room's name is 1 to this many characters (code points) after trimming and NFC. */
export const MAX_ROOM_NAME_LENGTH = 64;
/** A room's key (JoinRoom) is 1 to this many characters (UTF-16 units). */
export const MAX_ROOM_KEY_LENGTH = 256;
/**
 * A server's own key, asked at login (`key` in the login URL), is at most this many
 * characters (UTF-16 units): the server refuses to start with a longer one, and the apps
 * take no longer one, so a key one side accepts is one the other can type.
 */
export const MAX_LOGIN_KEY_LENGTH = 128;

/** A `History` request asks for at most this many lines... */
export const MAX_HISTORY_PAGE = 200;
/** ...and for this many when it names no `limit`. */
export const DEFAULT_HISTORY_PAGE = 50;

/** The server pings every this many ms... */
export const DEFAULT_PING_INTERVAL_MS = 5_000;
/** ...and drops a connection after this many unanswered pings in a row. */
export const MAX_MISSED_PINGS = 3;

/** A client treats a server that sent nothing for this many ping intervals as gone. */
export const SERVER_SILENCE_PINGS = 3;

/** Reconnect backoff: first delay, cap. Jitter is added on top of each. */
export const RECONNECT_MIN_DELAY_MS = 1_000;
export const RECONNECT_MAX_DELAY_MS = 30_000;

/** Close codes the Qt client accepts: 1000–1003, 1007–1011, 3000–4999. */
export function isValidCloseCode(code: number): boolean {
  return (
    Number.isInteger(code) &&
    ((code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1011) || (code >= 3000 && code <= 4999))
  );
}

/** Close codes SimpleChat sends, named. */
export const CloseCode = {
  normal: 1000,
  goingAway: 1001,
  unsupportedData: 1003,
  invalidPayload: 1007,
  policyViolation: 1008,
  messageTooBig: 1009,
  internalError: 1011,
  /** The room key was missing or wrong. */
  forbidden: 4003,
  /** The same session logged in again from another connection. */
  replaced: 4000,
  /**
   * Refused for now (the room is full, too many connections from this address): try again
   * later. Unlike 1008, which means "never like this", a client should keep retrying.
   */
  tryLater: 4008,
  /**
   * Too many wrong room keys from this address (or, in a distributed guess, from
   * everywhere): no key, not even the right one, is taken until the time the reason names.
   * Final for a client: retrying sooner only meets the same refusal.
   */
  tooManyKeyTries: 4029,
  /**
   * Sent by a client that heard nothing from the server for too long. Not 1000: the
   * server frees a session on 1000, and a live server should keep it for the resume.
   */
  serverSilent: 4001,
} as const;

/** The reason of the 4003 close a room sends a peer outside its allowed networks. */
export const LOCAL_NETWORK_ONLY_REASON = 'This room accepts only the local network';
