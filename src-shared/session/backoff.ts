import { RECONNECT_MAX_DELAY_MS, RECONNECT_MIN_DELAY_MS } from '../protocol/limits';

/**
 * The wait before reconnect try `attempt` (1 = the first try after a loss).
 *
 * Try n waits a uniformly random time in [min·2^(n-1), min·2^n]: the window doubles
 * each try. The high end is capped at max and the low end at max/2, so every wait
 * lies in [min, max] and even capped tries keep their jitter: clients that lost the
 * same server at the same moment do not all come back in lockstep.
 * With the defaults: 1–2 s, 2–4 s, 4–8 s, 8–16 s, then 15–30 s.
 */
export function reconnectDelay(
  attempt: number,
  random: () => number,
  minMs: number = RECONNECT_MIN_DELAY_MS,
  maxMs: number = RECONNECT_MAX_DELAY_MS,
): number {
  const n = Math.max(1, Math.floor(attempt));
  // 2 ** n overflows to Infinity for huge n, which the cap absorbs.
  const high = Math.min(maxMs, minMs * 2 ** n);
  const low = Math.max(minMs, Math.min(maxMs / 2, minMs * 2 ** (n - 1)));
  const r = Math.min(Math.max(random(), 0), 1);
  return Math.round(low + r * (high - low));
}
