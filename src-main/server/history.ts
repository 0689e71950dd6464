/*
 * The last public messages, as the JSON each one went out as, numbered in order.
 * A client that resumes its session gets the ones it missed in one History message.
 */

export const HISTORY_SIZE = 200;

export class History {
  private readonly payloads: string[];
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

  /**
   * `{"action":"History","messages":[…]}` with the messages numbered above `seq`,
   * oldest first — as many of the newest as fit in `maxBytes`.
   */
  historyJson(afterSeq: number, maxBytes: number): string {
    const oldestKept = Math.max(1, this.newest - this.capacity + 1);
    let first = this.newest + 1;
    let total = 0;
    for (let seq = this.newest; seq > afterSeq && seq >= oldestKept; seq--) {
      const size = this.bytes[seq % this.capacity]! + 1;
      if (total + size > maxBytes) break;
      total += size;
      first = seq;
    }
    const messages: string[] = [];
    for (let seq = first; seq <= this.newest; seq++) messages.push(this.payloads[seq % this.capacity]!);
    return `{"action":"History","messages":[${messages.join(',')}]}`;
  }
}
