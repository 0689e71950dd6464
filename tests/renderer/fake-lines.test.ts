import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { fakeBridgeScript, useBrowserAndServer } from '../support/browser';
import { ANYA, ME, logIn, message, say } from './support';
import type { TestUser } from './support';

/*
 * Text a peer (or a hostile server) chooses must not pass for something else in the
 * log: an override must not flip the time and the name, and a line inside a message
 * must not look like a message of its own (issue 18, hole 7).
 */

const fixture = useBrowserAndServer();

async function open(): Promise<Page> {
  const opened = await fixture.open(`http://127.0.0.1:${fixture.server.port}/`, { initScript: fakeBridgeScript({}, {}) });
  return opened.page;
}

// A hostile server sends names our server would have cleaned.
const OVERRIDDEN: TestUser = { userId: 7, userName: '\u202Eevil', gender: 0, userColor: '#c0392b' };
const SARA: TestUser = { userId: 8, userName: 'سارة', gender: 2, userColor: '#16a085' };

interface Box {
  left: number;
  right: number;
  top: number;
}

/** Boxes of a chat line's parts (the last `count` lines), in page coordinates. */
function chatLineBoxes(page: Page, count: number) {
  return page.getByRole('log').evaluate((log, n) => {
    const box = (e: Element | null): Box | null => {
      if (!e) return null;
      const r = e.getBoundingClientRect();
      return { left: r.left, right: r.right, top: r.top };
    };
    return [...log.querySelectorAll('.line.chat')].slice(-n).map((line) => {
      const text = line.querySelector('.message');
      return {
        time: box(line.querySelector('.time')),
        nick: box(line.querySelector('.nick')),
        colon: box(line.querySelector('.colon')),
        text: box(text),
        textTag: text?.tagName ?? null,
        nickDir: line.querySelector('.nick')?.getAttribute('dir') ?? null,
      };
    });
  }, count);
}

/** Boxes of every line of `needle` where it first occurs in the log's text, via a Range. */
function textBox(page: Page, needle: string) {
  return page.getByRole('log').evaluate((log, s) => {
    const walker = document.createTreeWalker(log, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const at = node.textContent!.indexOf(s);
      if (at < 0) continue;
      const range = document.createRange();
      range.setStart(node, at);
      range.setEnd(node, at + s.length);
      const r = range.getClientRects()[0]!;
      const line = node.parentElement!.closest('.line')!;
      return { left: r.left, top: r.top, lineTime: line.querySelector('.time')!.getBoundingClientRect().left };
    }
    return null;
  }, needle);
}

describe('text that would pass for something else (issue 18, hole 7)', () => {
  it('an override or RTL text cannot move the time or the name: both stay left of the text, in order', async () => {
    const page = await open();
    await logIn(page, ME, [ANYA, OVERRIDDEN, SARA]);
    await message(page, say(OVERRIDDEN, 'hello there'));
    await message(page, say(SARA, 'مرحبا بكم'));
    await message(page, say(ANYA, 'see \u202Egpj.exe'));
    await message(page, say(ANYA, '\u202E\u2067\u202Bwhat'));
    await message(page, { action: 'Connected', ...OVERRIDDEN, userId: 9 });
    await expect.poll(async () => (await chatLineBoxes(page, 4)).length).toBe(4);
    const lines = await chatLineBoxes(page, 4);
    for (const [i, line] of lines.entries()) {
      const { time, nick, colon, text } = line;
      expect(line.textTag, `line ${i}`).toBe('BDI');
      expect(line.nickDir, `line ${i}`).toBe('auto');
      expect(time!.right, `line ${i}: time before nick`).toBeLessThanOrEqual(nick!.left + 0.5);
      expect(nick!.right, `line ${i}: nick before colon`).toBeLessThanOrEqual(colon!.left + 0.5);
      expect(colon!.right, `line ${i}: colon before text`).toBeLessThanOrEqual(text!.left + 0.5);
    }
    // The override stays inside the name in a system line too: the words after it read on.
    const joined = await page.getByRole('log').evaluate((log) => {
      const line = [...log.querySelectorAll('.line.system')].at(-1)!;
      const nick = line.querySelector('.nick')!;
      const walker = document.createTreeWalker(line, NodeFilter.SHOW_TEXT);
      let after: Node | null = walker.nextNode();
      while (after && !after.textContent!.includes('joined')) after = walker.nextNode();
      const range = document.createRange();
      range.selectNodeContents(after!);
      return { nick: nick.getBoundingClientRect().right, after: range.getBoundingClientRect().left, dir: nick.getAttribute('dir') };
    });
    expect(joined.dir).toBe('auto');
    expect(joined.nick).toBeLessThanOrEqual(joined.after + 0.5);
    // Names in the list are isolated as well.
    const listed = await page.getByRole('option').locator('.name').evaluateAll((es) => es.map((e) => e.getAttribute('dir')));
    expect(new Set(listed)).toEqual(new Set(['auto']));
  });

  it('a line inside a message is indented under its author, so it cannot pass for a message', async () => {
    const page = await open();
    await logIn(page, ME, [ANYA]);
    await message(page, say(ANYA, 'first'));
    await message(page, say(ANYA, 'ok\n[04.12.2026 01:00:00] Admin: please send me the room key'));
    await message(page, say(ANYA, `a long one ${'word '.repeat(60)}END`));
    await expect.poll(() => textBox(page, 'END')).not.toBeNull();
    const forged = (await textBox(page, '[04.12.2026 01:00:00] Admin'))!;
    const first = (await textBox(page, 'ok'))!;
    const wrapped = (await textBox(page, 'END'))!;
    // On a line of its own, below the message's first line, and clearly right of where every line starts.
    expect(forged.top).toBeGreaterThan(first.top);
    expect(forged.left).toBeGreaterThanOrEqual(forged.lineTime + 14);
    expect(wrapped.top).toBeGreaterThan(first.top);
    expect(wrapped.left).toBeGreaterThanOrEqual(wrapped.lineTime + 14);
    // Every line itself still starts at the same place.
    const starts = await page.getByRole('log').locator('.line .time').evaluateAll((es) => new Set(es.map((e) => e.getBoundingClientRect().left)).size);
    expect(starts).toBe(1);
  });
});
