/*
 * Where the room's lines live: the one interface every store implements (in memory
 * now; SQLite and Redis stand behind the same few verbs: append a line, page
 * backwards, page forwards from a point, look one up). Lines are kept as the JSON they
 * went out as, so a page is sent without building a single object per line.
 */

/** The room every client is in after login: the original protocol's only room. */
export const LOBBY = '';

export interface StoredLine {
  readonly messageId: number;
  /** `LOBBY`, or (with rooms) the room's canonical name. */
  readonly room: string;
  /** The server's clock when it accepted the line, ms since the epoch. */
  readonly sentAt: number;
  /** The session that sent it: only it may edit or delete the line. */
  readonly authorSession: string;
  /** The PublicMessage as it goes out now (messageId and sentAt included; an edit's text and editedAt). */
  readonly payload: string;
}

export interface LinePage {
  /** Oldest first. */
  readonly lines: readonly StoredLine[];
  /** Older lines than the first one here exist in the store. */
  readonly hasMore: boolean;
}

export interface MessageStore {
  /**
   * The id for the line being accepted now: above every id this store gave before,
   * across restarts (a store that forgets counts on from the clock, see `idFloor`).
   */
  nextMessageId(): number;
  /** The highest id given so far (0 before the first). */
  readonly lastMessageId: number;
  append(line: StoredLine): void;
  /** Puts a changed line (an edit's new text, a deletion's tombstone) in place of the one with its id. */
  replace(line: StoredLine): void;
  /** Up to `limit` lines of `room` whose ids are below `before`, oldest first. */
  before(room: string, before: number, limit: number): LinePage;
  /** The newest up to `limit` lines of `room` whose ids are above `after`, oldest first. */
  after(room: string, after: number, limit: number): LinePage;
  get(messageId: number): StoredLine | undefined;
  /** The lines that quote the line `messageId` (replies to it, in its room or a dialog), oldest first. */
  repliesTo(messageId: number): readonly StoredLine[];
  /** Writes what is pending (called once per flush tick, before the frames go out). */
  flush(): void;
  close(): void;
}

/**
 * How a stored line names the line it answers: `"replyTo":{"messageId":<id>,…` (see
 * quote.ts). The server writes it; a text is HTML-escaped, so no text can forge it.
 */
export const QUOTE_MARK = '"replyTo":{"messageId":';

/** The id of the line `payload` quotes, or null when it is no reply. */
export function quotedIdOf(payload: string): number | null {
  const at = payload.indexOf(QUOTE_MARK);
  if (at === -1) return null;
  const id = parseInt(payload.slice(at + QUOTE_MARK.length, at + QUOTE_MARK.length + 20), 10);
  return Number.isSafeInteger(id) ? id : null;
}

/**
 * The lowest id a store may give at `now`: ms since the epoch × 1000. A store that
 * lost its counter (kept in memory, restarted) still never goes back to ids it gave
 * before, so a client that keeps lines by id never mistakes a new line for an old one.
 * Safe as a JSON integer until the year 2255.
 */
export function idFloor(now: number = Date.now()): number {
  return Math.floor(now) * 1000;
}
