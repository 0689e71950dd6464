import { addressKey } from './addresses';

/*
 * Wrong room keys, counted per address and for the whole room (one server is one
 * room), so a key cannot be guessed at the speed of the network. A few wrong keys in a
 * window are free (people mistype); each one after that locks the address out for
 * twice as long as the last, up to a cap. While locked out, every key attempt is
 * refused — the right one too, or the refusal itself would tell a guesser when it hit.
 * The room has its own, higher allowance, so a guess spread over many addresses is
 * slowed as well; during a room-wide lockout no one new can join with a key (the
 * members in the room are not touched), which is the price of the key not falling.
 *
 * Memory stays bounded: a tally is forgotten a window after its last failure or
 * lockout, and at most `maxTracked` addresses are kept (the oldest go first).
 * Logging is in aggregate: the first wrong key from an address, then at most one
 * summary per window (wrong keys, and attempts refused while locked out).
 */

export interface KeyGuardLimits {
  /** Wrong keys one address may send per window before lockouts start. */
  triesPerAddress: number;
  /** Wrong keys the whole room takes per window (from all addresses) before lockouts start. */
  triesPerRoom: number;
  /** A tally is forgotten this long after its last wrong key (or lockout end). */
  windowMs: number;
  /** Lockouts double from FIRST_LOCKOUT_MS up to this. */
  lockoutMaxMs: number;
}

/** The first lockout past the free tries; each later one doubles it. */
export const FIRST_LOCKOUT_MS = 1_000;
/** Addresses tracked at once; past it the oldest tally is dropped. */
export const KEY_GUARD_MAX_ADDRESSES = 10_000;

export interface KeyLockout {
  /** Whether this address is locked out, or the whole room. */
  scope: 'address' | 'room';
  retryAfterMs: number;
}

interface Tally {
  failures: number;
  /** performance.now()-based; 0 when it was never locked. */
  lockedUntil: number;
  lastFailureAt: number;
  /** Wrong keys and attempts refused while locked out, not yet in a log line. */
  unlogged: number;
  blocked: number;
  /** When the last line about this tally was written (or it began). */
  loggedAt: number;
}

function freshTally(now: number): Tally {
  return { failures: 0, lockedUntil: 0, lastFailureAt: now, unlogged: 0, blocked: 0, loggedAt: now };
}

export class KeyGuard {
  private readonly byAddress = new Map<string, Tally>();
  private room: Tally | null = null;

  constructor(
    private readonly limits: KeyGuardLimits,
    private readonly log: (line: string) => void,
    private readonly maxTracked = KEY_GUARD_MAX_ADDRESSES,
  ) {}

  /** Addresses with a tally now (for tests of the memory bound). */
  get trackedAddresses(): number {
    return this.byAddress.size;
  }

  /**
   * Is a key attempt from `ip` refused right now, whatever the key? A refused attempt
   * is counted for the next summary line.
   */
  check(ip: string, now: number): KeyLockout | null {
    const mine = this.byAddress.get(addressKey(ip));
    const addressWait = mine === undefined ? 0 : mine.lockedUntil - now;
    const roomWait = this.room === null ? 0 : this.room.lockedUntil - now;
    if (addressWait <= 0 && roomWait <= 0) return null;
    if (addressWait >= roomWait) {
      mine!.blocked++;
      return { scope: 'address', retryAfterMs: addressWait };
    }
    this.room!.blocked++;
    return { scope: 'room', retryAfterMs: roomWait };
  }

  /** A wrong key from `ip`. */
  failed(ip: string, now: number): void {
    const key = addressKey(ip);
    if (this.room !== null && this.expired(this.room, now)) this.forgetRoom(now);
    let tally = this.byAddress.get(key);
    if (tally !== undefined && this.expired(tally, now)) {
      this.summarise(key, tally, now);
      this.byAddress.delete(key);
      tally = undefined;
    }
    if (tally === undefined) {
      this.makeRoom(now);
      tally = freshTally(now);
      this.byAddress.set(key, tally);
      // Past the room's allowance, first wrong keys go into the summaries too: a guess
      // from thousands of addresses must not write thousands of lines.
      if (this.room !== null && this.room.failures >= this.limits.triesPerRoom) tally.unlogged = 1;
      else this.log(`error ${ip}: refused: Wrong room key (more from ${key} are summarised once a window)`);
    } else {
      tally.unlogged++;
    }
    this.count(tally, this.limits.triesPerAddress, now);

    const room = (this.room ??= freshTally(now));
    const wasLocked = room.lockedUntil > now;
    this.count(room, this.limits.triesPerRoom, now);
    if (!wasLocked && room.lockedUntil > now) {
      this.log(
        `error: ${room.failures} wrong room keys in the room (${this.byAddress.size} address(es)); ` +
          `no key is taken from anyone new for ${Math.ceil((room.lockedUntil - now) / 1000)} s`,
      );
    }
  }

  /** Forgets tallies past their window and writes the summaries that are due. The heartbeat calls it. */
  sweep(now: number): void {
    for (const [key, tally] of this.byAddress) {
      if (this.expired(tally, now)) {
        this.summarise(key, tally, now);
        this.byAddress.delete(key);
      } else if (now - tally.loggedAt >= this.limits.windowMs) {
        this.summarise(key, tally, now);
      }
    }
    if (this.room === null) return;
    if (this.expired(this.room, now)) this.forgetRoom(now);
    else if (now - this.room.loggedAt >= this.limits.windowMs) this.summarise(null, this.room, now);
  }

  private count(tally: Tally, free: number, now: number): void {
    tally.failures++;
    tally.lastFailureAt = now;
    const over = tally.failures - free;
    if (over > 0) tally.lockedUntil = now + Math.min(this.limits.lockoutMaxMs, FIRST_LOCKOUT_MS * 2 ** (over - 1));
  }

  private expired(tally: Tally, now: number): boolean {
    return now >= Math.max(tally.lastFailureAt, tally.lockedUntil) + this.limits.windowMs;
  }

  private forgetRoom(now: number): void {
    this.summarise(null, this.room!, now);
    this.room = null;
  }

  /** One line for what a tally saw since its last line; `key` null: the whole room. */
  private summarise(key: string | null, tally: Tally, now: number): void {
    const parts: string[] = [];
    if (tally.unlogged > 0) parts.push(`${tally.unlogged} more wrong room key(s)`);
    if (tally.blocked > 0) parts.push(`${tally.blocked} key attempt(s) while locked out`);
    if (parts.length > 0) {
      const seconds = Math.max(1, Math.round((now - tally.loggedAt) / 1000));
      const locked = tally.lockedUntil > now ? `; locked out for ${Math.ceil((tally.lockedUntil - now) / 1000)} s more` : '';
      const who = key === null ? 'error: the room' : `error ${key}`;
      this.log(`${who}: refused ${parts.join(' and ')} in the last ${seconds} s${locked}`);
    }
    tally.unlogged = 0;
    tally.blocked = 0;
    tally.loggedAt = now;
  }

  /** Keeps the map under its cap by dropping the oldest tally (the heartbeat's sweep drops expired ones). */
  private makeRoom(now: number): void {
    for (const [key, tally] of this.byAddress) {
      if (this.byAddress.size < this.maxTracked) break;
      this.summarise(key, tally, now);
      this.byAddress.delete(key);
    }
  }
}
