import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { fakeBridgeScript, useBrowserAndServer } from '../support/browser';
import { ANYA, BOB, ME, logIn, message, say, waitForCalls } from './support';
import type { TestUser } from './support';

/*
 * Both themes, measured as drawn: every visible piece of text in the chat (after a
 * login, with public, private, mention and system lines from peers of every palette
 * colour) is checked against the background it sits on, composited up through the
 * shadow roots, for WCAG AA.
 */

const fixture = useBrowserAndServer();

const ORANGE: TestUser = { userId: 4, userName: 'Оранж', gender: 1, userColor: '#f39c12' };
const YELLOW: TestUser = { userId: 5, userName: 'Yellow', gender: 2, userColor: '#f1c40f' };
const NAVY: TestUser = { userId: 6, userName: 'Navy', gender: 0, userColor: '#1a2530' };

interface Failure {
  text: string;
  ratio: number;
  needed: number;
  color: string;
  background: string;
}

/** Every visible text's contrast below AA, found in the page itself. */
function contrastFailures(page: Page): Promise<Failure[]> {
  return page.evaluate(() => {
    type Rgba = [number, number, number, number];
    const probe = document.createElement('canvas').getContext('2d', { willReadFrequently: true })!;
    // Any CSS colour (rgb(), color(srgb …), oklch …) to sRGB bytes, by the engine itself.
    const parse = (value: string): Rgba => {
      probe.clearRect(0, 0, 1, 1);
      probe.fillStyle = '#000';
      probe.fillStyle = value;
      probe.fillRect(0, 0, 1, 1);
      const [r, g, b, a] = probe.getImageData(0, 0, 1, 1).data;
      return [r!, g!, b!, a! / 255];
    };
    const over = (top: Rgba, below: Rgba): Rgba => [0, 1, 2].map((i) => top[i]! * top[3] + below[i]! * (1 - top[3])).concat(1) as Rgba;
    const channel = (v: number) => ((v /= 255) <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4);
    const luminance = ([r, g, b]: Rgba) => 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
    const ratio = (a: Rgba, b: Rgba) => {
      const [x, y] = [luminance(a), luminance(b)].sort((p, q) => q - p) as [number, number];
      return (x + 0.05) / (y + 0.05);
    };
    const parentOf = (el: Element): Element | null => el.parentElement ?? ((el.getRootNode() as ShadowRoot).host ?? null);
    const background = (el: Element): Rgba => {
      const layers: Rgba[] = [];
      for (let at: Element | null = el; at !== null; at = parentOf(at)) {
        const bg = parse(getComputedStyle(at).backgroundColor);
        if (bg[3] > 0) layers.push(bg);
        if (bg[3] === 1) break;
      }
      let result: Rgba = [255, 255, 255, 1];
      for (const layer of layers.reverse()) result = over(layer, result);
      return result;
    };
    const failures: Failure[] = [];
    const visit = (root: Document | ShadowRoot) => {
      for (const el of root.querySelectorAll('*')) {
        if (el.shadowRoot) visit(el.shadowRoot);
        const text = [...el.childNodes].filter((n) => n.nodeType === Node.TEXT_NODE).map((n) => n.textContent ?? '').join('').trim();
        if (text === '' || el.closest('[hidden]') || (el as HTMLButtonElement).disabled) continue;
        const rect = el.getBoundingClientRect();
        if (rect.width === 0 || rect.height === 0) continue;
        const style = getComputedStyle(el);
        if (style.visibility === 'hidden' || Number(style.opacity) === 0) continue;
        const size = parseFloat(style.fontSize);
        const large = size >= 24 || (size >= 18.66 && Number(style.fontWeight) >= 700);
        const needed = large ? 3 : 4.5;
        const bg = background(el);
        const fg = over(parse(style.color), bg);
        const r = ratio(fg, bg);
        if (r < needed) failures.push({ text: text.slice(0, 40), ratio: Math.round(r * 100) / 100, needed, color: style.color, background: `rgb(${bg.slice(0, 3).join(', ')})` });
      }
    };
    visit(document);
    return failures;
  });
}

