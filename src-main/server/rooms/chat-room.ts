import { MAX_HISTORY_PAGE } from '../../../src-shared/protocol';
import type { WebSocket } from 'ws';
import type { Socket } from 'node:net';
import { Fanout, frameText } from '../broadcast';
import type { Recipient } from '../broadcast';
import type { Member } from '../member';
import type { LinePage, MessageStore } from '../store/message-store';
import type { SavedRoom } from '../store/room-store';
import { roomKeyMatchesHash } from './room-key';
import { listedJson } from '../statuses';

/*
 * One room besides the lobby: its members, its fan-out (framed once, written once per
 * socket per tick, as the lobby's), its lines in the store under its canonical name,
 * and its key (only the hash). The original Qt client never sits in a room.
 */

/**
 * A member's place in one room's fan-out. A member is in the lobby's fan-out and in one
 * per room it joined: each fan-out owns its recipients' slot, so each room has its own.
 * The connection is the member's current one (a resume swaps it under the seat).
 */
export class Seat implements Recipient {
  slot = -1;
  batchFrom = 0;
  readonly legacy = false;

  constructor(readonly member: Member) {}

  get socket(): Socket {
    return this.member.socket;
  }

  get ws(): WebSocket {
    return this.member.ws;
  }
}

/** How a room's fan-out is wired to the server's (the same limits, the same store flush). */
export interface RoomWiring {
  readonly maxBufferedBytes: number;
  /** A member too slow to read its room's lines: dropped as the lobby drops it. */
  readonly onSlowConsumer: (member: Member) => void;
  /** The store's flush, before any frame reaches a socket (null: nothing to write). */
  readonly beforeWrite: (() => void) | null;
}

export class ChatRoom {
  /** By userId, in join order. */
  private readonly seats = new Map<number, Seat>();
  private readonly fanout: Fanout<Seat>;
  /** The members as JSON array items; null when it must be rebuilt. */
  private usersJson: string | null = '';
  /** Set once the room is gone from the registry: nothing joins it any more. */
  removed = false;
  /** The room's key hash, or its hash still being made (the creator's key); null: open to all. */
  private keyHash: Promise<string> | string | null;

  constructor(
    readonly name: string,
    readonly folded: string,
    readonly createdAt: number,
    keyHash: Promise<string> | string | null,
    private readonly store: MessageStore,
    wiring: RoomWiring,
  ) {
    this.keyHash = keyHash;
    if (typeof keyHash === 'object' && keyHash !== null) {
      void keyHash.then(
        (hash) => {
          this.keyHash = hash;
        },
        () => {},
      );
    }
    this.fanout = new Fanout<Seat>(wiring.maxBufferedBytes, (seat) => wiring.onSlowConsumer(seat.member));
    this.fanout.beforeWrite = wiring.beforeWrite;
  }

  get locked(): boolean {
    return this.keyHash !== null;
  }

  /** Its record for the store, once its key hash is made. */
  async saved(): Promise<SavedRoom> {
    const keyHash = this.keyHash === null ? null : await this.keyHash;
    return { name: this.name, folded: this.folded, keyHash, createdAt: this.createdAt };
  }

  /** Whether `key` opens the room (compared with the hash in constant time, off the event loop). */
  async opensWith(key: string): Promise<boolean> {
    if (this.keyHash === null) return true;
    return roomKeyMatchesHash(key, await this.keyHash);
  }

  get size(): number {
    return this.seats.size;
  }

  /** Members with a connection now (not those in the presence grace). */
  get online(): number {
    let online = 0;
    for (const seat of this.seats.values()) if (seat.member.away === null) online++;
    return online;
  }

  has(member: Member): boolean {
    return this.seats.get(member.userId)?.member === member;
  }

  /** Seats the member; the members already in are told first, so the joiner's own RoomJoined says it all. */
  add(member: Member): void {
    if (this.has(member)) return;
    this.fanout.queue(frameText(`{"action":"RoomMemberJoined","room":${JSON.stringify(this.name)},${member.identityJson}}`));
    const seat = new Seat(member);
    this.seats.set(member.userId, seat);
    this.fanout.add(seat);
    if (this.usersJson !== null) this.usersJson += this.usersJson === '' ? listedJson(member) : `,${listedJson(member)}`;
  }

  /** Unseats the member; with `tell`, the others get a RoomMemberLeft. */
  remove(member: Member, tell: boolean): void {
    const seat = this.seats.get(member.userId);
    if (seat === undefined || seat.member !== member) return;
    this.fanout.remove(seat);
    this.seats.delete(member.userId);
    this.usersJson = null;
    if (tell) this.fanout.queue(frameText(`{"action":"RoomMemberLeft","room":${JSON.stringify(this.name)},${member.identityJson}}`));
  }

  /** A member's status changed: the next RoomJoined lists it anew. */
  statusChanged(): void {
    this.usersJson = null;
  }

  /** A frame for every member, written at the end of the tick. */
  queue(frame: Buffer): void {
    this.fanout.queue(frame);
  }

  /** `{"action":"RoomJoined",…}` as its members are now. */
  joinedJson(): string {
    if (this.usersJson === null) {
      let users = '';
      for (const seat of this.seats.values()) users += users === '' ? listedJson(seat.member) : `,${listedJson(seat.member)}`;
      this.usersJson = users;
    }
    return `{"action":"RoomJoined","room":${JSON.stringify(this.name)},"users":[${this.usersJson}],"locked":${this.locked}}`;
  }

  /** Up to `limit` of its lines below `before`, oldest first. */
  page(before: number, limit: number): LinePage {
    return this.store.before(this.name, before, limit);
  }

  /** Its newest lines (a History's worth at most) above `after`, oldest first. */
  after(after: number): LinePage {
    return this.store.after(this.name, after, MAX_HISTORY_PAGE);
  }

  /** Its newest up to `limit` lines. */
  recent(limit: number): LinePage {
    return this.store.before(this.name, this.store.lastMessageId + 1, limit);
  }

  /** Whether the store still holds a line of it. */
  hasLines(): boolean {
    return this.recent(1).lines.length > 0;
  }
}
