import { closeSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { MAX_USER_ID, isMessageId, normalizeColor, parseServerMessage } from '../../src-shared/protocol';
import type { SavedSession } from './store/durable-state';

/** Public messages the state file keeps (the newest). */
export const HISTORY_SIZE = 200;

/*
 * The room's state on disk, so a restart — even after SIGKILL — loses nothing a client
 * saw: the next user id (ids are reused only after wrapping past 2^31 − 1), the live sessions, and the last public
 * messages (History). One file of JSON lines: a snapshot (a header, then the whole
 * state), followed by a journal of changes appended since. Each flush tick's records go
 * in ONE write, made before that tick's frames reach any socket, so whatever a client
 * was shown is on disk. SIGKILL cannot lose what write() has handed to the kernel, so
 * there is no fsync per write (a power cut may lose the last moments). When the journal
 * has grown past a bound, the file is rewritten from memory (temp file + rename, atomic).
 *
 * Loading never throws on what it reads: a damaged or truncated record is skipped with
 * a log line, every complete one is kept; a file that is not ours at all is moved aside
 * as `<path>.corrupt-<time>` and the room starts empty.
 */

export type { SavedSession } from './store/durable-state';

/** A public message as it went out: its messageId and its JSON. */
export interface SavedMessage {
  seq: number;
  payload: string;
}

export interface SavedState {
  nextUserId: number;
  sessions: SavedSession[];
  /** Oldest first, at most HISTORY_SIZE. */
  messages: SavedMessage[];
}

export interface ParsedState {
  state: SavedState;
  /** 1-based numbers of the lines that were skipped as damaged. */
  damagedLines: number[];
}

const FORMAT = 'simplechat-state';
const VERSION = 1;
const HEADER_LINE = `{"t":"${FORMAT}","version":${VERSION}}\n`;
/** The journal is compacted once it passes this, or twice the last snapshot if larger. */
export const MIN_COMPACT_BYTES = 1024 * 1024;
/** Records with no socket write to ride on (a session expiring in an empty room) go out this soon. */
const LAZY_WRITE_MS = 50;
/** After a failed write, a full rewrite is tried again this soon. */
const RETRY_MS = 1_000;
const MAX_TOKEN_LENGTH = 256;
const MAX_SAVED_NAME_LENGTH = 64;

// ---- records -----------------------------------------------------------------------

export function sessionLine(s: SavedSession): string {
  return `${JSON.stringify({ t: 'session', token: s.token, userId: s.userId, userName: s.userName, gender: s.gender, userColor: s.userColor, acked: s.ackedSeq })}\n`;
}

/** `payload` is the message's JSON as sent: spliced in, not serialised again. */
export function messageLine(seq: number, payload: string): string {
  return `{"t":"msg","seq":${seq},"m":${payload}}\n`;
}

export function endLine(token: string): string {
  return `${JSON.stringify({ t: 'end', token })}\n`;
}

/** New acknowledged History numbers, as [userId, seq] pairs. */
export function ackedLine(pairs: ReadonlyArray<readonly [number, number]>): string {
  return `{"t":"acked","seqs":${JSON.stringify(pairs)}}\n`;
}

function nextLine(nextUserId: number): string {
  return `{"t":"next","userId":${nextUserId}}\n`;
}

export function snapshotText(state: SavedState): string {
  let text = HEADER_LINE + nextLine(state.nextUserId);
  for (const session of state.sessions) text += sessionLine(session);
  for (const message of state.messages) text += messageLine(message.seq, message.payload);
  return text;
}

// ---- reading -----------------------------------------------------------------------

const isCount = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0;
const isUserId = (v: unknown): v is number => Number.isInteger(v) && (v as number) >= 1 && (v as number) <= MAX_USER_ID;
const isToken = (v: unknown): v is string => typeof v === 'string' && v !== '' && v.length <= MAX_TOKEN_LENGTH;

function readSession(r: Record<string, unknown>): SavedSession | null {
  const { token, userId, userName, gender, userColor, acked } = r;
  if (!isToken(token) || !isUserId(userId) || !isCount(acked)) return null;
  if (typeof userName !== 'string' || userName.trim() === '' || Array.from(userName).length > MAX_SAVED_NAME_LENGTH) return null;
  if (gender !== 0 && gender !== 1 && gender !== 2) return null;
  if (typeof userColor !== 'string' || normalizeColor(userColor) !== userColor) return null;
  return { token, userId, userName, gender, userColor, ackedSeq: acked };
}

function readMessage(r: Record<string, unknown>): SavedMessage | null {
  const { seq, m } = r;
  if (!isMessageId(seq) || typeof m !== 'object' || m === null) return null;
  const payload = JSON.stringify(m);
  const parsed = parseServerMessage(payload);
  return parsed.ok && parsed.message.action === 'PublicMessage' ? { seq, payload } : null;
}

/**
 * Reads a state file's text. Returns null when it is not a state file at all (no
 * valid header); otherwise every complete, valid record is applied in order and the
 * others are listed in `damagedLines`. Never throws.
 */
export function parseStateText(text: string, historySize = HISTORY_SIZE): ParsedState | null {
  if (text === '') return { state: { nextUserId: 1, sessions: [], messages: [] }, damagedLines: [] };
  const lines = text.split('\n');
  const header = parseRecord(lines[0]!);
  if (header === null || header.t !== FORMAT || header.version !== VERSION) return null;
  let nextUserId = 1;
  const sessions = new Map<string, SavedSession>();
  const tokenOf = new Map<number, string>();
  const messages: SavedMessage[] = [];
  const damagedLines: number[] = [];
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!;
    if (line === '') continue;
    const record = parseRecord(line);
    const applied = record !== null && apply(record);
    if (!applied) damagedLines.push(i + 1);
  }
  return { state: { nextUserId, sessions: [...sessions.values()], messages: messages.slice(-historySize) }, damagedLines };

  function apply(r: Record<string, unknown>): boolean {
    switch (r.t) {
      case 'next':
        if (!isUserId(r.userId) && r.userId !== MAX_USER_ID + 1) return false;
        nextUserId = Math.max(nextUserId, r.userId as number);
        return true;
      case 'session': {
        const session = readSession(r);
        if (session === null) return false;
        sessions.delete(session.token);
        sessions.set(session.token, session);
        tokenOf.set(session.userId, session.token);
        nextUserId = Math.max(nextUserId, session.userId + 1);
        return true;
      }
      case 'end':
        if (!isToken(r.token)) return false;
        sessions.delete(r.token);
        return true;
      case 'acked': {
        if (!Array.isArray(r.seqs)) return false;
        for (const pair of r.seqs as unknown[]) {
          if (!Array.isArray(pair) || !isUserId(pair[0]) || !isCount(pair[1])) return false;
          const token = tokenOf.get(pair[0]);
          const session = token === undefined ? undefined : sessions.get(token);
          if (session !== undefined) session.ackedSeq = pair[1];
        }
        return true;
      }
      case 'msg': {
        const message = readMessage(r);
        if (message === null) return false;
        // Numbers only grow; a record of a seq already kept is that line changed (an edit, a tombstone).
        if (messages.length > 0 && message.seq <= messages[messages.length - 1]!.seq) {
          let index = messages.length - 1;
          while (index >= 0 && messages[index]!.seq > message.seq) index--;
          if (index >= 0 && messages[index]!.seq === message.seq) messages[index] = message;
          return true;
        }
        messages.push(message);
        if (messages.length > 2 * historySize) messages.splice(0, messages.length - historySize);
        return true;
      }
      default:
        return false;
    }
  }
}