async function chatWithEveryKindOfLine(page: Page): Promise<void> {
  const peers = [ANYA, BOB, ORANGE, YELLOW, NAVY];
  await logIn(page, ME, peers);
  for (const peer of peers) await message(page, say(peer, `hello from ${peer.userName}`));
  await message(page, say(ORANGE, 'Tester, look here'));
  await message(page, { action: 'PrivateMessage', ...YELLOW, toUserId: ME.userId, text: 'psst' });
  await message(page, { action: 'Connected', ...NAVY, userId: 7 });
  await expect.poll(() => page.getByRole('log').getByText('psst').isVisible()).toBe(true);
}

describe('themes', () => {
  it.each(['light', 'dark'] as const)('every text in the chat reaches WCAG AA in the %s theme', async (scheme) => {
    const opened = await fixture.open(`http://127.0.0.1:${fixture.server.port}/`, { initScript: fakeBridgeScript() });
    const page = opened.page;
    await page.emulateMedia({ colorScheme: scheme });
    await chatWithEveryKindOfLine(page);
    const background = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    expect(background).toBe(scheme === 'dark' ? 'rgb(22, 25, 29)' : 'rgb(236, 238, 240)');
    expect(await contrastFailures(page)).toEqual([]);
  });

  it.each(['light', 'dark'] as const)('every text in the connect dialog reaches WCAG AA in the %s theme', async (scheme) => {
    const opened = await fixture.open(`http://127.0.0.1:${fixture.server.port}/`, { initScript: fakeBridgeScript() });
    const page = opened.page;
    await page.emulateMedia({ colorScheme: scheme });
    await page.getByRole('button', { name: 'Connect', exact: true }).waitFor();
    expect(await contrastFailures(page)).toEqual([]);
  });

  it('keeps a nick its hue and moves only its lightness, differently per theme', async () => {
    const opened = await fixture.open(`http://127.0.0.1:${fixture.server.port}/`, { initScript: fakeBridgeScript() });
    const page = opened.page;
    await chatWithEveryKindOfLine(page);
    const nickColor = () => page.getByRole('log').getByRole('button', { name: ORANGE.userName }).first().evaluate((el) => getComputedStyle(el).color);
    const light = await nickColor();
    await page.emulateMedia({ colorScheme: 'dark' });
    const dark = await nickColor();
    expect(light).not.toBe(dark);
    // #f39c12 itself is 2.19:1 on white: in the light theme it is drawn darker, still orange.
    expect(light).not.toBe('rgb(243, 156, 18)');
    const [r, g, b] = light.match(/\d+/g)!.map(Number);
    expect(r! > g! && g! > b!).toBe(true);
  });

  it('follows a theme chosen in the dialog over the system, remembers it, and goes back to the system', async () => {
    const opened = await fixture.open(`http://127.0.0.1:${fixture.server.port}/`, { initScript: fakeBridgeScript({ theme: 'dark' }) });
    const page = opened.page;
    await page.emulateMedia({ colorScheme: 'light' });
    const body = () => page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    // Saved as dark: dark on a light system.
    await expect.poll(body).toBe('rgb(22, 25, 29)');
    const theme = page.getByRole('dialog').getByRole('combobox', { name: 'Theme' });
    expect(await theme.inputValue()).toBe('dark');
    await theme.selectOption('system');
    await expect.poll(body).toBe('rgb(236, 238, 240)');
    await theme.selectOption('light');
    await page.emulateMedia({ colorScheme: 'dark' });
    expect(await body()).toBe('rgb(236, 238, 240)');
    const saves = await waitForCalls(page, 'saveSettings', 2);
    expect(saves.map((call) => call.args[0])).toEqual([{ theme: 'system' }, { theme: 'light' }]);
  });
});
