import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { contrastRatio, parseHex, readableOn, relativeLuminance } from '../../../src-renderer/format/contrast';

const LIGHT_ROWS = ['#ffffff', '#f4effa', '#fff4cc'];
const DARK_ROWS = ['#1e2227', '#2a2433', '#352f1c'];
const rgb = (hex: string) => parseHex(hex)!;
const worst = (color: string, rows: string[]) => Math.min(...rows.map((row) => contrastRatio(rgb(color), rgb(row))));

describe('contrast', () => {
  it('computes WCAG ratios: black on white 21, orange on white 2.19', () => {
    expect(contrastRatio(rgb('#000'), rgb('#fff'))).toBeCloseTo(21, 5);
    expect(contrastRatio(rgb('#f39c12'), rgb('#ffffff'))).toBeCloseTo(2.19, 2);
    expect(relativeLuminance(rgb('#ffffff'))).toBeCloseTo(1, 6);
  });

  it('leaves a readable colour alone and darkens orange just enough on light rows', () => {
    expect(readableOn('#2C3E50', LIGHT_ROWS)).toBe('#2c3e50');
    const orange = readableOn('#f39c12', LIGHT_ROWS);
    expect(worst(orange, LIGHT_ROWS)).toBeGreaterThanOrEqual(4.5);
    expect(worst(orange, LIGHT_ROWS)).toBeLessThan(5);
    // Still orange: red above green above blue.
    const [r, g, b] = rgb(orange);
    expect(r).toBeGreaterThan(g);
    expect(g).toBeGreaterThan(b);
  });

  it('lightens a dark blue on dark rows', () => {
    const blue = readableOn('#2c3e50', DARK_ROWS);
    expect(worst(blue, DARK_ROWS)).toBeGreaterThanOrEqual(4.5);
    const [r, , b] = rgb(blue);
    expect(b).toBeGreaterThan(r);
  });

  it('reaches 4.5:1 on every row for any colour a peer may pick', () => {
    const hex = fc.tuple(fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 255 })).map((c) => `#${c.map((v) => v.toString(16).padStart(2, '0')).join('')}`);
    fc.assert(
      fc.property(hex, (color) => {
        expect(worst(readableOn(color, LIGHT_ROWS), LIGHT_ROWS)).toBeGreaterThanOrEqual(4.5);
        expect(worst(readableOn(color, DARK_ROWS), DARK_ROWS)).toBeGreaterThanOrEqual(4.5);
      }),
      { numRuns: 2000 },
    );
  });

  it('rejects what is not a colour', () => {
    expect(parseHex('red')).toBeNull();
    expect(parseHex('#12345')).toBeNull();
    expect(readableOn('url(x)', LIGHT_ROWS)).toBe('url(x)');
  });
});
