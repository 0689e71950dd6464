import { idFloor, quotedIdOf } from './message-store';
import type { LinePage, MessageStore, StoredLine } from './message-store';

/** Lines a memory store keeps (per store; the oldest go first). */
export const DEFAULT_MEMORY_LINES = 1_000;

/**
 * The store of a server without a database: the last `capacity` lines in an array
 * ordered by id, so a page is a binary search and a slice.
 */
export class MemoryMessageStore implements MessageStore {
  private lines: StoredLine[] = [];
  private last: number;

  constructor(
    readonly capacity: number = DEFAULT_MEMORY_LINES,
    /** The highest id given before (a state file's), or 0. */
    lastGiven = 0,
  ) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`capacity must be a positive integer, got ${capacity}`);
    this.last = Math.max(lastGiven, idFloor() - 1);
  }

  get lastMessageId(): number {
    return this.last;
  }

  nextMessageId(): number {
    this.last += 1;
    return this.last;
  }

  append(line: StoredLine): void {
    if (line.messageId > this.last) this.last = line.messageId;
    const lines = this.lines;
    if (lines.length > 0 && line.messageId <= lines[lines.length - 1]!.messageId) {
      throw new Error(`line ${line.messageId} is not newer than the last one stored`);
    }
    lines.push(line);
    // Trimmed in bulk, so an append stays O(1) on average.
    if (lines.length >= 2 * this.capacity) this.lines = lines.slice(lines.length - this.capacity);
  }

  replace(line: StoredLine): void {
    const index = this.firstAtOrAbove(line.messageId);
    if (this.lines[index]?.messageId !== line.messageId || index < this.oldestIndex()) return;
    this.lines[index] = line;
  }

  before(room: string, before: number, limit: number): LinePage {
    const end = this.firstAtOrAbove(before);
    const picked: StoredLine[] = [];
    let index = end - 1;
    for (; index >= this.oldestIndex() && picked.length < limit; index--) {
      const line = this.lines[index]!;
      if (line.room === room) picked.push(line);
    }
    picked.reverse();
    return { lines: picked, hasMore: this.hasRoomLineBefore(room, index) };
  }

  after(room: string, after: number, limit: number): LinePage {
    const start = Math.max(this.firstAtOrAbove(after + 1), this.oldestIndex());
    const picked: StoredLine[] = [];
    let index = this.lines.length - 1;
    for (; index >= start && picked.length < limit; index--) {
      const line = this.lines[index]!;
      if (line.room === room) picked.push(line);
    }
    picked.reverse();
    return { lines: picked, hasMore: this.hasRoomLineBefore(room, index) };
  }

  get(messageId: number): StoredLine | undefined {
    const index = this.firstAtOrAbove(messageId);
    const line = this.lines[index];
    return line !== undefined && line.messageId === messageId && index >= this.oldestIndex() ? line : undefined;
  }

  repliesTo(messageId: number): readonly StoredLine[] {
    const replies: StoredLine[] = [];
    for (let i = Math.max(this.firstAtOrAbove(messageId + 1), this.oldestIndex()); i < this.lines.length; i++) {
      const line = this.lines[i]!;
      if (quotedIdOf(line.payload) === messageId) replies.push(line);
    }
    return replies;
  }

  /** Every line kept, oldest first (for the state file). */
  entries(): readonly StoredLine[] {
    return this.lines.slice(this.oldestIndex());
  }

  flush(): void {}

  close(): void {}

  /** Lines before this index are past the capacity, waiting for the bulk trim. */
  private oldestIndex(): number {
    return Math.max(0, this.lines.length - this.capacity);
  }

  private hasRoomLineBefore(room: string, index: number): boolean {
    for (let i = index; i >= this.oldestIndex(); i--) if (this.lines[i]!.room === room) return true;
    return false;
  }

  /** Index of the first line whose id is at least `messageId` (lines.length if none). */
  private firstAtOrAbove(messageId: number): number {
    let low = 0;
    let high = this.lines.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (this.lines[mid]!.messageId < messageId) low = mid + 1;
      else high = mid;
    }
    return low;
  }
}
