import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BlockHeights } from '../../src-renderer/components/block-heights';

const blocksOf = (...lengths: number[]) => lengths.map((length) => ({ length }));

describe('BlockHeights', () => {
  it('renders nothing for an empty log', () => {
    expect(new BlockHeights().window([], 600, 0, false, 600)).toEqual({ first: 0, last: -1, above: 0, below: 0 });
  });

  it('estimates unmeasured blocks from the line height, and takes the measured average once there is one', () => {
    const heights = new BlockHeights(20);
    const blocks = blocksOf(16, 16, 16, 16);
    // 320 px a block: a 300 px viewport at 400 with no overscan meets blocks 1 and 2.
    expect(heights.window(blocks, 300, 400, false, 0)).toEqual({ first: 1, last: 2, above: 320, below: 320 });
    expect(heights.measure(1, 480)).toBe(true);
    expect(heights.measure(1, 480.4)).toBe(false);
    heights.reestimate(blocks);
    expect(heights.estimatedLineHeight).toBe(30);
    expect(heights.window(blocks, 300, 0, false, 0)).toEqual({ first: 0, last: 0, above: 0, below: 480 * 3 });
  });

  it('shows the end of the log when following it, and the last block when scrolled past the end', () => {
    const heights = new BlockHeights(10);
    const blocks = blocksOf(16, 16, 16, 5);
    expect(heights.window(blocks, 100, 0, true, 0)).toEqual({ first: 2, last: 3, above: 320, below: 0 });
    expect(heights.window(blocks, 100, 10_000, false, 0)).toEqual({ first: 3, last: 3, above: 480, below: 0 });
  });

  it('gives the height of dropped blocks (measured or estimated) and keeps the later measurements in place', () => {
    const heights = new BlockHeights(10);
    const blocks = blocksOf(16, 16, 16, 16);
    heights.measure(0, 200);
    heights.measure(2, 300);
    expect(heights.dropFront(2, blocks)).toBe(200 + 160);
    const left = blocks.slice(2);
    expect(heights.window(left, 1000, 0, false, 0)).toEqual({ first: 0, last: 1, above: 0, below: 0 });
    expect(heights.window(left, 100, 300, false, 0)).toEqual({ first: 1, last: 1, above: 300, below: 0 });
  });

  it('forgets measurements past a shorter log, and all of them on reset', () => {
    const heights = new BlockHeights(10);
    heights.measure(0, 50);
    heights.measure(3, 50);
    heights.truncate(2);
    expect(heights.window(blocksOf(16, 16, 16, 16), 10, 0, false, 0).below).toBe(160 + 160 + 160);
    heights.reset();
    expect(heights.window(blocksOf(16), 10, 0, false, 0)).toEqual({ first: 0, last: 0, above: 0, below: 0 });
    expect(heights.measure(-1, 10)).toBe(false);
    expect(heights.measure(0, 0)).toBe(false);
  });

  it('always accounts for the whole log and covers the viewport with its margins (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ length: fc.integer({ min: 1, max: 16 }), measured: fc.option(fc.integer({ min: 1, max: 2000 })) }), { minLength: 1, maxLength: 400 }),
        fc.integer({ min: 0, max: 200_000 }),
        fc.integer({ min: 1, max: 2000 }),
        fc.integer({ min: 0, max: 2000 }),
        (spec, scrollTop, viewport, overscan) => {
          const heights = new BlockHeights(20);
          const blocks = spec.map((s) => ({ length: s.length }));
          spec.forEach((s, i) => s.measured !== null && heights.measure(i, s.measured));
          const sizes = spec.map((s) => s.measured ?? s.length * 20);
          const total = sizes.reduce((a, b) => a + b, 0);
          const { first, last, above, below } = heights.window(blocks, viewport, scrollTop, false, overscan);
          expect(first).toBeGreaterThanOrEqual(0);
          expect(last).toBeGreaterThanOrEqual(first);
          const rendered = sizes.slice(first, last + 1).reduce((a, b) => a + b, 0);
          expect(above + rendered + below).toBeCloseTo(total, 6);
          if (scrollTop < total) {
            expect(above).toBeLessThanOrEqual(Math.max(0, scrollTop - overscan) + 1e-9);
            expect(above + rendered).toBeGreaterThanOrEqual(Math.min(total, scrollTop + viewport + overscan) - 1e-9);
          }
        },
      ),
    );
  });
});
