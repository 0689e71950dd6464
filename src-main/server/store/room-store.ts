/*
 * The rooms a server knows, kept across a restart where the store can (SQLite); memory
 * and the state file keep them for the run only. A room's lines live in the
 * MessageStore under its canonical name; this is only the room itself.
 */

export interface SavedRoom {
  /** The canonical spelling (the creator's). */
  readonly name: string;
  /** The key two names that are one room share (foldRoomName). */
  readonly folded: string;
  /** A slow salted hash of its key (see rooms/room-key.ts); null: not locked. */
  readonly keyHash: string | null;
  /** ms since the epoch. */
  readonly createdAt: number;
}

export interface RoomStore {
  /** The rooms the last run left, read once at start. */
  readonly saved: readonly SavedRoom[];
  /** A new room (or one whose record changed): written with the next flush. */
  put(room: SavedRoom): void;
  /** A room that is gone (by its folded name). */
  remove(folded: string): void;
}

/** Rooms for this run only. */
export class MemoryRoomStore implements RoomStore {
  readonly saved: readonly SavedRoom[] = [];

  put(): void {}

  remove(): void {}
}
