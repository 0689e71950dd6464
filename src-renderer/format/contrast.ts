/*
 * WCAG 2 contrast, and a peer's colour made readable on a background. A nick keeps the
 * hue and saturation its owner chose; only its lightness moves, and only as far as the
 * contrast asks (AA: 4.5:1 for text), towards black on a light background and towards
 * white on a dark one.
 */

export type Rgb = readonly [number, number, number];

/** `#rgb` or `#rrggbb` to 0–255 channels; null for anything else. */
export function parseHex(color: string): Rgb | null {
  const match = /^#([0-9a-f]{3}|[0-9a-f]{6})$/i.exec(color);
  if (match === null) return null;
  const hex = match[1]!.length === 3 ? [...match[1]!].map((c) => c + c).join('') : match[1]!;
  return [0, 2, 4].map((i) => parseInt(hex.slice(i, i + 2), 16)) as unknown as Rgb;
}

export function toHex([r, g, b]: Rgb): string {
  return `#${[r, g, b].map((v) => Math.round(v).toString(16).padStart(2, '0')).join('')}`;
}

function channel(value: number): number {
  const c = value / 255;
  return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
}

export function relativeLuminance([r, g, b]: Rgb): number {
  return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
}

export function contrastRatio(a: Rgb, b: Rgb): number {
  const [light, dark] = [relativeLuminance(a), relativeLuminance(b)].sort((x, y) => y - x) as [number, number];
  return (light + 0.05) / (dark + 0.05);
}

function toHsl([r, g, b]: Rgb): [number, number, number] {
  const [rn, gn, bn] = [r / 255, g / 255, b / 255];
  const max = Math.max(rn, gn, bn);
  const min = Math.min(rn, gn, bn);
  const l = (max + min) / 2;
  if (max === min) return [0, 0, l];
  const d = max - min;
  const s = l > 0.5 ? d / (2 - max - min) : d / (max + min);
  const h = max === rn ? (gn - bn) / d + (gn < bn ? 6 : 0) : max === gn ? (bn - rn) / d + 2 : (rn - gn) / d + 4;
  return [h / 6, s, l];
}

function fromHsl(h: number, s: number, l: number): Rgb {
  if (s === 0) return [l * 255, l * 255, l * 255];
  const q = l < 0.5 ? l * (1 + s) : l + s - l * s;
  const p = 2 * l - q;
  const hue = (t: number) => {
    const u = t < 0 ? t + 1 : t > 1 ? t - 1 : t;
    if (u < 1 / 6) return p + (q - p) * 6 * u;
    if (u < 1 / 2) return q;
    if (u < 2 / 3) return p + (q - p) * (2 / 3 - u) * 6;
    return p;
  };
  return [hue(h + 1 / 3) * 255, hue(h) * 255, hue(h - 1 / 3) * 255];
}

/**
 * `color` with its lightness moved just enough to reach `ratio` against every one of
 * `backgrounds` (all light or all dark: the rows a nick can be drawn on). Returned
 * as it is when it already reads well; invalid input is the caller's to reject.
 */
export function readableOn(color: string, backgrounds: readonly string[], ratio = 4.5): string {
  const rgb = parseHex(color);
  const grounds = backgrounds.map(parseHex).filter((g): g is Rgb => g !== null);
  if (rgb === null || grounds.length === 0) return color;
  const worst = (c: Rgb) => Math.min(...grounds.map((g) => contrastRatio(c, g)));
  if (worst(rgb) >= ratio) return color.toLowerCase();
  const darkGround = grounds.every((g) => relativeLuminance(g) < 0.18);
  const [h, s, l] = toHsl(rgb);
  // Bisection on lightness: contrast grows monotonically as it moves away from the ground.
  let good = darkGround ? 1 : 0;
  let bad = l;
  for (let i = 0; i < 20; i++) {
    const mid = (good + bad) / 2;
    if (worst(fromHsl(h, s, mid)) >= ratio) good = mid;
    else bad = mid;
  }
  // Rounding to 8 bits may lose a hair of contrast: step on until it holds.
  let result = fromHsl(h, s, good).map((v) => Math.round(v)) as unknown as Rgb;
  for (let step = 0.005; worst(result) < ratio && step < 1; step += 0.005) {
    result = fromHsl(h, s, Math.min(1, Math.max(0, darkGround ? good + step : good - step))).map((v) => Math.round(v)) as unknown as Rgb;
  }
  return toHex(result);
}
