import type { Identity, LineFile, ReplyQuote, RichTextRun } from '../../src-shared/protocol';

/** Things the log says that nobody typed; worded at render time, in the current language. */
export type SystemEvent =
  | { type: 'connecting'; address: string; attempt: number }
  | { type: 'connected' }
  | { type: 'logged-in'; self: Identity }
  | { type: 'joined'; user: Identity; inRoom?: true }
  | { type: 'left'; user: Identity; inRoom?: true }
  | { type: 'lost'; user: Identity }
  | { type: 'closed'; reason: string; byUser: boolean; code?: number }
  | { type: 'error'; message: string; code?: string }
  | { type: 'server-newer'; action: string }
  | { type: 'send-failed'; reason: string }
  | { type: 'undelivered'; to: Identity | null; text: string }
  | { type: 'private-ended'; user: Identity }
  | { type: 'hosting'; port: number; addresses: readonly string[]; webUrls: readonly string[] }
  | { type: 'hosting-failed'; port: number; message: string }
  | { type: 'hosting-stopped' }
  /** A Buzz: to us (`mine` false), or our own that got through (`mine` true). */
  | { type: 'buzz'; from: Identity; to: Identity; mine: boolean };

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
  /** When it was last edited (the server's clock); null: never. */
  editedAt: number | null;
  /** Deleted: its text is gone, it shows "message deleted". */
  deleted: boolean;
  /** The line it answers, as the server quoted it. */
  replyTo: ReplyQuote | null;
  /** A private dialog's line: it reached the recipient, or waits for it (absent: not a stored dialog's line). */
  delivery?: 'delivered' | 'waiting';
  /** The file it carries, as the server recorded it (absent: none, or the line was deleted). */
  file?: LineFile;
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
  /** A room's line (its name); absent: the lobby's, or a private one. */
  readonly room?: string;
}

/*
 * The log may hold 100 000 lines, so it is stored in fixed-size blocks: appending
 * copies only the last block and the (short) block index, the view re-renders only
 * blocks whose identity changed, and the oldest lines go a whole block at a time.
 * Older pages of history arrive at the front: the first block may then have free
 * slots at its start (`head`), so every later block stays full and aligned.
 */
export const LOG_BLOCK_SIZE = 16;
/** The log keeps at least this many of the newest lines (and less than a block more); older ones are dropped. */
export const MAX_LOG_LINES = 100_000;

export interface LogStore {
  readonly blocks: readonly (readonly LogLine[])[];
  /** Lines kept. */
  readonly count: number;
  /** Lines dropped from the start to stay under the cap. */
  readonly dropped: number;
  /** Free slots at the start of the first block (lines put in front fill them first). */
  readonly head: number;
  /** The number of the first block: 0 is the first block ever appended, blocks put in front count down. */
  readonly firstBlock: number;
  /** Lines ever put in front or in between (older history): their ids count down from -1. */
  readonly prepended: number;
}

export const EMPTY_LOG: LogStore = { blocks: [], count: 0, dropped: 0, head: 0, firstBlock: 0, prepended: 0 };

export type NewLine = Omit<SystemLine, 'id'> | Omit<ChatLine, 'id'>;

/** Appends in order; a line's id is its number among the lines ever appended, dropped lines included. */
export function appendLines(store: LogStore, lines: readonly NewLine[], maxLines: number = MAX_LOG_LINES): LogStore {
  if (lines.length === 0) return store;
  let blocks = store.blocks.slice();
  let count = store.count;
  let dropped = store.dropped;
  let nextId = totalLines(store);
  let last: LogLine[] | null = null;
  for (const line of lines) {
    if ((store.head + count) % LOG_BLOCK_SIZE === 0) {
      last = [];
      blocks.push(last);
    } else if (last === null) {
      last = blocks[blocks.length - 1]!.slice();
      blocks[blocks.length - 1] = last;
    }
    last.push({ ...line, id: nextId++ } as LogLine);
    count += 1;
  }
  // Only whole blocks before the last go, so blocks stay aligned and lineAt stays a division.
  let drop = 0;
  while (drop < blocks.length - 1 && count - blocks[drop]!.length >= maxLines) {
    count -= blocks[drop]!.length;
    dropped += blocks[drop]!.length;
    drop += 1;
  }
  let head = store.head;
  let firstBlock = store.firstBlock;
  if (drop > 0) {
    blocks = blocks.slice(drop);
    head = 0;
    firstBlock += drop;
  }
  return { blocks, count, dropped, head, firstBlock, prepended: store.prepended };
}

