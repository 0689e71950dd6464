import type { Socket } from 'node:net';
import type { WebSocket } from 'ws';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  FLUSH_BUSY_FACTOR,
  Fanout,
  MAX_FLUSH_WAIT_MS,
  MIN_FLUSH_GAP_MS,
  frameText,
  nextFlushGapMs,
} from '../../../src-main/server/broadcast';
import type { Recipient } from '../../../src-main/server/broadcast';

/** A recipient whose socket records every write (as text, header bytes dropped) and can be made to back up. */
class FakeRecipient implements Recipient {
  slot = -1;
  batchFrom = 0;
  readonly writes: Buffer[] = [];
  /** The very buffers written, to check that one buffer goes to everyone. */
  readonly written: Buffer[] = [];
  backlog = 0;
  readonly ws = { readyState: 1 } as unknown as WebSocket;
  readonly socket: Socket;
  constructor(readonly legacy = false) {
    const writes = this.writes;
    const written = this.written;
    const self = this;
    this.socket = {
      writable: true,
      get writableLength() {
        return self.backlog;
      },
      write(data: Buffer) {
        writes.push(Buffer.from(data));
        written.push(data);
        return true;
      },
    } as unknown as Socket;
  }
  /** The messages received, in order, whatever the write boundaries. */
  get received(): string[] {
    const all = Buffer.concat(this.writes);
    const out: string[] = [];
    for (let at = 0; at < all.length; ) {
      const length = all[at + 1]!; // test payloads are short (< 126 bytes)
      out.push(all.subarray(at + 2, at + 2 + length).toString());
      at += 2 + length;
    }
    return out;
  }
}

const frame = (text: string) => frameText(text);

describe('Fanout', () => {
  it('gives each audience its own serialisation of a frame, one buffer per audience', () => {
    const fanout = new Fanout<FakeRecipient>(1 << 20, () => {});
    const ours1 = new FakeRecipient();
    const qt1 = new FakeRecipient(true);
    const ours2 = new FakeRecipient();
    const qt2 = new FakeRecipient(true);
    for (const r of [ours1, qt1, ours2, qt2]) fanout.add(r);
    fanout.queue(frame('1'));
    fanout.queue(frame('2 ours'), frame('2 qt'));
    fanout.queue(frame('3'));
    fanout.flush();
    expect(ours1.received).toEqual(['1', '2 ours', '3']);
    expect(qt1.received).toEqual(['1', '2 qt', '3']);
    expect(ours1.written[0]).toBe(ours2.written[0]);
    expect(qt1.written[0]).toBe(qt2.written[0]);
    expect(ours1.written[0]).not.toBe(qt1.written[0]);
    // The next tick with no split frame is one buffer for all again.
    fanout.queue(frame('4'));
    fanout.flush();
    expect(ours1.written[1]).toBe(qt1.written[1]);
  });

  it('gives a recipient its audience’s part of the batch before a frame sent to it alone, or added mid-tick', () => {
    const fanout = new Fanout<FakeRecipient>(1 << 20, () => {});
    const qt = new FakeRecipient(true);
    const ours = new FakeRecipient();
    fanout.add(qt);
    fanout.add(ours);
    fanout.queue(frame('a ours'), frame('a qt'));
    fanout.send(qt, frame('alone'));
    const late = new FakeRecipient(true);
    fanout.add(late);
    fanout.queue(frame('b ours'), frame('b qt'));
    fanout.flush();
    expect(qt.received).toEqual(['a qt', 'alone', 'b qt']);
    expect(ours.received).toEqual(['a ours', 'b ours']);
    expect(late.received).toEqual(['b qt']);
  });

  it('writes a tick’s queued frames to every recipient in one write', () => {
    const fanout = new Fanout<FakeRecipient>(1 << 20, () => {});
    const a = new FakeRecipient();
    const b = new FakeRecipient();
    fanout.add(a);
    fanout.add(b);
    fanout.queue(frame('1'));
    fanout.queue(frame('2'));
    fanout.flush();
    expect(a.writes).toHaveLength(1);
    expect(a.received).toEqual(['1', '2']);
    expect(b.received).toEqual(['1', '2']);
    expect(a.written[0]).toBe(b.written[0]);
  });

  it('gives a recipient added mid-tick only what is queued after it', () => {
    const fanout = new Fanout<FakeRecipient>(1 << 20, () => {});
    const early = new FakeRecipient();
    fanout.add(early);
    fanout.queue(frame('before'));
    const late = new FakeRecipient();
    fanout.add(late);
    fanout.send(late, frame('welcome'));
    fanout.queue(frame('after'));
    fanout.flush();
    expect(early.received).toEqual(['before', 'after']);
    expect(late.received).toEqual(['welcome', 'after']);
  });

  it('writes what was queued for a recipient before a frame sent to it alone, and not again', () => {
    const fanout = new Fanout<FakeRecipient>(1 << 20, () => {});
    const a = new FakeRecipient();
    const b = new FakeRecipient();
    fanout.add(a);
    fanout.add(b);
    fanout.queue(frame('public 1'));
    fanout.queue(frame('public 2'));
    fanout.send(a, frame('private'));
    fanout.queue(frame('public 3'));
    fanout.flush();
    expect(a.received).toEqual(['public 1', 'public 2', 'private', 'public 3']);
    expect(b.received).toEqual(['public 1', 'public 2', 'public 3']);
    fanout.flush();
    expect(a.received).toHaveLength(4);
  });

  it('reports a recipient whose unsent bytes pass the limit, after the write loop', () => {
    const slow: FakeRecipient[] = [];
    const fanout = new Fanout<FakeRecipient>(100, (r) => {
      slow.push(r);
      fanout.remove(r);
    });
    const fine = new FakeRecipient();
    const stuck = new FakeRecipient();
    fanout.add(stuck);
    fanout.add(fine);
    stuck.backlog = 101;
    fanout.queue(frame('x'));
    fanout.flush();
    expect(slow).toEqual([stuck]);
    expect(fine.received).toEqual(['x']);
    expect(fanout.size).toBe(1);
  });

  it('skips recipients that are closing', () => {
    const fanout = new Fanout<FakeRecipient>(1 << 20, () => {});
    const closing = new FakeRecipient();
    (closing.ws as unknown as { readyState: number }).readyState = 2;
    fanout.add(closing);
    fanout.queue(frame('x'));
    fanout.flush();
    expect(closing.writes).toEqual([]);
  });
});

