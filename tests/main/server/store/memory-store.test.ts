import { describe, expect, it } from 'vitest';
import { LOBBY, idFloor } from '../../../../src-main/server/store/message-store';
import type { StoredLine } from '../../../../src-main/server/store/message-store';
import { MemoryMessageStore } from '../../../../src-main/server/store/memory-store';

function fill(store: MemoryMessageStore, count: number, room = LOBBY): StoredLine[] {
  const lines: StoredLine[] = [];
  for (let i = 0; i < count; i++) {
    const messageId = store.nextMessageId();
    const line = { messageId, room, sentAt: 1, authorSession: 's', payload: `{"n":${i}}` };
    store.append(line);
    lines.push(line);
  }
  return lines;
}

describe('MemoryMessageStore', () => {
  it('gives ids above the clock floor and above the last id it was given, strictly rising', () => {
    const floor = idFloor();
    const fresh = new MemoryMessageStore(10);
    const first = fresh.nextMessageId();
    expect(first).toBeGreaterThanOrEqual(floor);
    expect(fresh.nextMessageId()).toBe(first + 1);
    // One reading of the clock: a second one a millisecond later is 1000 higher.
    const given = idFloor() + 5_000_000;
    const restored = new MemoryMessageStore(10, given);
    expect(restored.nextMessageId()).toBe(given + 1);
  });

  it('pages backwards and forwards with hasMore, and keeps only its capacity', () => {
    const store = new MemoryMessageStore(5);
    const lines = fill(store, 12);
    const kept = lines.slice(-5);
    expect(store.before(LOBBY, lines[11]!.messageId + 1, 3)).toEqual({ lines: kept.slice(-3), hasMore: true });
    expect(store.before(LOBBY, kept[2]!.messageId, 10)).toEqual({ lines: kept.slice(0, 2), hasMore: false });
    expect(store.after(LOBBY, kept[1]!.messageId, 2)).toEqual({ lines: kept.slice(3), hasMore: true });
    expect(store.after(LOBBY, 0, 50)).toEqual({ lines: kept, hasMore: false });
    expect(store.get(lines[0]!.messageId)).toBeUndefined();
    expect(store.get(kept[0]!.messageId)).toBe(kept[0]);
  });

  it('keeps rooms apart', () => {
    const store = new MemoryMessageStore(50);
    const lobby = fill(store, 2);
    const ops = fill(store, 2, 'ops');
    expect(store.before(LOBBY, Number.MAX_SAFE_INTEGER, 10).lines).toEqual(lobby);
    expect(store.after('ops', 0, 10).lines).toEqual(ops);
  });

  it('replaces a line in place and ignores an id it does not hold', () => {
    const store = new MemoryMessageStore(5);
    const [line] = fill(store, 1);
    store.replace({ ...line!, payload: '{"edited":true}' });
    expect(store.get(line!.messageId)?.payload).toBe('{"edited":true}');
    store.replace({ ...line!, messageId: line!.messageId + 99, payload: 'x' });
    expect(store.after(LOBBY, 0, 10).lines).toHaveLength(1);
  });

  it('finds the replies to a line in any room, and none once they passed its capacity', () => {
    const store = new MemoryMessageStore(4);
    const [quoted] = fill(store, 1);
    const replyTo = (to: number, room: string): StoredLine => {
      const messageId = store.nextMessageId();
      const line = { messageId, room, sentAt: 1, authorSession: 's', payload: `{"messageId":${messageId},"replyTo":{"messageId":${to},"excerpt":"x"},"text":"r"}` };
      store.append(line);
      return line;
    };
    const inLobby = replyTo(quoted!.messageId, LOBBY);
    const inDialog = replyTo(quoted!.messageId, '@1:2');
    replyTo(quoted!.messageId + 1, LOBBY);
    expect(store.repliesTo(quoted!.messageId)).toEqual([inLobby, inDialog]);
    fill(store, 4);
    expect(store.repliesTo(quoted!.messageId)).toEqual([]);
  });

  it('refuses a line that is not newer than the last (a programmer error)', () => {
    const store = new MemoryMessageStore(5);
    const [line] = fill(store, 1);
    expect(() => store.append(line!)).toThrow(/not newer/);
  });
});
