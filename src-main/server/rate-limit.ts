/*
 * A token bucket per connection, kept as plain fields on the connection so a frame
 * costs no allocation. `tokens` refill at `perSecond` up to `burst`; each frame takes
 * one. A frame that finds the bucket empty is refused and adds to `debt`, which is
 * forgiven at half the steady rate: a client that keeps sending faster than it is
 * allowed runs its debt past `burst` and is treated as a flood.
 */

export interface RateState {
  tokens: number;
  debt: number;
  /** performance.now() of the last refill. */
  refilledAt: number;
}

export interface RateLimit {
  burst: number;
  perSecond: number;
}

export type RateVerdict = 'ok' | 'refused' | 'flood';

export function freshRateState(limit: RateLimit, now: number): RateState {
  return { tokens: limit.burst, debt: 0, refilledAt: now };
}

export function takeToken(state: RateState, limit: RateLimit, now: number): RateVerdict {
  const elapsedSeconds = (now - state.refilledAt) / 1000;
  if (elapsedSeconds > 0) {
    state.tokens = Math.min(limit.burst, state.tokens + elapsedSeconds * limit.perSecond);
    state.debt = Math.max(0, state.debt - (elapsedSeconds * limit.perSecond) / 2);
    state.refilledAt = now;
  }
  if (state.tokens >= 1) {
    state.tokens -= 1;
    return 'ok';
  }
  state.debt += 1;
  return state.debt > limit.burst ? 'flood' : 'refused';
}
