import { KeyGuard } from '../key-guard';
import type { KeyGuardLimits, KeyLockout } from '../key-guard';
import type { Member } from '../member';
import type { ChatRoom } from './chat-room';

/*
 * Wrong keys for locked rooms, slowed down as a wrong login key is (the same KeyGuard,
 * the same limits), counted three ways: per member, per address (a member who
 * reconnects as someone new is still one guesser) and per room (a guess spread over
 * many members and addresses at one room). During a lockout every key for that scope
 * is refused, the right one too, so the refusal tells a guesser nothing.
 */

export class RoomKeyGuard {
  private readonly byMember: KeyGuard;
  private readonly byAddress: KeyGuard;
  private readonly byRoom: KeyGuard;

  constructor(limits: KeyGuardLimits, log: (line: string) => void) {
    // Each guard's own "whole room" tally would span every room: the per-room guard does that job instead.
    const unbounded = Number.MAX_SAFE_INTEGER;
    this.byMember = new KeyGuard({ ...limits, triesPerRoom: unbounded }, () => {});
    this.byAddress = new KeyGuard({ ...limits, triesPerRoom: unbounded }, (line) => log(line.replace('room key', 'key for a room')));
    this.byRoom = new KeyGuard({ ...limits, triesPerAddress: limits.triesPerRoom, triesPerRoom: unbounded }, () => {});
  }

  /** A lockout that refuses this member's key for `room` now, whatever the key; null: try it. */
  check(member: Member, room: ChatRoom, now: number): KeyLockout | null {
    const lockouts = [
      this.byMember.check(memberKey(member), now),
      this.byAddress.check(member.ip, now),
      this.byRoom.check(roomKey(room), now),
    ];
    let longest: KeyLockout | null = null;
    for (const lockout of lockouts) if (lockout !== null && (longest === null || lockout.retryAfterMs > longest.retryAfterMs)) longest = lockout;
    return longest;
  }

  failed(member: Member, room: ChatRoom, now: number): void {
    this.byMember.failed(memberKey(member), now);
    this.byAddress.failed(member.ip, now);
    this.byRoom.failed(roomKey(room), now);
  }

  /** Forgets tallies past their window. */
  sweep(now: number): void {
    this.byMember.sweep(now);
    this.byAddress.sweep(now);
    this.byRoom.sweep(now);
  }
}

/** Not the session token: tallies may be logged. */
function memberKey(member: Member): string {
  return `#${member.userId}`;
}

function roomKey(room: ChatRoom): string {
  return `room:${room.folded}`;
}
