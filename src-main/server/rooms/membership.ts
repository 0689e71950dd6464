import type { Member } from '../member';
import type { ChatRoom } from './chat-room';

/*
 * Which rooms each member is in (besides the lobby, where everyone is), so a chat line,
 * a History request or an Edit can be checked in O(1), and a member who leaves the
 * server leaves every room it was in.
 */

export class Membership {
  private readonly byMember = new Map<Member, Map<string, ChatRoom>>();

  constructor(
    /** Rooms one member may be in at once (`--max-rooms-per-user`). */
    readonly maxPerMember: number,
  ) {}

  /** The member's rooms, by folded name. */
  roomsOf(member: Member): ReadonlyMap<string, ChatRoom> {
    return this.byMember.get(member) ?? EMPTY;
  }

  isIn(member: Member, room: ChatRoom): boolean {
    return this.byMember.get(member)?.get(room.folded) === room;
  }

  /** In as many rooms as it may be. */
  isFull(member: Member): boolean {
    return (this.byMember.get(member)?.size ?? 0) >= this.maxPerMember;
  }

  add(member: Member, room: ChatRoom): void {
    let rooms = this.byMember.get(member);
    if (rooms === undefined) {
      rooms = new Map();
      this.byMember.set(member, rooms);
    }
    rooms.set(room.folded, room);
  }

  remove(member: Member, room: ChatRoom): void {
    const rooms = this.byMember.get(member);
    if (rooms?.get(room.folded) !== room) return;
    rooms.delete(room.folded);
    if (rooms.size === 0) this.byMember.delete(member);
  }

  /** Forgets the member; returns the rooms it was in. */
  removeAll(member: Member): ChatRoom[] {
    const rooms = this.byMember.get(member);
    if (rooms === undefined) return [];
    this.byMember.delete(member);
    return [...rooms.values()];
  }
}

const EMPTY: ReadonlyMap<string, ChatRoom> = new Map();
