import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RECONNECT_MAX_DELAY_MS, RECONNECT_MIN_DELAY_MS } from '../../../src-shared/protocol';
import { reconnectDelay } from '../../../src-shared/session';

const at = (attempt: number, r: number): number => reconnectDelay(attempt, () => r);

describe('reconnectDelay', () => {
  it('starts at 1–2 s and doubles its window each try', () => {
    expect([at(1, 0), at(1, 1)]).toEqual([1_000, 2_000]);
    expect([at(2, 0), at(2, 1)]).toEqual([2_000, 4_000]);
    expect([at(3, 0), at(3, 1)]).toEqual([4_000, 8_000]);
    expect([at(4, 0), at(4, 1)]).toEqual([8_000, 16_000]);
  });

  it('is capped at 30 s and keeps jitter at the cap', () => {
    for (const attempt of [5, 6, 10, 100, 5_000]) {
      expect(at(attempt, 0)).toBe(RECONNECT_MAX_DELAY_MS / 2);
      expect(at(attempt, 0.999_999)).toBe(RECONNECT_MAX_DELAY_MS);
    }
  });

  it('always lies within [min, max] and within its try\'s window (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 10_000 }), fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), (attempt, r) => {
        const delay = at(attempt, r);
        expect(delay).toBeGreaterThanOrEqual(RECONNECT_MIN_DELAY_MS);
        expect(delay).toBeLessThanOrEqual(RECONNECT_MAX_DELAY_MS);
        const window = Math.min(RECONNECT_MAX_DELAY_MS, RECONNECT_MIN_DELAY_MS * 2 ** attempt);
        expect(delay).toBeLessThanOrEqual(window);
        expect(delay).toBeGreaterThanOrEqual(Math.min(window / 2, RECONNECT_MAX_DELAY_MS / 2));
      }),
    );
  });

  it('grows on average from try to try until the cap', () => {
    const mean = (attempt: number): number => (at(attempt, 0) + at(attempt, 0.5) + at(attempt, 0.999)) / 3;
    for (let n = 1; n < 5; n++) expect(mean(n + 1)).toBeGreaterThan(mean(n));
    expect(mean(6)).toBe(mean(5));
  });

  it('tolerates a random source out of range', () => {
    expect(at(1, -5)).toBe(1_000);
    expect(at(1, 7)).toBe(2_000);
  });
});
