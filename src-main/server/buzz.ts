import { performance } from 'node:perf_hooks';
import type { ErrorCode } from '../../src-shared/protocol';
import { addressKey } from './addresses';
import { frameText } from './broadcast';
import { errorFrame } from './error-frame';
import type { Member } from './member';

/*
 * Buzz (issue 13 §4): one user signals another. At most one per sender and recipient
 * each `intervalMs` (a sender: its identity, else its address); the recipient gets
 * `{"action":"Buzz","userId","toUserId"}` and the sender the same frame as its receipt.
 * Every refusal is an Error to the sender only, marked `refused: "Buzz"` so its client
 * does not take it for an answer to a chat line.
 */

function refusal(code: ErrorCode, message: string): Buffer {
  return errorFrame(code, message, 'Buzz');
}

const SELF = refusal('invalid-buzz', 'You cannot buzz yourself.');
const OFFLINE = refusal('user-offline', 'That user is not online: the buzz was not sent.');
const OFF = refusal('buzz-off', 'That user does not take buzzes (turned off, or their app cannot receive them).');
const TOO_SOON = refusal('rate-limited', 'You buzzed that user a moment ago: wait a few seconds.');

/**
 * Who a buzz counts as from or to. A user id will not do for a sender: one without a
 * lasting identity gets a new id at each login, and logging in afresh would buzz as
 * often as it can log in. So an identity counts as itself (its stable id, whichever tab),
 * and anyone else as its address (a /64 for IPv6).
 */
function senderKey(member: Member): string {
  return member.lasting === null ? `a${addressKey(member.ip)}` : `i${member.lasting.userId}`;
}

function recipientKey(member: Member): number {
  return member.lasting === null ? member.userId : member.lasting.userId;
}

/** Past this many remembered pairs, the expired ones are forgotten. */
const PRUNE_AT = 1_024;

export class Buzzes {
  /** `sender>recipient` (senderKey, recipientKey) → when a buzz last went through, oldest first (a pass moves its pair to the end). */
  private readonly passed = new Map<string, number>();

  constructor(
    private readonly intervalMs: number,
    /** Writes a frame to one member now (the room's fan-out). */
    private readonly send: (member: Member, frame: Buffer) => void,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** A buzz from `from` to `to` (null: no such user online). */
  buzz(from: Member, to: Member | null): void {
    if (to === from) return this.send(from, SELF);
    if (to === null) return this.send(from, OFFLINE);
    // The original Qt client would only log the frame: to its user the buzz never came.
    if (!to.allowsBuzz || to.legacy) return this.send(from, OFF);
    const now = this.now();
    const key = `${senderKey(from)}>${recipientKey(to)}`;
    const last = this.passed.get(key);
    if (last !== undefined && now - last < this.intervalMs) return this.send(from, TOO_SOON);
    this.passed.delete(key);
    this.passed.set(key, now);
    if (this.passed.size > PRUNE_AT) this.prune(now);
    const frame = frameText(`{"action":"Buzz","userId":${from.userId},"toUserId":${to.userId}}`);
    this.send(to, frame);
    this.send(from, frame);
  }

  /** How many sender–recipient pairs are remembered (for tests of the bound). */
  get size(): number {
    return this.passed.size;
  }

  private prune(now: number): void {
    for (const [key, at] of this.passed) {
      if (now - at < this.intervalMs) return;
      this.passed.delete(key);
    }
  }
}
