import { addressKey } from './addresses';
import { freshRateState, takeToken } from './rate-limit';
import type { RateLimit, RateState } from './rate-limit';

/*
 * Logins per address: a token bucket each (`burst` at once, then `perSecond`), so one
 * host cannot churn through joins (and user ids) as fast as the network allows. A
 * bucket that has refilled is forgotten, and at most `maxTracked` are kept (past it the
 * oldest go first: that forgives some address its recent joins, never refuses a new one).
 */

/** Addresses tracked at once. */
export const JOIN_RATE_MAX_ADDRESSES = 10_000;

export class JoinRate {
  private readonly buckets = new Map<string, RateState>();

  constructor(
    private readonly limit: RateLimit,
    private readonly maxTracked = JOIN_RATE_MAX_ADDRESSES,
  ) {}

  /** Addresses with a bucket now (for tests of the memory bound). */
  get trackedAddresses(): number {
    return this.buckets.size;
  }

  /** Takes a join from `ip`'s bucket; false when it is empty (refuse the join). */
  take(ip: string, now: number): boolean {
    const key = addressKey(ip);
    let bucket = this.buckets.get(key);
    if (bucket === undefined) {
      // Not a sweep here (a flood of new addresses would make each join cost them all): the heartbeat sweeps.
      for (const oldest of this.buckets.keys()) {
        if (this.buckets.size < this.maxTracked) break;
        this.buckets.delete(oldest);
      }
      bucket = freshRateState(this.limit, now);
      this.buckets.set(key, bucket);
    }
    return takeToken(bucket, this.limit, now) === 'ok';
  }

  /** Forgets buckets that are full again. The heartbeat calls it. */
  sweep(now: number): void {
    for (const [key, bucket] of this.buckets) {
      if (bucket.tokens + ((now - bucket.refilledAt) / 1000) * this.limit.perSecond >= this.limit.burst) this.buckets.delete(key);
    }
  }
}
