import type { Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { WebSocket } from 'ws';

/*
 * The hot path. A chat server's work is fan-out, so everything that goes to more
 * than one socket is serialised and framed once, and the frames queued in one tick
 * are joined into one buffer written to every socket: one write per socket per tick,
 * whatever the number of messages (a connect storm's Connected broadcasts included).
 * A recipient added mid-tick gets only what is queued after it, as the tail of the
 * same buffer. A frame for one socket is written at once, after whatever that socket
 * still had queued, so every socket sees messages in the order they were made.
 *
 * A frame may come in two serialisations, one per audience: the original Qt client
 * (`legacy`) and everyone else. The split is per audience, never per recipient: a tick
 * that queued such a frame joins two buffers instead of one.
 */

/** Frames a text message as a server (unmasked, final, opcode 1). One allocation. */
export function frameText(payload: string): Buffer {
  const length = Buffer.byteLength(payload, 'utf8');
  const headerLength = length < 126 ? 2 : length < 0x10000 ? 4 : 10;
  const frame = Buffer.allocUnsafe(headerLength + length);
  frame[0] = 0x81;
  if (length < 126) {
    frame[1] = length;
  } else if (length < 0x10000) {
    frame[1] = 126;
    frame.writeUInt16BE(length, 2);
  } else {
    frame[1] = 127;
    frame.writeUInt32BE(Math.floor(length / 0x1_0000_0000), 2);
    frame.writeUInt32BE(length >>> 0, 6);
  }
  frame.write(payload, headerLength, 'utf8');
  return frame;
}

/** What the fan-out needs of a connection. */
export interface Recipient {
  /** The raw socket under the WebSocket: frames are written to it directly. */
  readonly socket: Socket;
  /** Only an OPEN WebSocket gets data frames (never after a close frame). */
  readonly ws: WebSocket;
  /** Index in the fan-out's list, -1 when not in it. Owned by Fanout. */
  slot: number;
  /** First frame of the current batch this recipient still needs. Owned by Fanout. */
  batchFrom: number;
  /** The original Qt client: gets the legacy serialisation of frames queued with one. */
  readonly legacy: boolean;
}

const OPEN = WebSocket.OPEN;

/**
 * Flushes are at least this far apart. Idle, a frame still goes out at the end of its
 * tick; busy (a flood, a connect storm), frames gather for up to this long, so each
 * socket gets one larger write instead of many small ones: far fewer system calls for
 * the server, and fewer reads for every client.
 */
export const MIN_FLUSH_GAP_MS = 2;

/**
 * A flush that took long (a big room: one write per socket) pushes the next one this
 * many times its own length past its start, so flushing takes at most 1/FACTOR of the
 * time and the rest is left for reading, joins and messages, which then gather into the
 * next flush. Node accepts one connection per event-loop turn, so without this a connect
 * storm flushes the whole room once per join (N joins, N² writes). A flush shorter than
 * MIN_FLUSH_GAP_MS / FACTOR (a small room) keeps the minimum gap and its latency.
 */
export const FLUSH_BUSY_FACTOR = 2;

/**
 * The wait after a flush ends never exceeds this: it is latency every recipient pays, at
 * worst, on top of the flush's own length. Counted from the end, not the start: a flush
 * longer than this (thousands of sockets) is still followed by this much time for
 * reading and joining, instead of the next flush starting the moment it ends.
 */
export const MAX_FLUSH_WAIT_MS = 20;

/** How long after the start of a flush that took `tookMs` the next one may start. */
export function nextFlushGapMs(tookMs: number): number {
  return Math.min(tookMs + MAX_FLUSH_WAIT_MS, Math.max(MIN_FLUSH_GAP_MS, tookMs * FLUSH_BUSY_FACTOR));
}

/** The clock the fan-out spaces flushes by; a test passes its own. */
export type Clock = () => number;

const monotonicNow: Clock = () => performance.now();

export class Fanout<R extends Recipient> {
  private readonly recipients: R[] = [];
  private batch: Buffer[] = [];
  /** The batch as legacy recipients get it; null while no frame of this batch has a legacy form. */
  private legacyBatch: Buffer[] | null = null;
  private scheduled = false;
  private lastFlushAt = -Infinity;
  /** Gap from the last flush's start to the next one's, from how long it took. */
  private flushGapMs = MIN_FLUSH_GAP_MS;
  private readonly slow: R[] = [];
  private readonly flushNow = (): void => this.flush();
  /**
   * Called before any frame is written to a socket (the state file writes its journal
   * there, so whatever a client sees is on disk first). null: nothing to do.
   */
  beforeWrite: (() => void) | null = null;

  /**
   * @param maxBufferedBytes a socket with more unsent bytes than this is a slow consumer
   * @param onSlowConsumer called (outside the write loop) for each slow consumer found;
   *   it is expected to remove the recipient
   */
  constructor(
    private readonly maxBufferedBytes: number,
    private readonly onSlowConsumer: (recipient: R) => void,
    private readonly now: Clock = monotonicNow,
  ) {}

  get size(): number {
    return this.recipients.length;
  }

  /** Adds a recipient; what was queued before does not go to it. */
  add(recipient: R): void {
    if (recipient.slot !== -1) return;
    recipient.slot = this.recipients.length;
    recipient.batchFrom = this.batch.length;
    this.recipients.push(recipient);
  }

  remove(recipient: R): void {
    const slot = recipient.slot;
    if (slot === -1) return;
    const last = this.recipients.pop()!;
    if (last !== recipient) {
      this.recipients[slot] = last;
      last.slot = slot;
    }
    recipient.slot = -1;
  }

  /**
   * Queues a frame for every current recipient; it is written at the end of this tick.
   * With `legacyFrame`, legacy recipients get that one in its place.
   */
  queue(frame: Buffer, legacyFrame?: Buffer): void {
    if (legacyFrame !== undefined && this.legacyBatch === null) this.legacyBatch = this.batch.slice();
    this.batch.push(frame);
    if (this.legacyBatch !== null) this.legacyBatch.push(legacyFrame ?? frame);
    if (!this.scheduled) {
      this.scheduled = true;
      const wait = this.lastFlushAt + this.flushGapMs - this.now();
      if (wait <= 0) setImmediate(this.flushNow);
      else setTimeout(this.flushNow, wait);
    }
  }

  /** Drops what is queued for a recipient (a new connection that gets a fresh state instead). */
  skipQueued(recipient: R): void {
    if (recipient.slot !== -1) recipient.batchFrom = this.batch.length;
  }

  /** Writes a frame to one recipient now, after whatever was queued for it before. */
  send(recipient: R, frame: Buffer): void {
    if (this.beforeWrite !== null) this.beforeWrite();
    const batch = recipient.legacy && this.legacyBatch !== null ? this.legacyBatch : this.batch;
    if (recipient.slot !== -1 && recipient.batchFrom < batch.length) {
      const from = recipient.batchFrom;
      this.write(recipient, from === batch.length - 1 ? batch[from]! : Buffer.concat(batch.slice(from)));
      recipient.batchFrom = batch.length;
    }
    this.write(recipient, frame);
    this.reportSlow();
  }

  /** Writes the queued frames to every recipient that still needs them. */
  flush(): void {
    this.scheduled = false;
    const batch = this.batch;
    if (batch.length === 0) return;
    if (this.beforeWrite !== null) this.beforeWrite();
    const legacyBatch = this.legacyBatch;
    this.batch = [];
    this.legacyBatch = null;
    const startedAt = this.now();
    this.lastFlushAt = startedAt;
    const main = new Joined(batch);
    const legacy = legacyBatch === null ? main : new Joined(legacyBatch);
    const recipients = this.recipients;
    for (let i = 0; i < recipients.length; i++) {
      const recipient = recipients[i]!;
      const from = recipient.batchFrom;
      recipient.batchFrom = 0;
      if (from < batch.length) this.write(recipient, (recipient.legacy ? legacy : main).from(from));
    }
    this.flushGapMs = nextFlushGapMs(this.now() - startedAt);
    this.reportSlow();
  }

  private write(recipient: R, data: Buffer): void {
    const socket = recipient.socket;
    if (recipient.ws.readyState !== OPEN || !socket.writable) return;
    socket.write(data);
    if (socket.writableLength > this.maxBufferedBytes) this.slow.push(recipient);
  }

  private reportSlow(): void {
    if (this.slow.length === 0) return;
    const slow = this.slow.splice(0);
    for (const recipient of slow) this.onSlowConsumer(recipient);
  }
}

/** A batch joined into one buffer (only when someone needs it), and its tails. */
class Joined {
  private data: Buffer | null = null;
  private starts: number[] | null = null;

  constructor(private readonly batch: readonly Buffer[]) {}

  /** The frames from index `from` on, as one buffer. */
  from(from: number): Buffer {
    const batch = this.batch;
    this.data ??= batch.length === 1 ? batch[0]! : Buffer.concat(batch as Buffer[]);
    if (from === 0) return this.data;
    this.starts ??= frameStarts(batch);
    return this.data.subarray(this.starts[from]);
  }
}

/** Byte offset of each frame in the concatenated batch. */
function frameStarts(batch: readonly Buffer[]): number[] {
  const starts = new Array<number>(batch.length);
  let offset = 0;
  for (let i = 0; i < batch.length; i++) {
    starts[i] = offset;
    offset += batch[i]!.length;
  }
  return starts;
}
