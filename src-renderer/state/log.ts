import type { Identity, RichTextRun } from '../../src-shared/protocol';

/** Things the log says that nobody typed; worded at render time, in the current language. */
export type SystemEvent =
  | { type: 'connecting'; address: string; attempt: number }
  | { type: 'connected' }
  | { type: 'logged-in'; self: Identity }
  | { type: 'joined'; user: Identity }
  | { type: 'left'; user: Identity }
  | { type: 'lost'; user: Identity }
  | { type: 'closed'; reason: string; byUser: boolean; code?: number }
  | { type: 'reconnecting'; delayMs: number; attempt: number; reason: string; afterFailedAttempt: boolean }
  | { type: 'error'; message: string; code?: string }
  | { type: 'server-newer'; action: string }
  | { type: 'send-failed'; reason: string }
  | { type: 'undelivered'; to: Identity | null; text: string }
  | { type: 'private-ended'; user: Identity }
  | { type: 'hosting'; port: number; addresses: readonly string[]; webUrls: readonly string[] }
  | { type: 'hosting-failed'; port: number; message: string }
  | { type: 'hosting-stopped' };

export type ChatDirection = 'public' | 'private-in' | 'private-out';

export interface SystemLine {
  kind: 'system';
  id: number;
  time: number;
  event: SystemEvent;
}

export interface ChatLine {
  kind: 'chat';
  id: number;
  time: number;
  from: Identity;
  /** For private lines: the other person (the sender when in, the recipient when out). */
  peer: Identity | null;
  direction: ChatDirection;
  /** The server's id for the line; null from a server that gives none (the original). */
  messageId: number | null;
  /**
   * As the server sent it, `<b>` runs and all: parsed into runs when the line is shown.
   * The log keeps up to 100 000 lines, so each keeps one string, not an array of runs.
   */
  text: string;
  mentionsMe: boolean;
  /** Written by this user (the server's echo). */
  mine: boolean;
  /** Replayed by the server after a reconnect (`History`). */
  replayed: boolean;
}

export type LogLine = SystemLine | ChatLine;

/**
 * A message in the session's outbox: typed, not yet confirmed by the server's echo.
 * Shown after the log, never in it: the echo, when it comes, is the line that stays.
 */
export interface PendingLine {
  /** The outbox's id: what Cancel hands back. */
  readonly id: string;
  /** When it was typed. */
  readonly time: number;
  /** Who it will be shown as from; null when no login in this page said who we are. */
  readonly from: Identity | null;
  /** A private message's recipient; null for a public one. */
  readonly to: Identity | null;
  /** As the server will print it (mentions in bold). */
  readonly runs: readonly RichTextRun[];
  /** Written and awaiting its echo: too late to cancel. */
  readonly sending: boolean;
}

/*
 * The log may hold 100 000 lines, so it is stored in fixed-size blocks: appending
 * copies only the last block and the (short) block index, the view re-renders only
 * blocks whose identity changed, and the oldest lines go a whole block at a time.
 */
export const LOG_BLOCK_SIZE = 16;
/** The log keeps at least this many of the newest lines (and less than a block more); older ones are dropped. */
export const MAX_LOG_LINES = 100_000;

export interface LogStore {
  readonly blocks: readonly (readonly LogLine[])[];
  /** Lines kept. */
  readonly count: number;
  /** Lines dropped from the start to stay under the cap: a whole number of blocks. */
  readonly dropped: number;
}

export const EMPTY_LOG: LogStore = { blocks: [], count: 0, dropped: 0 };

export type NewLine = Omit<SystemLine, 'id'> | Omit<ChatLine, 'id'>;

/** Appends in order; a line's id is its number since the log began, dropped lines included. */
export function appendLines(store: LogStore, lines: readonly NewLine[], maxLines: number = MAX_LOG_LINES): LogStore {
  if (lines.length === 0) return store;
  let blocks = store.blocks.slice();
  let count = store.count;
  let dropped = store.dropped;
  let last: LogLine[] | null = null;
  for (const line of lines) {
    if (count % LOG_BLOCK_SIZE === 0) {
      last = [];
      blocks.push(last);
    } else if (last === null) {
      last = blocks[blocks.length - 1]!.slice();
      blocks[blocks.length - 1] = last;
    }
    last.push({ ...line, id: dropped + count } as LogLine);
    count += 1;
  }
  // Only full blocks before the last go, so blocks stay aligned and lineAt stays a division.
  let drop = 0;
  while (drop < blocks.length - 1 && count - blocks[drop]!.length >= maxLines) {
    count -= blocks[drop]!.length;
    dropped += blocks[drop]!.length;
    drop += 1;
  }
  if (drop > 0) blocks = blocks.slice(drop);
  return { blocks, count, dropped };
}

/** The line at `index` among the lines kept (0 is the oldest kept). */
export function lineAt(store: LogStore, index: number): LogLine | undefined {
  return store.blocks[Math.floor(index / LOG_BLOCK_SIZE)]?.[index % LOG_BLOCK_SIZE];
}

/** Every line ever appended to this log, including any dropped from its start. */
export function totalLines(store: LogStore): number {
  return store.dropped + store.count;
}