function parseRecord(line: string): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(line);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

function fileStamp(): string {
  return new Date().toISOString().replace(/[:.]/g, '-');
}

/**
 * Loads the state at `path`. A missing file is an empty room; a file that cannot be
 * read or is not a state file is moved aside (`<path>.corrupt-<time>`) and the room
 * starts empty. Throws only when such a file cannot even be moved aside.
 */
export function loadStateFile(path: string, log: (line: string) => void, historySize = HISTORY_SIZE): SavedState {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      log(`state file ${path}: none yet, starting empty`);
      return parseStateText('')!.state;
    }
    return setAside(path, `cannot be read (${(error as Error).message})`, log);
  }
  const parsed = parseStateText(text, historySize);
  if (parsed === null) return setAside(path, 'is not a SimpleChat state file', log);
  const { state, damagedLines } = parsed;
  if (damagedLines.length > 0) {
    const lines = damagedLines.length <= 5 ? damagedLines.join(', ') : `${damagedLines.slice(0, 5).join(', ')}, …`;
    log(`error: state file ${path}: skipped ${damagedLines.length} damaged or truncated record(s) (line ${lines}); kept every complete one`);
  }
  log(`state file ${path}: ${state.sessions.length} session(s), ${state.messages.length} message(s), next user id ${state.nextUserId}`);
  return state;
}

