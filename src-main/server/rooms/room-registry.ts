import { foldRoomName } from '../../../src-shared/protocol';
import type { MessageStore } from '../store/message-store';
import type { RoomStore } from '../store/room-store';
import { ChatRoom } from './chat-room';
import type { RoomWiring } from './chat-room';

/*
 * Every room besides the lobby, by folded name (`Ops` and `ops` are one room, spelt as
 * its creator spelt it), at most `maxRooms` of them. A room lives as long as it has
 * members or lines: once nobody is in it and retention has taken its last line, it goes
 * at the next sweep, unless it was made in the last day (so a room made and left empty
 * is not gone before anyone could come).
 */

/** A room younger than this is never swept. */
export const ROOM_MIN_AGE_MS = 86_400_000;
/** Sweeps (which look each empty room up in the store) are at least this far apart... */
export const ROOM_SWEEP_GAP_MS = 60_000;
/** ...or this far when the registry is full and a new room waits for a place. */
export const ROOM_FULL_SWEEP_GAP_MS = 1_000;

export class RoomRegistry {
  private readonly rooms = new Map<string, ChatRoom>();
  /** By canonical name: what clients send back (from RoomJoined) is found without folding it. */
  private readonly byName = new Map<string, ChatRoom>();
  private sweptAt = -Infinity;

  constructor(
    readonly maxRooms: number,
    private readonly store: RoomStore,
    private readonly lines: MessageStore,
    private readonly wiring: RoomWiring,
    private readonly log: (line: string) => void,
  ) {
    for (const saved of store.saved) this.keep(new ChatRoom(saved.name, saved.folded, saved.createdAt, saved.keyHash, lines, wiring));
  }

  get size(): number {
    return this.rooms.size;
  }

  /** The room that `name` (normalised) names, if there is one. */
  find(name: string): ChatRoom | undefined {
    return this.byName.get(name) ?? this.rooms.get(foldRoomName(name));
  }

  /** Every room, by folded name. */
  all(): IterableIterator<ChatRoom> {
    return this.rooms.values();
  }

  /**
   * A new room named `name` (normalised, not taken), locked with `keyHash` if given; it
   * is stored once its hash is made. null when the registry is full even after a sweep.
   */
  create(name: string, keyHash: Promise<string> | null, now: number): ChatRoom | null {
    const folded = foldRoomName(name);
    if (this.rooms.has(folded)) throw new Error(`RoomRegistry.create: ${JSON.stringify(name)} exists (find it first)`);
    if (this.rooms.size >= this.maxRooms) {
      this.sweep(now, ROOM_FULL_SWEEP_GAP_MS);
      if (this.rooms.size >= this.maxRooms) return null;
    }
    const room = new ChatRoom(name, folded, now, keyHash, this.lines, this.wiring);
    this.keep(room);
    void room.saved().then(
      (saved) => {
        if (!room.removed) this.store.put(saved);
      },
      (error: unknown) => this.log(`error: room ${JSON.stringify(name)}: its key could not be hashed: ${(error as Error).message}`),
    );
    return room;
  }

  private keep(room: ChatRoom): void {
    this.rooms.set(room.folded, room);
    this.byName.set(room.name, room);
  }

  /**
   * Forgets the rooms nobody is in, whose lines are all gone, made over a day ago. At
   * most once per `gapMs`.
   */
  sweep(now: number, gapMs = ROOM_SWEEP_GAP_MS): number {
    if (now - this.sweptAt < gapMs) return 0;
    this.sweptAt = now;
    let removed = 0;
    for (const room of this.rooms.values()) {
      if (room.size > 0 || now - room.createdAt < ROOM_MIN_AGE_MS || room.hasLines()) continue;
      room.removed = true;
      this.rooms.delete(room.folded);
      this.byName.delete(room.name);
      this.store.remove(room.folded);
      removed++;
    }
    if (removed > 0) this.log(`rooms: ${removed} empty room(s) with no lines left removed (${this.rooms.size} remain)`);
    return removed;
  }
}
