import { describe, expect, it } from 'vitest';
import { MAX_ROOM_NAME_LENGTH, foldRoomName, normalizeRoomName } from '../../../../src-shared/protocol';
import { ROOM_MIN_AGE_MS, RoomRegistry } from '../../../../src-main/server/rooms/room-registry';
import { MemoryMessageStore } from '../../../../src-main/server/store/memory-store';
import type { RoomStore, SavedRoom } from '../../../../src-main/server/store/room-store';

class RecordingRoomStore implements RoomStore {
  readonly put: (room: SavedRoom) => void;
  readonly remove: (folded: string) => void;
  readonly rows = new Map<string, SavedRoom>();

  constructor(readonly saved: SavedRoom[] = []) {
    this.put = (room) => this.rows.set(room.folded, room);
    this.remove = (folded) => this.rows.delete(folded);
  }
}

const wiring = { maxBufferedBytes: 1 << 20, onSlowConsumer: () => {}, beforeWrite: null };
const DAY = ROOM_MIN_AGE_MS;

function registry(maxRooms = 10, saved: SavedRoom[] = [], lines = new MemoryMessageStore(100)) {
  const store = new RecordingRoomStore(saved);
  return { rooms: new RoomRegistry(maxRooms, store, lines, wiring, () => {}), store, lines };
}

const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('room names', () => {
  it('are trimmed and NFC, 1 to 64 characters (code points), without control or bidi-control characters', () => {
    expect(normalizeRoomName('  Ops ')).toBe('Ops');
    expect(normalizeRoomName('Cafe\u0301')).toBe('Café');
    expect(normalizeRoomName('x'.repeat(MAX_ROOM_NAME_LENGTH))).toHaveLength(64);
    expect(normalizeRoomName('x'.repeat(MAX_ROOM_NAME_LENGTH + 1))).toBeNull();
    expect(normalizeRoomName('𝄞'.repeat(64))).toBe('𝄞'.repeat(64));
    expect(normalizeRoomName('𝄞'.repeat(65))).toBeNull();
    // '@…' is where private dialogs are kept ('@1:2'): never a room's name.
    for (const junk of ['@1:2', ' @ops', '@', '', '   ', 'a\nb', 'a\u0000', 'a\u0085', 'rtl\u202e', 'iso\u2066', 5, null, ['x'], { room: 'x' }]) {
      expect(normalizeRoomName(junk), JSON.stringify(junk)).toBeNull();
    }
    // Joiners inside emoji and letters of any script are names.
    expect(normalizeRoomName('👩‍💻 Команда')).toBe('👩‍💻 Команда');
  });

  it('fold case-insensitively, beyond ASCII', () => {
    expect(foldRoomName('Ops')).toBe(foldRoomName('oPS'));
    expect(foldRoomName('Straße')).toBe(foldRoomName('STRASSE'));
    expect(foldRoomName('ДЕЖУРКА')).toBe(foldRoomName('дежурка'));
    expect(foldRoomName('Ops')).not.toBe(foldRoomName('Ops2'));
  });
});

describe('the room registry', () => {
  it('finds a room by any spelling, keeps the creator’s, and stores it', async () => {
    const { rooms, store } = registry();
    const room = rooms.create('Ops Team', null, Date.now())!;
    expect(rooms.find('ops team')).toBe(room);
    expect(rooms.find('OPS TEAM')!.name).toBe('Ops Team');
    expect(() => rooms.create('OPS team', null, Date.now())).toThrow(/exists/);
    await settle();
    expect(store.rows.get('ops team')).toMatchObject({ name: 'Ops Team', keyHash: null });
  });

  it('holds at most maxRooms', () => {
    const { rooms } = registry(2);
    expect(rooms.create('a', null, Date.now())).not.toBeNull();
    expect(rooms.create('b', null, Date.now())).not.toBeNull();
    expect(rooms.create('c', null, Date.now())).toBeNull();
    expect(rooms.size).toBe(2);
  });

  it('sweeps a room nobody is in, with no line left, made over a day ago; keeps young rooms and rooms with lines', () => {
    const now = Date.now();
    const saved: SavedRoom[] = [
      { name: 'Old empty', folded: 'old empty', keyHash: null, createdAt: now - 2 * DAY },
      { name: 'Old with lines', folded: 'old with lines', keyHash: null, createdAt: now - 2 * DAY },
      { name: 'Young', folded: 'young', keyHash: null, createdAt: now - 1000 },
    ];
    const lines = new MemoryMessageStore(100);
    lines.append({ messageId: lines.nextMessageId(), room: 'Old with lines', sentAt: now, authorSession: 's', payload: '{}' });
    const { rooms, store } = registry(10, saved, lines);
    expect(rooms.size).toBe(3);
    expect(rooms.sweep(now)).toBe(1);
    expect(rooms.find('old empty')).toBeUndefined();
    expect(rooms.find('Old with lines')).toBeDefined();
    expect(rooms.find('young')).toBeDefined();
    expect(store.rows.has('old empty')).toBe(false);
    // Sweeps are spaced out.
    expect(rooms.sweep(now + 1)).toBe(0);
  });

  it('when full, a sweep makes a place for a new room', () => {
    const now = Date.now();
    const { rooms } = registry(1, [{ name: 'Stale', folded: 'stale', keyHash: null, createdAt: now - 2 * DAY }]);
    expect(rooms.create('Fresh', null, now)).not.toBeNull();
    expect(rooms.find('stale')).toBeUndefined();
  });
});