function setAside(path: string, why: string, log: (line: string) => void): SavedState {
  const aside = `${path}.corrupt-${fileStamp()}`;
  try {
    renameSync(path, aside);
  } catch (error) {
    throw new Error(`The state file ${path} ${why}, and it cannot be moved aside: ${(error as Error).message}`, { cause: error });
  }
  log(`error: state file ${path} ${why}; kept it as ${aside} and started empty`);
  return parseStateText('')!.state;
}

// ---- writing -----------------------------------------------------------------------

function writeAll(fd: number, data: Buffer): void {
  for (let offset = 0; offset < data.length; ) offset += writeSync(fd, data, offset, data.length - offset);
}

/**
 * Appends records to the state file, one write per flush, and compacts it when it
 * grows. `snapshot` gives the whole state as it is in memory now.
 */
export class StateJournal {
  private fd: number;
  private pending: string[] = [];
  private journalBytes = 0;
  private compactAt: number;
  /** A write failed: the next write is a whole rewrite, which also catches up. */
  private behind = false;
  private timer: NodeJS.Timeout | null = null;
  private closed = false;
  private readonly onTimer = (): void => {
    this.timer = null;
    this.flush();
  };

  /** Opens (creating) the file and writes a snapshot of the state at once. Throws if it cannot. */
  constructor(
    readonly path: string,
    private readonly snapshot: () => SavedState,
    private readonly log: (line: string) => void,
    private readonly minCompactBytes = MIN_COMPACT_BYTES,
  ) {
    this.compactAt = minCompactBytes;
    this.fd = this.rewrite();
  }

  /** Queues a record (a line from the *Line functions); it is written by the next flush. */
  append(line: string): void {
    if (this.closed) return;
    this.pending.push(line);
    this.schedule(LAZY_WRITE_MS);
  }

  /** Writes what is queued in one write; called before any frame goes to a socket. */
  flush(): void {
    if (this.pending.length === 0 && !this.behind) return;
    if (this.closed) return;
    if (this.behind) {
      this.pending = [];
      this.tryRewrite();
      return;
    }
    const data = Buffer.from(this.pending.length === 1 ? this.pending[0]! : this.pending.join(''), 'utf8');
    this.pending = [];
    try {
      writeAll(this.fd, data);
    } catch (error) {
      this.failed(error);
      return;
    }
    this.journalBytes += data.length;
    if (this.journalBytes > this.compactAt) this.tryRewrite();
  }

  /** Writes what is left and closes the file. */
  close(): void {
    if (this.closed) return;
    this.flush();
    this.closed = true;
    if (this.timer !== null) clearTimeout(this.timer);
    closeSync(this.fd);
  }

  private schedule(ms: number): void {
    if (this.timer !== null) return;
    this.timer = setTimeout(this.onTimer, ms);
    this.timer.unref();
  }

  private tryRewrite(): void {
    try {
      const fd = this.rewrite();
      closeSync(this.fd);
      this.fd = fd;
      if (this.behind) this.log(`state file ${this.path}: written again`);
      this.behind = false;
    } catch (error) {
      this.failed(error);
    }
  }

  /** Writes the whole state to a temp file, swaps it in, and returns a descriptor to append to it. */
  private rewrite(): number {
    const text = snapshotText(this.snapshot());
    const temp = `${this.path}.tmp`;
    const fd = openSync(temp, 'w', 0o600);
    try {
      writeAll(fd, Buffer.from(text, 'utf8'));
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temp, this.path);
    this.journalBytes = 0;
    this.compactAt = Math.max(this.minCompactBytes, 2 * text.length);
    return openSync(this.path, 'a', 0o600);
  }

  private failed(error: unknown): void {
    if (!this.behind) this.log(`error: state file ${this.path}: cannot write (${(error as Error).message}); retrying`);
    this.behind = true;
    this.pending = [];
    this.schedule(RETRY_MS);
  }
}