/** Of older lines, the newest that fit under the cap, with ids counting down from the last older one's. */
function stampOlder(store: LogStore, lines: readonly NewLine[], maxLines: number): LogLine[] {
  const room = Math.max(0, maxLines - store.count);
  const taken = lines.length > room ? lines.slice(lines.length - room) : lines;
  let nextId = -store.prepended - 1;
  const stamped: LogLine[] = new Array<LogLine>(taken.length);
  for (let i = taken.length - 1; i >= 0; i--) stamped[i] = { ...taken[i]!, id: nextId-- } as LogLine;
  return stamped;
}

/**
 * Puts older lines (oldest first) before the first one. Only as many as fit under the
 * cap go in, the newest of them; returns the store unchanged when none fit. Their ids
 * count down from -1.
 */
export function prependLines(store: LogStore, lines: readonly NewLine[], maxLines: number = MAX_LOG_LINES): LogStore {
  const stamped = stampOlder(store, lines, maxLines);
  if (stamped.length === 0) return store;
  const blocks = store.blocks.slice();
  let rest = stamped.length;
  // First the free slots of the first block.
  const intoFirst = blocks.length === 0 ? 0 : Math.min(store.head, rest);
  if (intoFirst > 0) {
    blocks[0] = [...stamped.slice(rest - intoFirst, rest), ...blocks[0]!];
    rest -= intoFirst;
  }
  let head = store.head - intoFirst;
  let firstBlock = store.firstBlock;
  const front: LogLine[][] = [];
  while (rest > 0) {
    const size = Math.min(LOG_BLOCK_SIZE, rest);
    front.unshift(stamped.slice(rest - size, rest));
    rest -= size;
    head = LOG_BLOCK_SIZE - size;
    firstBlock -= 1;
  }
  return {
    blocks: [...front, ...blocks],
    count: store.count + stamped.length,
    dropped: store.dropped,
    head,
    firstBlock,
    prepended: store.prepended + stamped.length,
  };
}

/**
 * Puts older lines (oldest first) in before the line at `index`: history that a
 * reconnect missed. The lines after it are laid out again (they keep their ids), so
 * this is for a few lines near the end; blocks before it stay as they were.
 */
export function insertLines(store: LogStore, index: number, lines: readonly NewLine[], maxLines: number = MAX_LOG_LINES): LogStore {
  if (index <= 0) return prependLines(store, lines, maxLines);
  if (index >= store.count) throw new RangeError(`no line ${index} in the log`);
  const moved = stampOlder(store, lines, maxLines);
  const taken = moved.length;
  if (taken === 0) return store;
  for (let i = index; i < store.count; i++) moved.push(lineAt(store, i)!);
  const slot = index + store.head;
  const b = Math.floor(slot / LOG_BLOCK_SIZE);
  const within = b === 0 ? index : slot % LOG_BLOCK_SIZE;
  const blocks: LogLine[][] = store.blocks.slice(0, b) as LogLine[][];
  let last: LogLine[] | null = null;
  if (within > 0) {
    last = store.blocks[b]!.slice(0, within);
    blocks.push(last);
  }
  let count = index;
  for (const line of moved) {
    if ((store.head + count) % LOG_BLOCK_SIZE === 0 || last === null) {
      last = [];
      blocks.push(last);
    }
    last.push(line);
    count += 1;
  }
  return { ...store, blocks, count, prepended: store.prepended + taken };
}

/** The same log with the line at `index` replaced (its id kept): only its block is copied. */
export function replaceLine(store: LogStore, index: number, line: LogLine): LogStore {
  const slot = index + store.head;
  const b = Math.floor(slot / LOG_BLOCK_SIZE);
  const block = store.blocks[b];
  if (index < 0 || index >= store.count || block === undefined) throw new RangeError(`no line ${index} in the log`);
  const copy = block.slice();
  copy[b === 0 ? index : slot % LOG_BLOCK_SIZE] = line;
  const blocks = store.blocks.slice();
  blocks[b] = copy;
  return { ...store, blocks };
}

/** The index of the chat line with this messageId, searched from the newest (where edits mostly are); -1 when not kept. */
export function findMessage(store: LogStore, messageId: number): number {
  for (let i = store.count - 1; i >= 0; i--) {
    const line = lineAt(store, i);
    if (line?.kind === 'chat' && line.messageId === messageId) return i;
  }
  return -1;
}

/** The line at `index` among the lines kept (0 is the oldest kept). */
export function lineAt(store: LogStore, index: number): LogLine | undefined {
  if (index < 0) return undefined;
  const slot = index + store.head;
  const block = Math.floor(slot / LOG_BLOCK_SIZE);
  return store.blocks[block]?.[block === 0 ? index : slot % LOG_BLOCK_SIZE];
}

/** Every line ever appended to this log, including any dropped from its start; older history put in front is not counted. */
export function totalLines(store: LogStore): number {
  return store.dropped + store.count - store.prepended;
}
