/*
 * The last public messages, as the JSON each one went out as, numbered in order.
 * A client that resumes its session gets the ones it missed in one History message.
 */

export const HISTORY_SIZE = 200;

export class History {
  /** By number modulo capacity; undefined where a number holds nothing (restored with a gap). */
  private readonly payloads: Array<string | undefined>;
  private readonly bytes: number[];
  /** Number of the newest message; 0 before the first. */
  private newest = 0;

  constructor(readonly capacity: number = HISTORY_SIZE) {
    this.payloads = new Array<string>(capacity);
    this.bytes = new Array<number>(capacity);
  }

  get lastSeq(): number {
    return this.newest;
  }

  /** Keeps a PublicMessage's JSON; returns its number. */
  append(payload: string, byteLength: number): number {
    const seq = ++this.newest;
    this.payloads[seq % this.capacity] = payload;
    this.bytes[seq % this.capacity] = byteLength;
    return seq;
  }

  /** The messages kept, oldest first, with their numbers (for the state file). */
  entries(): Array<{ seq: number; payload: string }> {
    const entries: Array<{ seq: number; payload: string }> = [];
    for (let seq = Math.max(1, this.newest - this.capacity + 1); seq <= this.newest; seq++) {
      const payload = this.payloads[seq % this.capacity];
      if (payload !== undefined) entries.push({ seq, payload });
    }
    return entries;
  }

  /**
   * Takes back messages from the state file (numbers rising); numbering goes on after
   * the last. A number missing from the file (a damaged record) stays empty. Only for
   * an empty History.
   */
  restore(entries: ReadonlyArray<{ seq: number; payload: string }>, frameLength: (payload: string) => number): void {
    if (this.newest !== 0) throw new Error('History.restore needs an empty History');
    if (entries.length === 0) return;
    this.newest = entries[entries.length - 1]!.seq;
    const oldestKept = this.newest - this.capacity + 1;
    for (const { seq, payload } of entries) {
      if (seq < oldestKept) continue;
      this.payloads[seq % this.capacity] = payload;
      this.bytes[seq % this.capacity] = frameLength(payload);
    }
  }

  /**
   * `{"action":"History","messages":[…]}` with the messages numbered above `seq`,
   * oldest first — as many of the newest as fit in `maxBytes`.
   */
  historyJson(afterSeq: number, maxBytes: number): string {
    const oldestKept = Math.max(1, this.newest - this.capacity + 1);
    let first = this.newest + 1;
    let total = 0;
    for (let seq = this.newest; seq > afterSeq && seq >= oldestKept; seq--) {
      if (this.payloads[seq % this.capacity] === undefined) continue;
      const size = this.bytes[seq % this.capacity]! + 1;
      if (total + size > maxBytes) break;
      total += size;
      first = seq;
    }
    const messages: string[] = [];
    for (let seq = first; seq <= this.newest; seq++) {
      const payload = this.payloads[seq % this.capacity];
      if (payload !== undefined) messages.push(payload);
    }
    return `{"action":"History","messages":[${messages.join(',')}]}`;
  }
}