describe('Fanout flush gap', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('grows with the cost of the last flush, within its bounds', () => {
    expect(nextFlushGapMs(0)).toBe(MIN_FLUSH_GAP_MS);
    expect(nextFlushGapMs(MIN_FLUSH_GAP_MS / FLUSH_BUSY_FACTOR / 2)).toBe(MIN_FLUSH_GAP_MS);
    expect(nextFlushGapMs(3)).toBe(3 * FLUSH_BUSY_FACTOR);
    // Past the bound, the next flush waits MAX_FLUSH_WAIT_MS after this one ends.
    expect(nextFlushGapMs(MAX_FLUSH_WAIT_MS)).toBe(MAX_FLUSH_WAIT_MS * FLUSH_BUSY_FACTOR);
    expect(nextFlushGapMs(1000)).toBe(1000 + MAX_FLUSH_WAIT_MS);
  });

  /**
   * A clock that advances only when told to, or by `writeCostMs` per socket write,
   * so a flush "takes" as long as its writes; fake timers run the scheduled flushes.
   */
  function timedFanout(writeCostMs: number) {
    vi.useFakeTimers({ toFake: ['setTimeout', 'setImmediate', 'performance'] });
    let clock = 0;
    const now = () => clock + performance.now();
    const fanout = new Fanout<FakeRecipient>(1 << 20, () => {}, now);
    const recipient = new FakeRecipient();
    const write = recipient.socket.write.bind(recipient.socket);
    (recipient.socket as unknown as { write: (data: Buffer) => boolean }).write = (data: Buffer) => {
      clock += writeCostMs;
      return write(data);
    };
    fanout.add(recipient);
    return { fanout, recipient };
  }

  it('keeps a cheap flush at the minimum gap', () => {
    const { fanout, recipient } = timedFanout(0);
    fanout.queue(frame('1'));
    vi.advanceTimersByTime(0); // runs the immediate: the first flush goes out at the end of its tick
    expect(recipient.received).toEqual(['1']);
    fanout.queue(frame('2'));
    vi.advanceTimersByTime(MIN_FLUSH_GAP_MS - 1);
    expect(recipient.received).toEqual(['1']);
    vi.advanceTimersByTime(1);
    expect(recipient.received).toEqual(['1', '2']);
  });

  it('holds the next flush FLUSH_BUSY_FACTOR times as long as the last one took, and batches what comes meanwhile', () => {
    const tookMs = 4;
    const { fanout, recipient } = timedFanout(tookMs);
    fanout.queue(frame('1'));
    vi.advanceTimersByTime(0);
    expect(recipient.writes).toHaveLength(1);
    // The flush started at 0 and took 4 ms (by the injected clock, now at 4): the next may start at 8.
    fanout.queue(frame('2'));
    fanout.queue(frame('3'));
    vi.advanceTimersByTime(tookMs * FLUSH_BUSY_FACTOR - tookMs - 1);
    expect(recipient.writes).toHaveLength(1);
    vi.advanceTimersByTime(1);
    expect(recipient.writes).toHaveLength(2);
    expect(recipient.received).toEqual(['1', '2', '3']);
  });

  it('waits at most MAX_FLUSH_WAIT_MS after a long flush ends, and no less than that when the flush is longer still', () => {
    const tookMs = MAX_FLUSH_WAIT_MS * 3; // would ask for FLUSH_BUSY_FACTOR× that without the bound
    const { fanout, recipient } = timedFanout(tookMs);
    fanout.queue(frame('1'));
    vi.advanceTimersByTime(0);
    fanout.queue(frame('2'));
    // The clock stands at the flush's end: the next is due MAX_FLUSH_WAIT_MS later, not at once.
    vi.advanceTimersByTime(MAX_FLUSH_WAIT_MS - 1);
    expect(recipient.received).toEqual(['1']);
    vi.advanceTimersByTime(1);
    expect(recipient.received).toEqual(['1', '2']);
  });
});
