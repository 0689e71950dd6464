import { readableOn } from '../format/contrast';

/*
 * The two themes, in one place: every colour the components draw with is a custom
 * property defined here for light and dark, and the document follows the system
 * (`prefers-color-scheme`) unless told otherwise (`<html data-theme="light|dark">`).
 * Text colours reach WCAG AA (4.5:1) on every background they are drawn on; a peer's
 * nick colour is adjusted to it here too, for each theme (nickColorValue).
 */

interface Pair {
  readonly light: string;
  readonly dark: string;
}

export const PALETTE = {
  '--window-bg': { light: '#eceef0', dark: '#16191d' },
  '--panel-bg': { light: '#ffffff', dark: '#1e2227' },
  '--dialog-bg': { light: '#ffffff', dark: '#23282e' },
  '--panel-border': { light: '#c8ccd0', dark: '#3d444d' },
  '--field-bg': { light: '#ffffff', dark: '#15181c' },
  '--good-bg': { light: '#eaf6ef', dark: '#173027' },
  '--warn-bg': { light: '#fff4e0', dark: '#3a2e14' },
  '--warn-edge': { light: '#e0b060', dark: '#8a6a2a' },
  '--bad-bg': { light: '#fbeaea', dark: '#3a1f1f' },
  '--button-bg': { light: '#fafafa', dark: '#2a3038' },
  '--disabled-bg': { light: '#eef0f2', dark: '#262b31' },
  '--hover-bg': { light: '#eef3f8', dark: '#262c33' },
  '--text': { light: '#2c3e50', dark: '#e6e9ed' },
  '--time': { light: '#34495e', dark: '#b8c2cc' },
  '--system': { light: '#5f6b6c', dark: '#9ea9b2' },
  '--good': { light: '#117a66', dark: '#3fc7a0' },
  '--bad': { light: '#c0392b', dark: '#ff7b6e' },
  '--warn': { light: '#8a5200', dark: '#e0a040' },
  '--accent': { light: '#2470a2', dark: '#5aaee6' },
  '--focus': { light: '#2470a2', dark: '#5aaee6' },
  '--on-accent': { light: '#ffffff', dark: '#10181f' },
  '--selected-bg': { light: '#2470a2', dark: '#2f6a99' },
  '--selected-text': { light: '#ffffff', dark: '#ffffff' },
  '--mention-bg': { light: '#fff4cc', dark: '#352f1c' },
  '--mention-edge': { light: '#f39c12', dark: '#f39c12' },
  '--private-bg': { light: '#f4effa', dark: '#2a2433' },
  '--private-edge': { light: '#8e44ad', dark: '#b782ce' },
  '--highlight-bg': { light: '#fde9a9', dark: '#4a4020' },
  '--editing-bg': { light: '#eaf3fb', dark: '#1f2f3d' },
} as const satisfies Record<string, Pair>;

export type ThemeProperty = keyof typeof PALETTE;

/** The rows a nick is drawn on: the window, the panel, a private line, a mention, a hovered or edited line. */
const NICK_ROWS: readonly ThemeProperty[] = ['--window-bg', '--panel-bg', '--private-bg', '--mention-bg', '--hover-bg', '--editing-bg', '--dialog-bg'];

const rowsOf = (theme: keyof Pair) => NICK_ROWS.map((name) => PALETTE[name][theme]);
const LIGHT_ROWS = rowsOf('light');
const DARK_ROWS = rowsOf('dark');

/** Whether the engine knows `light-dark()` (Chromium 123, Safari 17.5, Firefox 120): older ones get the light theme. */
const followsScheme = typeof CSS !== 'undefined' && CSS.supports('color', 'light-dark(#000, #fff)');

const cache = new Map<string, string>();

/** A valid `#rgb`/`#rrggbb` peer colour as the value of `--nick-color`: readable in both themes. */
export function nickColorValue(color: string): string {
  let value = cache.get(color);
  if (value === undefined) {
    const light = readableOn(color, LIGHT_ROWS);
    value = followsScheme ? `light-dark(${light}, ${readableOn(color, DARK_ROWS)})` : light;
    // A few hundred distinct colours at most in practice; bounded anyway.
    if (cache.size > 1000) cache.clear();
    cache.set(color, value);
  }
  return value;
}

function declarations(pick: (pair: Pair) => string): string {
  return Object.entries(PALETTE)
    .map(([name, pair]) => `${name}: ${pick(pair)};`)
    .join('\n');
}

/** The palette as a stylesheet for the document (adopted: no inline style, so the CSP holds). */
export function themeSheet(): CSSStyleSheet {
  const sheet = new CSSStyleSheet();
  const rules = followsScheme
    ? `:root { color-scheme: light dark; ${declarations((p) => `light-dark(${p.light}, ${p.dark})`)} }
       :root[data-theme='light'] { color-scheme: light; }
       :root[data-theme='dark'] { color-scheme: dark; }`
    : `:root { color-scheme: light; ${declarations((p) => p.light)} }`;
  sheet.replaceSync(rules);
  return sheet;
}

export type ThemeChoice = 'system' | 'light' | 'dark';

/** Follows the system, or forces one theme. */
export function applyThemeChoice(choice: ThemeChoice): void {
  if (choice === 'system') delete document.documentElement.dataset['theme'];
  else document.documentElement.dataset['theme'] = choice;
}
