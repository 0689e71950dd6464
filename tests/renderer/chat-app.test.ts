import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { LOG_TIMESTAMP, findInjected, fakeBridgeScript, logLines, useBrowserAndServer } from '../support/browser';
import type { FakeBridgeOptions, OpenedPage, OpenPageOptions } from '../support/browser';
import fc from 'fast-check';
import { ANYA, BOB, ME, calls, emit, logIn, message, say, waitForCalls } from './support';

/*
 * The renderer with the preload bridge stood in: the page is served by the real
 * server (it only serves files here), `window.chat` is a recording fake, and the
 * tests push what main would push.
 */

const fixture = useBrowserAndServer();
/** The page the current test opened. */
let opened: OpenedPage | undefined;

async function open(settings: Record<string, unknown> = {}, options: OpenPageOptions & FakeBridgeOptions = {}): Promise<Page> {
  const { connectRejects, outbox, ...pageOptions } = options;
  opened = await fixture.open(`http://127.0.0.1:${fixture.server.port}/`, {
    ...pageOptions,
    initScript: fakeBridgeScript(settings, { connectRejects, outbox }),
  });
  return opened.page;
}

describe('connect dialog', () => {
  it('opens at start prefilled from settings, with every control named', async () => {
    const page = await open({ server: 'chat.example.org', port: 28000, userName: 'Аня', userColor: '#8e44ad', gender: 2 });
    const dialog = page.getByRole('dialog');
    await expect.poll(() => dialog.isVisible()).toBe(true);
    expect(await dialog.getByRole('textbox', { name: 'Server', exact: true }).inputValue()).toBe('chat.example.org');
    expect(await dialog.getByRole('textbox', { name: 'Port', exact: true }).inputValue()).toBe('28000');
    expect(await dialog.getByRole('textbox', { name: 'Nickname', exact: true }).inputValue()).toBe('Аня');
    expect(await dialog.getByRole('radio', { name: 'Purple', exact: true }).getAttribute('aria-checked')).toBe('true');
    expect(await dialog.getByRole('radiogroup', { name: 'Color', exact: true }).getByRole('radio').count()).toBe(10);
    expect(await dialog.getByRole('combobox', { name: 'Gender', exact: true }).inputValue()).toBe('2');
    // A browser-like bridge stand-in with no hosting: the checkbox is there, named, and off.
    expect(await dialog.getByRole('checkbox', { name: 'Host a room' }).isChecked()).toBe(false);
    expect(await dialog.getByRole('button', { name: 'Connect', exact: true }).isVisible()).toBe(true);
    // The input is off until logged in.
    expect(await page.getByRole('textbox', { name: 'Message' }).isDisabled()).toBe(true);
  });

  it('connects on Enter with what was typed, saves it, and closes', async () => {
    const page = await open({ userName: '' });
    const dialog = page.getByRole('dialog');
    await dialog.getByRole('textbox', { name: 'Server', exact: true }).fill('::1');
    await dialog.getByRole('textbox', { name: 'Port', exact: true }).fill('27999');
    await dialog.getByRole('radio', { name: 'Orange', exact: true }).click();
    await dialog.getByRole('combobox', { name: 'Gender' }).selectOption('2');
    const nickname = dialog.getByRole('textbox', { name: 'Nickname', exact: true });
    await nickname.fill('  Алиса <3 ');
    await expect.poll(() => dialog.getByText('You will appear as “Алиса 3”.').isVisible()).toBe(true);
    await nickname.press('Enter');
    const [connect] = await waitForCalls(page, 'connect');
    expect(connect!.args[0]).toEqual({ server: '::1', port: 27999, userName: 'Алиса 3', userColor: '#d35400', gender: 2 });
    const [save] = await calls(page, 'saveSettings');
    expect(save!.args[0]).toMatchObject({ server: '::1', port: 27999, userName: 'Алиса 3', userColor: '#d35400', gender: 2, hostRoom: false });
    // Open until the login (a first attempt that fails is said in it).
    expect(await dialog.isVisible()).toBe(true);
    await emit(page, 'status', { state: 'authorized', self: ME });
    await expect.poll(() => dialog.isVisible()).toBe(false);
  });

  it('takes a custom colour', async () => {
    const page = await open();
    const custom = page.getByRole('dialog').getByLabel('Custom', { exact: true });
    await custom.evaluate((input: HTMLInputElement) => {
      input.value = '#123abc';
      input.dispatchEvent(new Event('input', { bubbles: true }));
    });
    await page.getByRole('button', { name: 'Connect', exact: true }).click();
    const [connect] = await waitForCalls(page, 'connect');
    expect((connect!.args[0] as { userColor: string }).userColor).toBe('#123abc');
  });

  it('refuses a bad port, an empty nickname and a bad server, saying why', async () => {
    const page = await open({ userName: '' });
    const dialog = page.getByRole('dialog');
    await dialog.getByRole('textbox', { name: 'Server', exact: true }).fill('bad host!');
    await dialog.getByRole('textbox', { name: 'Port', exact: true }).fill('70000');
    await dialog.getByRole('textbox', { name: 'Nickname', exact: true }).fill('<>');
    await dialog.getByRole('button', { name: 'Connect', exact: true }).click();
    await expect.poll(() => dialog.getByText('The port is a number from 1 to 65535.').isVisible()).toBe(true);
    expect(await dialog.getByText('Enter a host name, an IP address or a ws:// URL.').isVisible()).toBe(true);
    expect(await dialog.getByText('Enter a nickname').isVisible()).toBe(true);
    expect(await dialog.getByRole('textbox', { name: 'Port', exact: true }).getAttribute('aria-invalid')).toBe('true');
    expect(await calls(page, 'connect')).toEqual([]);
  });

  it('stays open on Esc with no connection, closes on Esc with one', async () => {
    const page = await open();
    const dialog = page.getByRole('dialog');
    await page.keyboard.press('Escape');
    await page.keyboard.press('Escape');
    expect(await dialog.isVisible()).toBe(true);
    await logIn(page);
    await page.getByRole('button', { name: 'Connection…' }).click();
    await expect.poll(() => dialog.isVisible()).toBe(true);
    await page.keyboard.press('Escape');
    await expect.poll(() => dialog.isVisible()).toBe(false);
  });

  it('shows why connecting failed and stays open', async () => {
    const page = await open({}, { connectRejects: 'Port 27800 is already in use' });
    await page.getByRole('button', { name: 'Connect', exact: true }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('Port 27800 is already in use');
    expect(await page.getByRole('dialog').isVisible()).toBe(true);
  });

  it('hosts a room first when asked, then joins it on this computer', async () => {
    const page = await open({ hostRoom: true, hostPort: 27805 }, {});
    // The stand-in is the preload's path: main.ts lets it host.
    await page.getByRole('button', { name: 'Connect', exact: true }).click();
    const [host] = await waitForCalls(page, 'hostRoom');
    expect(host!.args[0]).toEqual({ port: 27805 });
    const [connect] = await waitForCalls(page, 'connect');
    expect(connect!.args[0]).toMatchObject({ server: '127.0.0.1', port: 27805 });
    await expect.poll(async () => (await logLines(page)).join('\n')).toContain('http://192.168.1.5:27805/');
    // Main pushes the same status too: said once.
    await emit(page, 'hosting', { state: 'running', port: 27805, addresses: ['ws://192.168.1.5:27805'], webUrls: ['http://192.168.1.5:27805/'], locked: false });
    expect((await logLines(page)).filter((l) => l.includes('Hosting a room on port 27805'))).toHaveLength(1);
  });

  it('opens prefilled from a simplechat:// link and connects only when asked', async () => {
    const page = await open({ userName: 'Tester', hostRoom: true });
    await logIn(page);
    await emit(page, 'connectLink', { server: 'chat.example.org', port: 28001, roomKey: 'k3y' });
    const dialog = page.getByRole('dialog');
    await expect.poll(() => dialog.isVisible()).toBe(true);
    expect(await dialog.getByRole('textbox', { name: 'Server', exact: true }).inputValue()).toBe('chat.example.org');
    expect(await dialog.getByRole('textbox', { name: 'Port', exact: true }).inputValue()).toBe('28001');
    expect(await dialog.getByRole('checkbox', { name: 'Host a room' }).isChecked()).toBe(false);
    expect(await calls(page, 'connect')).toHaveLength(1);
    await dialog.getByRole('button', { name: 'Connect', exact: true }).click();
    const connects = await waitForCalls(page, 'connect', 2);
    expect(connects[1]!.args[0]).toMatchObject({ server: 'chat.example.org', port: 28001, userName: 'Tester', roomKey: 'k3y' });
  });

  it('disconnects on request from the dialog and then cannot be dismissed', async () => {
    const page = await open();
    await logIn(page);
    await page.getByRole('button', { name: 'Connection…' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByRole('button', { name: 'Disconnect' }).click();
    await waitForCalls(page, 'disconnect');
    await emit(page, 'status', { state: 'closed', reason: 'Disconnected.', byUser: true });
    await expect.poll(() => dialog.getByRole('button', { name: 'Close', exact: true }).count()).toBe(0);
    await page.keyboard.press('Escape');
    expect(await dialog.isVisible()).toBe(true);
    expect((await logLines(page)).at(-1)).toMatch(/Disconnected\.$/);
  });
});

describe('the log and the user list', () => {
  it('says every step of a login in timestamped system lines and lists users in join order', async () => {
    const page = await open();
    await logIn(page, ME, [ANYA]);
    await message(page, { action: 'Connected', ...BOB });
    const lines = await page.getByRole('log').locator('.line').allInnerTexts();
    for (const line of lines) expect(line).toMatch(LOG_TIMESTAMP);
    const texts = lines.map((l) => l.replace(LOG_TIMESTAMP, ''));
    expect(texts).toEqual([
      'Connecting to 127.0.0.1:27800…',
      'Connected!',
      'Logged in as Tester',
      'Tester joined the chat',
      'Bob joined the chat',
    ]);
    expect(await page.getByRole('log').locator('.system').count()).toBe(5);
    const options = page.getByRole('listbox', { name: 'Users' }).getByRole('option');
    expect(await options.allInnerTexts()).toEqual(['Аня', 'Tester\n(you)', 'Bob']);
    // Gender icons are our SVGs, built into the page (no request), and they render.
    const icons = await page.getByRole('option').locator('img').evaluateAll((imgs) =>
      imgs.map((i) => [
        (i as HTMLImageElement).dataset.icon,
        (i as HTMLImageElement).src.startsWith('data:image/svg+xml'),
        (i as HTMLImageElement).naturalWidth > 0,
      ]),
    );
    expect(icons).toEqual([
      ['gender-female', true, true],
      ['gender-male', true, true],
      ['gender-unknown', true, true],
    ]);
    // Names in their colours.
    const color = await page.getByRole('option', { name: 'Аня' }).locator('.name').evaluate((e) => getComputedStyle(e).color);
    expect(color).toBe('rgb(142, 68, 173)');
  });

  it('removes users on Disconnected and ConnectionLost, saying which', async () => {
    const page = await open();
    await logIn(page, ME, [ANYA, BOB]);
    await message(page, { action: 'Disconnected', ...ANYA });
    await message(page, { action: 'ConnectionLost', ...BOB });
    const options = page.getByRole('option');
    await expect.poll(() => options.count()).toBe(1);
    const texts = await logLines(page);
    expect(texts.slice(-2)).toEqual(['Аня left the chat', 'Bob lost connection']);
  });

  it('renders chat as Nick: text with bold only where the server put <b>, private lines marked', async () => {
    const page = await open();
    await logIn(page, ME, [ANYA]);
    await message(page, say(ANYA, '<b>Tester</b>, привет! &lt;b&gt;не жирный&lt;/b&gt;'));
    await message(page, { action: 'PrivateMessage', ...ANYA, text: 'это приватно', toUserId: ME.userId });
    await message(page, { action: 'PrivateMessage', ...ME, text: 'ответ', toUserId: ANYA.userId });
    const lines = (await logLines(page)).slice(-3);
    expect(lines).toEqual(['Аня: Tester, привет! <b>не жирный</b>', '> Аня: это приватно', '< Аня: ответ']);
    const chat = page.getByRole('log').locator('.chat');
    expect(await chat.nth(0).locator('b').allInnerTexts()).toEqual(['Tester']);
    expect(await chat.nth(1).getAttribute('class')).toContain('private');
    expect(await chat.nth(0).getByRole('button', { name: 'Аня' }).evaluate((e) => getComputedStyle(e).color)).toBe('rgb(142, 68, 173)');
  });

  it('highlights a line that mentions me and asks for attention; a private message asks too', async () => {
    const page = await open();
    await logIn(page, ME, [ANYA]);
    await message(page, say(ANYA, 'no mention of Tester here'));
    await message(page, say(ANYA, 'hi <b>Tester</b>!'));
    await message(page, { action: 'PrivateMessage', ...ANYA, text: 'psst', toUserId: ME.userId });
    await message(page, say(ME, 'my own <b>Tester</b>'));
    const chat = page.getByRole('log').locator('.chat');
    await expect.poll(() => chat.count()).toBe(4);
    expect(await chat.evaluateAll((ls) => ls.map((l) => l.classList.contains('mention')))).toEqual([false, true, false, false]);
    const attention = await waitForCalls(page, 'requestAttention', 2);
    expect(attention.map((c) => c.args[0])).toEqual([
      { kind: 'mention', from: 'Аня', text: 'hi Tester!' },
      { kind: 'private', from: 'Аня', text: 'psst' },
    ]);
  });

  it('counts unread lines while the window is not looked at, and clears them on focus', async () => {
    const page = await open();
    await logIn(page, ME, [ANYA]);
    await page.evaluate(() => {
      Object.defineProperty(document, 'hasFocus', { value: () => false, configurable: true });
      window.dispatchEvent(new Event('blur'));
    });
    await message(page, say(ANYA, 'one'));
    await message(page, say(ANYA, 'two'));
    await message(page, say(ME, 'mine does not count'));
    const counts = await waitForCalls(page, 'setUnreadCount', 2);
    expect(counts.map((c) => c.args[0])).toEqual([1, 2]);
    await page.evaluate(() => {
      Object.defineProperty(document, 'hasFocus', { value: () => true, configurable: true });
      window.dispatchEvent(new Event('focus'));
    });
    const after = await waitForCalls(page, 'setUnreadCount', 3);
    expect(after.map((c) => c.args[0])).toEqual([1, 2, 0]);
  });

  it('keeps the log through a reconnect and says what happened', async () => {
    const page = await open();
    await logIn(page, ME, [ANYA]);
    await message(page, say(ANYA, 'before the outage'));
    await emit(page, 'status', { state: 'reconnecting', delayMs: 2000, attempt: 1, reason: 'The server closed the connection (1001).' });
    await expect.poll(() => page.getByRole('status').innerText()).toBe('Reconnecting…');
    // Greyed, not emptied (issue 19 §1).
    expect(await page.getByRole('option').count()).toBe(2);
    await emit(page, 'status', { state: 'connecting', url: 'ws://127.0.0.1:27800/', attempt: 1 });
    await emit(page, 'status', { state: 'open', url: 'ws://127.0.0.1:27800/' });
    await message(page, { action: 'Authorized', ...ME, users: [ANYA, ME] });
    await emit(page, 'status', { state: 'authorized', self: ME });
    const texts = await logLines(page);
    expect(texts).toContain('Аня: before the outage');
    const tail = texts.slice(texts.indexOf('Аня: before the outage') + 1);
    expect(tail).toEqual([
      // The tries are the outage banner's, not lines.
      'Connection closed: The server closed the connection (1001).',
      'Connected!',
      'Logged in as Tester',
    ]);
    await expect.poll(() => page.getByRole('textbox', { name: 'Message' }).isEnabled()).toBe(true);
    // Automatic reconnects never open the dialog.
    expect(await page.getByRole('dialog').isVisible()).toBe(false);
  });

  it('opens the dialog when the connection ends for good', async () => {
    const page = await open();
    await logIn(page);
    await emit(page, 'status', { state: 'closed', reason: 'The room key is wrong.', byUser: false, code: 4003 });
    await expect.poll(() => page.getByRole('dialog').isVisible()).toBe(true);
    const texts = await logLines(page);
    expect(texts.at(-1)).toBe('Connection closed: The room key is wrong.');
  });

  it('stays light at 100 000 lines: few in the DOM, the first reachable', async () => {
    const page = await open();
    await logIn(page, ME, [ANYA]);
    await page.evaluate((anya) => {
      const bridge = (window as unknown as { __bridge: { emit(e: string, p: unknown): void } }).__bridge;
      for (let i = 1; i <= 100_000; i++) bridge.emit('message', { action: 'PublicMessage', ...anya, text: `line ${i}` });
    }, ANYA);
    const log = page.getByRole('log');
    await expect.poll(() => log.locator('.chat').last().innerText(), { timeout: 10_000 }).toMatch(/line 100000$/);
    const inDom = await log.locator('.line').count();
    expect(inDom).toBeLessThan(600);
    // A jump far away (the thumb dragged) shows lines by the next frame, never a blank view.
    const atCentre = await log.evaluate(async (el) => {
      el.scrollTop = el.scrollHeight / 2;
      const frame = () => new Promise((resolve) => requestAnimationFrame(resolve));
      await frame();
      await frame();
      const box = el.getBoundingClientRect();
      const hit = (el.getRootNode() as ShadowRoot).elementFromPoint(box.left + box.width / 2, box.top + box.height / 2);
      return hit?.closest('.line')?.textContent ?? null;
    });
    expect(atCentre).toMatch(/Аня: line \d+$/);
    await log.evaluate((el) => (el.scrollTop = 0));
    await expect.poll(() => log.locator('.line').first().innerText(), { timeout: 5_000 }).toMatch(/Connecting to/);
    expect(await log.locator('.line').count()).toBeLessThan(600);
    // Scrolled up, a new line does not pull the view down, and a button offers the way back.
    await message(page, say(ANYA, 'newest'));
    await expect.poll(() => page.getByRole('button', { name: /New messages/ }).isVisible()).toBe(true);
    expect(await log.locator('.line').first().innerText()).toMatch(/Connecting to/);
    await page.getByRole('button', { name: /New messages/ }).click();
    await expect.poll(() => log.locator('.chat').last().innerText()).toMatch(/newest$/);
  });
});

describe('history: paging up (issue 12)', () => {
  /** Lines `from`..`to` (ids), one a minute, the first on `start`. */
  const lines = (from: number, to: number, start: number) =>
    Array.from({ length: to - from + 1 }, (_, i) => ({ action: 'PublicMessage', ...ANYA, text: `line ${from + i}`, messageId: from + i, sentAt: start + i * 60_000 }));

  /** The first line at least partly in view, and its top relative to the log's. */
  const topLine = (page: Page) =>
    page.getByRole('log').evaluate((el) => {
      const box = el.getBoundingClientRect();
      for (const line of el.querySelectorAll('.line.chat')) {
        const r = line.getBoundingClientRect();
        if (r.bottom > box.top + 1) return { text: (line.querySelector('.message') as HTMLElement).innerText, top: r.top - box.top };
      }
      return null;
    });

  it('loads the page before the oldest line at the top, keeps the view still, and marks the start', async () => {
    const page = await open();
    await logIn(page, ME, [ANYA]);
    const yesterday = new Date(2026, 11, 3, 23, 10).getTime();
    // 60 lines: yesterday's first 50, today's last 10.
    await message(page, { action: 'History', messages: lines(1001, 1060, yesterday), hasMore: true });
    const log = page.getByRole('log');
    await expect.poll(() => log.locator('.chat').last().innerText()).toMatch(/line 1060$/);
    // A day separator between the days, in words.
    expect(await log.getByRole('separator').allInnerTexts()).toContain('Friday, 4 December 2026');
    expect(await log.getByRole('button', { name: 'Load older messages' }).count()).toBe(1);
    expect(await calls(page, 'loadOlder')).toEqual([]);

    // Scrolling up to near the top asks for the page before line 1001, once.
    await log.evaluate(async (el) => {
      const frame = () => new Promise((resolve) => requestAnimationFrame(resolve));
      el.scrollTop = 300;
      await frame();
      el.scrollTop = 200;
      await frame();
      el.scrollTop = 100;
      await frame();
    });
    const [load] = await waitForCalls(page, 'loadOlder');
    expect(load!.args[0]).toEqual({ before: 1001, limit: 50 });
    await expect.poll(() => log.getByText('Loading older messages…').isVisible()).toBe(true);
    await log.evaluate((el) => (el.scrollTop = 40));
    const before = await topLine(page);
    expect(before).not.toBeNull();

    // The page, with one line the log has already (a reconnect crossed it): shown once.
    await emit(page, 'olderHistory', { ok: true, before: 1001, messages: lines(951, 1001, yesterday - 51 * 60_000), hasMore: false });
    await expect.poll(() => log.locator('.chat').count()).toBeGreaterThan(0);
    await expect.poll(async () => (await topLine(page))?.text).toBe(before!.text);
    expect(Math.abs((await topLine(page))!.top - before!.top)).toBeLessThan(2);
    expect(await calls(page, 'loadOlder')).toHaveLength(1);

    // Up at the top: every line once, in order, and the start of the history marked.
    await log.evaluate((el) => (el.scrollTop = 0));
    await expect.poll(() => log.getByText('The beginning of the history').isVisible()).toBe(true);
    await expect.poll(() => log.locator('.chat').first().innerText()).toMatch(/line 951$/);
    const texts = await page.evaluate(() => {
      const app = document.querySelector('chat-app')!.shadowRoot!;
      const chatLog = app.querySelector('chat-log') as unknown as { log: { count: number; blocks: { kind: string; text?: string }[][] } };
      return chatLog.log.blocks.flat().filter((l) => l.kind === 'chat').map((l) => l.text);
    });
    expect(texts).toEqual(Array.from({ length: 110 }, (_, i) => `line ${951 + i}`));
    // The end reached: no more asking.
    await log.evaluate(async (el) => {
      el.scrollTop = 50;
      await new Promise((resolve) => requestAnimationFrame(resolve));
      el.scrollTop = 0;
    });
    await page.mouse.wheel(0, -200);
    expect(await calls(page, 'loadOlder')).toHaveLength(1);
  });

  it('after a reconnect, fills in the lines the login’s History did not reach back to, in place and once', async () => {
    const page = await open();
    await logIn(page, ME, [ANYA]);
    const t = Date.now() - 600_000;
    await message(page, { action: 'History', messages: lines(1, 10, t), hasMore: false });
    await emit(page, 'status', { state: 'reconnecting', delayMs: 1000, attempt: 1, reason: 'gone' });
    await emit(page, 'status', { state: 'connecting', url: 'ws://127.0.0.1:27800/', attempt: 1 });
    await emit(page, 'status', { state: 'open', url: 'ws://127.0.0.1:27800/' });
    await message(page, { action: 'Authorized', ...ME, users: [ANYA, ME] });
    await emit(page, 'status', { state: 'authorized', self: ME });
    // A new login (not resumed): the room's last lines only, 71–80; 11–70 were said meanwhile.
    await message(page, { action: 'History', messages: lines(71, 80, t + 100_000), hasMore: true });
    await message(page, say(ANYA, 'live'));
    const [first] = await waitForCalls(page, 'loadOlder');
    expect(first!.args[0]).toEqual({ before: 71, limit: 50 });
    await emit(page, 'olderHistory', { ok: true, before: 71, messages: lines(21, 70, t + 20_000), hasMore: true });
    const [, second] = await waitForCalls(page, 'loadOlder', 2);
    expect(second!.args[0]).toEqual({ before: 21, limit: 50 });
    // The server's page reaches back past what the log had: only the missing ones go in.
    await emit(page, 'olderHistory', { ok: true, before: 21, messages: lines(1, 20, t), hasMore: false });
    const texts = await page.evaluate(() => {
      const chatLog = document.querySelector('chat-app')!.shadowRoot!.querySelector('chat-log') as unknown as { log: { blocks: { kind: string; text?: string }[][] } };
      return chatLog.log.blocks.flat().filter((l) => l.kind === 'chat').map((l) => l.text);
    });
    expect(texts).toEqual([...Array.from({ length: 80 }, (_, i) => `line ${i + 1}`), 'live']);
    expect(await calls(page, 'loadOlder')).toHaveLength(2);
    await expect.poll(() => page.getByRole('log').locator('.chat').last().innerText()).toMatch(/Аня: live$/);
  });

  it('asks again after a page was lost with the connection, and from a short log by the button', async () => {
    const page = await open();
    await logIn(page, ME, [ANYA]);
    await message(page, { action: 'History', messages: lines(500, 502, Date.now() - 60_000), hasMore: true });
    const button = page.getByRole('log').getByRole('button', { name: 'Load older messages' });
    await button.click();
    await waitForCalls(page, 'loadOlder');
    await emit(page, 'olderHistory', { ok: false, before: 500, reason: 'The connection was lost.' });
    await button.click();
    const again = await waitForCalls(page, 'loadOlder', 2);
    expect(again[1]!.args[0]).toEqual({ before: 500, limit: 50 });
  });
});

describe('the log at its cap (issue 12 §3)', () => {
  for (const [language, ended, notKept] of [
    ['en', 'The beginning of the history', 'Older messages are not kept in this window'],
    ['ru', 'Начало истории', 'Более ранние сообщения в этом окне не хранятся'],
  ] as const) {
    it(`${language}: once lines fall off the top, the top row says older ones are not kept here, not that the history begins`, async () => {
      const page = await open({ language });
      await logIn(page, ME, [ANYA], language === 'ru' ? 'Войти' : 'Connect');
      const log = page.getByRole('log');
      await message(page, { action: 'History', messages: [{ action: 'PublicMessage', ...ANYA, text: 'first', messageId: 1, sentAt: Date.now() }], hasMore: false });
      await expect.poll(() => log.getByText(ended, { exact: true }).count()).toBe(1);
      // Past the cap of 100 000 lines (and a block or two more), in one History made in the page.
      await page.evaluate(
        ([user, count]) => {
          const messages = Array.from({ length: count }, (_, i) => ({ action: 'PublicMessage', ...user, text: `line ${i + 2}`, messageId: i + 2, sentAt: Date.now() }));
          (window as unknown as { __bridge: { emit(e: string, p: unknown): void } }).__bridge.emit('message', { action: 'History', messages, hasMore: false });
        },
        [ANYA, 100_000 + 40] as const,
      );
      await expect.poll(() => log.locator('.chat').last().innerText(), { timeout: 10_000 }).toMatch(/line 100041$/);
      await log.evaluate((el) => (el.scrollTop = 0));
      await expect.poll(() => log.getByText(notKept, { exact: true }).count()).toBe(1);
      expect(await log.getByText(ended, { exact: true }).count()).toBe(0);
    });
  }
});

describe('edit, delete and reply (issue 12)', () => {
  const mine = (id: number, text: string) => ({ action: 'PublicMessage', ...ME, text, messageId: id, sentAt: Date.now() });
  const theirs = (id: number, text: string) => ({ action: 'PublicMessage', ...ANYA, text, messageId: id, sentAt: Date.now() });
  const lineOf = (page: Page, id: number) => page.getByRole('log').locator(`.line.chat[data-message-id="${id}"]`);

  it('Up in the empty input edits my last line, Enter saves it, Esc cancels; the line says (edited)', async () => {
    const page = await open();
    await logIn(page, ME, [ANYA]);
    await message(page, mine(10, 'first'));
    await message(page, mine(11, 'hello <b>Аня</b>'));
    await message(page, theirs(12, 'not mine'));
    const input = page.getByRole('textbox', { name: 'Message' });
    await input.focus();
    await page.keyboard.press('ArrowUp');
    // My last line, with its mention back in braces.
    await expect.poll(() => input.inputValue()).toBe('hello {Аня}');
    expect(await page.getByText('Editing a message').isVisible()).toBe(true);
    await page.keyboard.press('Escape');
    await expect.poll(() => input.inputValue()).toBe('');
    expect(await page.getByText('Editing a message').count()).toBe(0);
    // Enter with nothing changed ends the edit, telling no one.
    await page.keyboard.press('ArrowUp');
    await expect.poll(() => input.inputValue()).toBe('hello {Аня}');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.getByText('Editing a message').count()).toBe(0);
    expect(await input.inputValue()).toBe('');
    await page.keyboard.press('ArrowUp');
    await input.fill('hello again');
    await input.press('Enter');
    const [edit] = await waitForCalls(page, 'editMessage');
    expect(edit!.args[0]).toEqual({ messageId: 11, text: 'hello again' });
    await expect.poll(() => input.inputValue()).toBe('');
    expect(await calls(page, 'send')).toEqual([]);
    const editedAt = new Date(2026, 11, 4, 1, 2, 3).getTime();
    await message(page, { action: 'MessageEdited', messageId: 11, text: 'hello again', editedAt });
    await expect.poll(() => lineOf(page, 11).innerText()).toMatch(/Tester: hello again \(edited\)$/);
    expect(await lineOf(page, 11).locator('.edited').getAttribute('title')).toBe('Edited [04.12.2026 01:02:03]');
  });

  it('deletes my line from its toolbar after asking; others’ lines offer only Reply', async () => {
    const page = await open();
    await logIn(page, ME, [ANYA]);
    await message(page, mine(20, 'oops'));
    await message(page, theirs(21, 'hers'));
    await lineOf(page, 21).hover();
    const labels = (id: number) => lineOf(page, id).getByRole('toolbar').getByRole('button').evaluateAll((b) => b.map((e) => e.getAttribute('aria-label')));
    expect(await labels(21)).toEqual(['Reply']);
    await lineOf(page, 20).hover();
    const toolbar = lineOf(page, 20).getByRole('toolbar', { name: 'Message actions' });
    expect(await labels(20)).toEqual(['Reply', 'Edit', 'Delete']);
    await toolbar.getByRole('button', { name: 'Delete' }).click();
    const confirm = page.getByRole('alertdialog', { name: 'Delete this message?' });
    await expect.poll(() => confirm.isVisible()).toBe(true);
    // Cancel is the safe choice, and Esc takes it.
    await page.keyboard.press('Escape');
    await expect.poll(() => confirm.count()).toBe(0);
    expect(await calls(page, 'deleteMessage')).toEqual([]);
    await lineOf(page, 20).hover();
    await lineOf(page, 20).getByRole('button', { name: 'Delete' }).click();
    await page.getByRole('alertdialog').getByRole('button', { name: 'Delete' }).click();
    const [del] = await waitForCalls(page, 'deleteMessage');
    expect(del!.args[0]).toEqual({ messageId: 20 });
    await message(page, { action: 'MessageDeleted', messageId: 20 });
    await expect.poll(() => lineOf(page, 20).innerText()).toMatch(/Tester: message deleted/);
    expect(await lineOf(page, 20).innerText()).not.toContain('oops');
  });

  it('reaches a line’s actions by keyboard: arrows into the log, the context menu key, Tab to the toolbar', async () => {
    const page = await open();
    await logIn(page, ME, [ANYA]);
    await message(page, theirs(30, 'one'));
    await message(page, mine(31, 'two'));
    await page.getByRole('log').focus();
    await page.keyboard.press('ArrowUp');
    await expect.poll(() => page.evaluate(() => document.querySelector('chat-app')!.shadowRoot!.querySelector('chat-log')!.shadowRoot!.activeElement?.getAttribute('data-message-id'))).toBe('31');
    await page.keyboard.press('Shift+F10');
    const menu = page.getByRole('menu', { name: 'Message actions' });
    await expect.poll(() => menu.isVisible()).toBe(true);
    expect(await menu.getByRole('menuitem').allInnerTexts()).toEqual(['Reply', 'Edit', 'Delete']);
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.getByRole('textbox', { name: 'Message' }).inputValue()).toBe('two');
    await page.keyboard.press('Escape');
    // Tab from a focused line goes to its toolbar.
    await page.getByRole('log').focus();
    await page.keyboard.press('ArrowUp');
    await page.keyboard.press('ArrowUp');
    await page.keyboard.press('Tab');
    const name = await page.evaluate(() => document.querySelector('chat-app')!.shadowRoot!.querySelector('chat-log')!.shadowRoot!.activeElement?.getAttribute('aria-label'));
    expect(name).toBe('Reply');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.getByText('Reply to Аня').isVisible()).toBe(true);
  });

  it('replies with a bar above the input, sends replyTo, and the quote jumps to the original, paging back for it', async () => {
    const page = await open();
    await logIn(page, ME, [ANYA]);
    const start = Date.now() - 3_600_000;
    const many = Array.from({ length: 80 }, (_, i) => ({ action: 'PublicMessage', ...ANYA, text: `line ${100 + i}`, messageId: 100 + i, sentAt: start + i * 1000 }));
    await message(page, { action: 'History', messages: many, hasMore: true });
    await lineOf(page, 179).hover();
    await lineOf(page, 179).getByRole('button', { name: 'Reply' }).click();
    await expect.poll(() => page.getByText('Reply to Аня: line 179').isVisible()).toBe(true);
    // × takes it back; Reply again, and send.
    await page.getByRole('button', { name: 'Cancel reply' }).click();
    expect(await page.getByText('Reply to Аня').count()).toBe(0);
    await lineOf(page, 179).hover();
    await lineOf(page, 179).getByRole('button', { name: 'Reply' }).click();
    const input = page.getByRole('textbox', { name: 'Message' });
    await input.fill('agreed');
    await input.press('Enter');
    const [sent] = await waitForCalls(page, 'send');
    expect(sent!.args[0]).toEqual({ text: 'agreed', toUserId: 0, replyTo: 179 });
    await expect.poll(() => page.getByText('Reply to Аня').count()).toBe(0);

    // A reply to a line the log has: the quote goes there.
    await message(page, { ...mine(200, 'agreed'), replyTo: { messageId: 100, userName: 'Аня', excerpt: 'line 100' } });
    const quote = lineOf(page, 200).getByRole('button', { name: 'Go to the message from Аня' });
    expect(await quote.innerText()).toBe('Аня: line 100');
    await quote.click();
    await expect.poll(() => lineOf(page, 100).evaluate((el) => el.classList.contains('highlight'))).toBe(true);
    const inView = async (id: number) =>
      lineOf(page, id).evaluate((el) => {
        const box = el.getBoundingClientRect();
        const log = (el.getRootNode() as ShadowRoot).querySelector('.scroller')!.getBoundingClientRect();
        return box.top >= log.top && box.bottom <= log.bottom;
      });
    expect(await inView(100)).toBe(true);

    // A reply to an older line: the log pages back until it has it.
    await message(page, { ...theirs(201, 'remember this?'), replyTo: { messageId: 42, userName: 'Аня', excerpt: 'long ago' } });
    await page.getByRole('button', { name: 'New messages ↓' }).click().catch(() => undefined);
    await lineOf(page, 201).getByRole('button', { name: 'Go to the message from Аня' }).click();
    const [load] = await waitForCalls(page, 'loadOlder');
    expect(load!.args[0]).toEqual({ before: 100, limit: 50 });
    const page1 = Array.from({ length: 50 }, (_, i) => ({ action: 'PublicMessage', ...ANYA, text: `old ${50 + i}`, messageId: 50 + i, sentAt: start - 100_000 + i }));
    await emit(page, 'olderHistory', { ok: true, before: 100, messages: page1, hasMore: true });
    const loads = await waitForCalls(page, 'loadOlder', 2);
    expect(loads[1]!.args[0]).toEqual({ before: 50, limit: 50 });
    const page2 = Array.from({ length: 50 }, (_, i) => ({ action: 'PublicMessage', ...ANYA, text: `old ${i}`, messageId: 1 + i, sentAt: start - 200_000 + i }));
    await emit(page, 'olderHistory', { ok: true, before: 50, messages: page2, hasMore: false });
    await expect.poll(() => lineOf(page, 42).evaluate((el) => el.classList.contains('highlight')), { timeout: 5_000 }).toBe(true);
    expect(await inView(42)).toBe(true);
    expect(await calls(page, 'loadOlder')).toHaveLength(2);
  });
});

describe('interactions', () => {
  it('inserts {Nick} on a click in the log or the list, in the three spacing cases, and focuses the input', async () => {
    const page = await open();
    await logIn(page, ME, [ANYA]);
    await message(page, say(ANYA, 'hello'));
    const input = page.getByRole('textbox', { name: 'Message' });
    const nickInLog = page.getByRole('log').getByRole('button', { name: 'Аня' }).last();

    await nickInLog.click();
    expect(await input.inputValue()).toBe('{Аня}, ');
    expect(await input.evaluate((e) => e.matches(':focus'))).toBe(true);

    await page.getByRole('option', { name: 'Tester' }).click();
    expect(await input.inputValue()).toBe('{Аня}, {Tester} ');

    await input.fill('see');
    await nickInLog.click();
    expect(await input.inputValue()).toBe('see {Аня} ');
    expect(await input.evaluate((e) => e.matches(':focus'))).toBe(true);
  });

  it('sends with Enter through the bridge and shows nothing until the echo', async () => {
    const page = await open();
    await logIn(page, ME, [ANYA]);
    const input = page.getByRole('textbox', { name: 'Message' });
    await input.fill('hello {Аня}');
    await input.press('Enter');
    const [send] = await waitForCalls(page, 'send');
    expect(send!.args[0]).toEqual({ text: 'hello {Аня}', toUserId: 0 });
    await expect.poll(() => input.inputValue()).toBe('');
    expect(await page.getByRole('log').locator('.chat').count()).toBe(0);
    await message(page, say(ME, 'hello <b>Аня</b>'));
    expect((await logLines(page)).at(-1)).toMatch(/Tester: hello Аня$/);
  });

  it('private mode: double-click starts it, Enter sends to that user, the button and Esc close it', async () => {
    const page = await open();
    await logIn(page, ME, [ANYA, BOB]);
    const input = page.getByRole('textbox', { name: 'Message' });
    await page.getByRole('option', { name: 'Bob' }).dblclick();
    await expect.poll(() => page.getByText('To Bob').isVisible()).toBe(true);
    expect(await input.inputValue()).toBe('');
    expect(await page.getByRole('option', { name: 'Bob' }).getAttribute('aria-selected')).toBe('true');
    await input.fill('secret');
    await input.press('Enter');
    const [send] = await waitForCalls(page, 'send');
    expect(send!.args[0]).toEqual({ text: 'secret', toUserId: BOB.userId });

    await page.getByRole('button', { name: 'Close private mode' }).click();
    await expect.poll(() => page.getByText('Send to everyone').isVisible()).toBe(true);

    // Keyboard: Enter on a focused user starts it, Esc in the input ends it.
    await page.getByRole('option', { name: 'Аня' }).focus();
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.getByText('To Tester').isVisible()).toBe(false);
    await page.getByRole('option', { name: 'Аня' }).focus();
    await page.keyboard.press('Enter');
    await expect.poll(() => page.getByText('To Аня').isVisible()).toBe(true);
    await input.press('Escape');
    await expect.poll(() => page.getByText('Send to everyone').isVisible()).toBe(true);
  });

  it('private mode ends by itself when that user leaves or is lost', async () => {
    const page = await open();
    await logIn(page, ME, [ANYA, BOB]);
    await page.getByRole('option', { name: 'Bob' }).dblclick();
    await expect.poll(() => page.getByText('To Bob').isVisible()).toBe(true);
    await message(page, { action: 'Disconnected', ...BOB });
    await expect.poll(() => page.getByText('Send to everyone').isVisible()).toBe(true);
    expect((await logLines(page)).at(-1)).toMatch(/Private mode with Bob ended/);

    await page.getByRole('option', { name: 'Аня' }).dblclick();
    await expect.poll(() => page.getByText('To Аня').isVisible()).toBe(true);
    await message(page, { action: 'ConnectionLost', ...ANYA });
    await expect.poll(() => page.getByText('Send to everyone').isVisible()).toBe(true);
  });
});

describe('safe rendering of what a hostile server sends', () => {
  const payloads = [
    '<img src=x onerror="window.__pwned=1">',
    '"><script>window.__pwned=2</script>',
    "red'><style>*{display:none}</style><i>INJECTED</i>",
    'red; background: url(javascript:window.__pwned=3)',
    '<svg onload="window.__pwned=4"></svg>',
    '<b onclick="window.__pwned=5">bold?</b>',
    '&lt;b&gt;</b><iframe src="javascript:window.__pwned=6"></iframe>',
  ];

  it('turns markup in names, colours and text into text, with no element, style or script', async () => {
    const page = await open();
    await logIn(page, ME, []);
    let id = 10;
    for (const payload of payloads) {
      const hostile = { userId: id++, userName: payload, gender: 1, userColor: payload };
      await message(page, { action: 'Connected', ...hostile });
      await message(page, { action: 'PublicMessage', ...hostile, text: payload });
      await message(page, { action: 'PrivateMessage', ...hostile, text: payload, toUserId: ME.userId });
    }
    await message(page, { action: 'Error', code: 'x<img src=x onerror=window.__pwned=7>', message: '<img src=x onerror=window.__pwned=7>' });
    await expect.poll(async () => (await logLines(page)).length).toBeGreaterThan(payloads.length * 3);
    // Invalid colours fall back to the default; the valid one is used.
    const colors = await page.getByRole('option').locator('.name').evaluateAll((es) => es.map((e) => getComputedStyle(e).color));
    expect(new Set(colors.slice(1))).toEqual(new Set(['rgb(52, 73, 94)']));
    // The composer shows a hostile name too, in private mode.
    await page.getByRole('option').nth(1).dblclick();
    await expect.poll(() => page.getByRole('button', { name: 'Close private mode' }).isVisible()).toBe(true);
    // Give any injected handler a chance to run.
    await page.waitForTimeout(50);
    const { elements, flag } = await findInjected(page);
    expect(elements).toEqual([]);
    expect(flag).toBeUndefined();
    // The markup shows as the text it is.
    const text = (await logLines(page)).join('\n');
    expect(text).toContain('<img src=x onerror="window.__pwned=1">');
    expect(text).toContain('"><script>window.__pwned=2</script>');
    // The probe itself sees an injected element (so its silence above means something).
    await page.evaluate(() => {
      const log = document.querySelector('chat-app')!.shadowRoot!.querySelector('chat-log')!.shadowRoot!;
      log.querySelector('.line')!.append(document.createElement('img'));
    });
    expect((await findInjected(page)).elements).toHaveLength(1);
  });

  it('shows markup in a quote’s author and excerpt, and in an edit, as text (issue 12)', async () => {
    const page = await open();
    await logIn(page, ME, []);
    let id = 100;
    for (const payload of payloads) {
      await message(page, { action: 'PublicMessage', ...ANYA, text: 'original', messageId: id });
      await message(page, { action: 'MessageEdited', messageId: id, text: payload, editedAt: Date.now() });
      await message(page, {
        action: 'PublicMessage',
        ...ANYA,
        text: 'reply',
        messageId: id + 1,
        replyTo: { messageId: id, userName: payload, excerpt: payload },
      });
      id += 2;
    }
    await expect.poll(async () => (await logLines(page)).filter((l) => l.includes('(edited)')).length).toBe(payloads.length);
    await page.waitForTimeout(50);
    const { elements, flag } = await findInjected(page);
    expect(elements).toEqual([]);
    expect(flag).toBeUndefined();
    const text = (await logLines(page)).join('\n');
    expect(text).toContain('<img src=x onerror="window.__pwned=1"> (edited)');
    expect(await page.getByRole('log').locator('.quote').first().innerText()).toBe(`${payloads[0]}: ${payloads[0]}`);
  });
});

describe('languages', () => {
  it('speaks Russian on a Russian system, with the wording following gender', async () => {
    const page = await open({ language: 'auto' }, { locale: 'ru-RU' });
    const dialog = page.getByRole('dialog');
    expect(await dialog.getByRole('textbox', { name: 'Имя пользователя' }).isVisible()).toBe(true);
    await page.getByRole('button', { name: 'Войти', exact: true }).click();
    await waitForCalls(page, 'connect');
    await message(page, { action: 'Authorized', ...ME, users: [ANYA, ME] });
    await emit(page, 'status', { state: 'authorized', self: ME });
    await message(page, { action: 'Connected', ...ME });
    await message(page, { action: 'Connected', ...ANYA, userId: 9 });
    await message(page, { action: 'Disconnected', ...ANYA, userId: 9 });
    await message(page, { action: 'Disconnected', ...ME, userId: 8 });
    const texts = await logLines(page);
    expect(texts).toEqual(['Соединение установлено!', 'Вы авторизованы с именем Tester', 'Tester вошёл в чат', 'Аня вошла в чат', 'Аня вышла из чата', 'Tester вышел из чата']);
    expect(await page.getByText('Отправить в общий чат').isVisible()).toBe(true);
  });

  it('fetches only the language it shows: English is built in, Russian comes as its own file when chosen', async () => {
    const fetchedScripts = (page: Page) => page.evaluate(() => performance.getEntriesByType('resource').map((entry) => new URL(entry.name).pathname).filter((path) => path.endsWith('.js')));
    const english = await open({ language: 'auto' }, { locale: 'en-US' });
    await english.getByRole('button', { name: 'Connect', exact: true }).waitFor();
    expect((await fetchedScripts(english)).some((path) => path.includes('/ru-'))).toBe(false);
    const russian = await open({ language: 'auto' }, { locale: 'ru-RU' });
    await russian.getByRole('button', { name: 'Войти', exact: true }).waitFor();
    expect((await fetchedScripts(russian)).filter((path) => path.includes('/ru-'))).toHaveLength(1);
  });

  it('switches language in the dialog and remembers it', async () => {
    const page = await open({ language: 'auto' });
    const dialog = page.getByRole('dialog');
    await dialog.getByRole('combobox', { name: 'Language' }).selectOption('ru');
    await expect.poll(() => dialog.getByRole('button', { name: 'Войти', exact: true }).isVisible()).toBe(true);
    const saves = await waitForCalls(page, 'saveSettings');
    expect(saves[0]!.args[0]).toEqual({ language: 'ru' });
    expect(await page.evaluate(() => document.documentElement.lang)).toBe('ru');
  });
});

describe('keyboard and page hygiene', () => {
  /** The focused element, through shadow roots: its role or tag, and its name. */
  const focused = (page: Page) =>
    page.evaluate(() => {
      let el: Element | null = document.activeElement;
      while (el?.shadowRoot?.activeElement) el = el.shadowRoot.activeElement;
      if (!el) return null;
      const style = getComputedStyle(el);
      return {
        what: `${el.getAttribute('role') ?? el.tagName.toLowerCase()}:${el.getAttribute('aria-label') ?? (el as HTMLElement).innerText ?? ''}`,
        outline: style.outlineStyle !== 'none' && style.outlineWidth !== '0px',
      };
    });

  it('reaches every part by Tab, with a visible focus ring, and drives the list by arrows', async () => {
    const page = await open();
    await logIn(page, ME, [ANYA, BOB]);
    await page.getByRole('option', { name: 'Bob' }).dblclick();
    await page.locator('body').click({ position: { x: 5, y: 5 } });
    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    const seen: string[] = [];
    for (let i = 0; i < 10; i++) {
      await page.keyboard.press('Tab');
      const f = await focused(page);
      seen.push(f!.what);
      expect(f!.outline, `focus ring on ${f!.what}`).toBe(true);
    }
    // The list is one tab stop, on the user last focused (Bob, double-clicked above).
    expect(seen).toEqual([
      'button:Connection…',
      // One's own status (issue 13 §3).
      'button:Status: Online',
      'input:Status text',
      'input:Allow buzzes',
      'option:Bob',
      // Then the sidebar's conversations (the lobby only here) and its Join button (issue 13 §6).
      'button:Lobby',
      'button:Join or create a room',
      'log:Chat log',
      'button:Close private mode',
      'textarea:Message',
    ]);
    // Arrows move within the list; Space mentions; Enter goes private.
    await page.getByRole('option', { name: 'Аня' }).focus();
    await page.keyboard.press('End');
    expect((await focused(page))!.what).toBe('option:Tester');
    await page.keyboard.press('ArrowUp');
    expect((await focused(page))!.what).toBe('option:Bob');
    await page.keyboard.press('Home');
    expect((await focused(page))!.what).toBe('option:Аня');
    await page.keyboard.press('Space');
    expect(await page.getByRole('textbox', { name: 'Message' }).inputValue()).toBe('{Аня}, ');
  });

  it('runs under a CSP that refuses inline styles and scripts, so a clean console means none were used', async () => {
    const page = await open();
    await page.evaluate(() => {
      const probe = document.createElement('div');
      probe.setAttribute('style', 'color: red');
      document.body.append(probe);
      const script = document.createElement('script');
      script.textContent = 'window.__pwned = 1';
      document.body.append(script);
    });
    // Reported once per policy: the server's header and the page's meta (for file:// in Electron).
    await expect.poll(() => opened!.problems.console.filter((m) => /inline style violates/.test(m)).length).toBeGreaterThanOrEqual(1);
    await expect.poll(() => opened!.problems.console.filter((m) => /inline script violates/.test(m)).length).toBeGreaterThanOrEqual(1);
    expect(await page.evaluate(() => getComputedStyle(document.body.lastElementChild!.previousElementSibling!).color)).not.toBe('rgb(255, 0, 0)');
    expect(await page.evaluate(() => (window as unknown as { __pwned?: unknown }).__pwned)).toBeUndefined();
    opened!.problems.console.length = 0;
  });

  it('renders any string a server may send as plain text (property test)', async () => {
    const page = await open();
    await logIn(page, ME, []);
    const markup = fc.constantFrom('<', '>', '&', '"', "'", '/', '=', ' ', 'b', 'img', 'script', 'onerror', '{', '}', '&lt;', '&amp;', '<b>', '</b>', 'x');
    const hostile = fc.array(markup, { maxLength: 12 }).map((parts) => parts.join(''));
    const samples = fc.sample(fc.tuple(hostile, hostile, hostile), { numRuns: 150, seed: 4 });
    await page.evaluate((cases) => {
      const bridge = (window as unknown as { __bridge: { emit(e: string, p: unknown): void } }).__bridge;
      cases.forEach(([name, colour, text], i) => {
        const who = { userId: 100 + i, userName: name, gender: i % 3, userColor: colour };
        bridge.emit('message', { action: 'Connected', ...who });
        bridge.emit('message', { action: 'PublicMessage', ...who, text });
      });
    }, samples);
    await expect.poll(() => page.getByRole('option').count()).toBe(151);
    const { elements, flag } = await findInjected(page);
    expect(elements).toEqual([]);
    expect(flag).toBeUndefined();
    // Each text is exactly what parseRichText makes of it: bold runs as <b>, the rest as text.
    const last = samples.at(-1)!;
    const shown = (await page.getByRole('log').locator('.chat').last().innerText()).replace(/^\[[^\]]*\] /, '');
    const { parseRichText } = await import('../../src-shared/protocol');
    expect(shown).toBe(`${last[0]}: ${parseRichText(last[2]).map((r) => r.text).join('')}`);
  });
});

describe('the outbox: typing while the connection is away', () => {
  const RECONNECTING = { state: 'reconnecting', delayMs: 2_000, attempt: 1, reason: 'The connection was lost.' };
  const pendingLines = (page: Page) => page.getByRole('log').locator('.pending-line');
  const pendingTexts = async (page: Page) =>
    (await pendingLines(page).locator('.content').allInnerTexts()).map((t) => t.replace(LOG_TIMESTAMP, '').trim());
  const outbox = (page: Page) => page.evaluate(() => (window as unknown as { __bridge: { outbox: { id: string; text: string }[] } }).__bridge.outbox);
  const play = (page: Page, action: 'markSending' | 'confirm', id: string) =>
    page.evaluate(([a, i]) => (window as unknown as { __bridge: Record<string, (id: string) => void> }).__bridge[a]!(i), [action, id] as const);

  it('shows each waiting message greyed at the end of the log, in order, until its echo replaces it', async () => {
    const page = await open({}, { outbox: true });
    await logIn(page, ME, [ANYA, BOB]);
    // A long log: the pending region must still sit at its end, in view.
    await page.evaluate((anya) => {
      const bridge = (window as unknown as { __bridge: { emit(e: string, p: unknown): void } }).__bridge;
      for (let i = 1; i <= 3_000; i++) bridge.emit('message', { action: 'PublicMessage', ...anya, text: `line ${i}` });
    }, ANYA);
    await page.getByRole('option', { name: 'Bob' }).dblclick();
    await emit(page, 'status', RECONNECTING);

    const input = page.getByRole('textbox', { name: 'Message' });
    expect(await input.isEnabled()).toBe(true);
    expect(await input.getAttribute('placeholder')).toBe('Offline: messages you write now will be sent on reconnect.');
    // Private mode outlives the outage: the first goes to Bob.
    await input.fill('secret');
    await input.press('Enter');
    await expect.poll(() => input.inputValue()).toBe('');
    await page.getByRole('button', { name: 'Close private mode' }).click();
    for (const text of ['first {Аня}', 'second']) {
      await input.fill(text);
      await input.press('Enter');
      await expect.poll(() => input.inputValue()).toBe('');
    }
    expect((await calls(page, 'send')).map((c) => c.args[0])).toEqual([
      { text: 'secret', toUserId: BOB.userId },
      { text: 'first {Аня}', toUserId: 0 },
      { text: 'second', toUserId: 0 },
    ]);
    await expect.poll(() => pendingTexts(page)).toEqual(['< Bob: secret', 'Tester: first Аня', 'Tester: second']);
    const lines = pendingLines(page);
    expect(await lines.locator('.pending-state').allInnerTexts()).toEqual(['— pending', '— pending', '— pending']);
    expect(await lines.locator('.clock').count()).toBe(3);
    expect(await lines.nth(1).locator('b').innerText()).toBe('Аня');
    expect(await lines.first().locator('.content').evaluate((e) => getComputedStyle(e).opacity)).toBe('0.6');
    expect(await lines.first().evaluate((e) => e.classList.contains('private'))).toBe(true);
    // Not log lines: the log's own lines stay what the server said.
    expect((await logLines(page)).some((l) => l.includes('second'))).toBe(false);

    // A new log line goes above them; they stay last, and in view.
    await emit(page, 'status', { state: 'connecting', url: 'ws://127.0.0.1:27800/', attempt: 1 });
    // A try is the outage banner's, not a line (issue 19 §1): a notice is one.
    await emit(page, 'notice', { kind: 'send-failed', reason: 'an older line' });
    await expect.poll(async () => (await logLines(page)).at(-1)).toMatch(/Not sent: an older line$/);
    expect(await input.isEnabled()).toBe(true);
    const layout = await page.getByRole('log').evaluate((log) => {
      const all = [...log.querySelectorAll('.line, .pending-line')];
      const box = log.getBoundingClientRect();
      const last = all.at(-1)!.getBoundingClientRect();
      return {
        pendingAreLast: all.slice(-3).every((e) => e.classList.contains('pending-line')),
        lastInView: last.top >= box.top && last.bottom <= box.bottom + 1,
        inDom: log.querySelectorAll('.line').length,
      };
    });
    expect(layout).toEqual({ pendingAreLast: true, lastInView: true, inDom: expect.any(Number) });
    expect(layout.inDom).toBeLessThan(600);

    // Cancel the middle one: it goes, and focus moves to the next Cancel rather than to the page.
    const cancels = page.getByRole('button', { name: 'Cancel pending message' });
    expect(await cancels.count()).toBe(3);
    await cancels.nth(1).click();
    const [cancel] = await waitForCalls(page, 'cancelPending');
    expect(cancel!.args).toEqual(['p2']);
    await expect.poll(() => pendingTexts(page)).toEqual(['< Bob: secret', 'Tester: second']);
    await expect
      .poll(() => page.evaluate(() => document.querySelector('chat-app')!.shadowRoot!.querySelector('chat-log')!.shadowRoot!.activeElement?.closest('[data-pending-id]')?.getAttribute('data-pending-id')))
      .toBe('p3');

    // Logged in again: written, too late to cancel, then the echoes take their place.
    await emit(page, 'status', { state: 'open', url: 'ws://127.0.0.1:27800/' });
    await message(page, { action: 'Authorized', ...ME, users: [ANYA, BOB, ME] });
    await emit(page, 'status', { state: 'authorized', self: ME });
    await play(page, 'markSending', 'p1');
    await play(page, 'markSending', 'p3');
    await expect.poll(() => lines.locator('.pending-state').allInnerTexts()).toEqual(['— sending…', '— sending…']);
    expect(await cancels.count()).toBe(0);
    await message(page, { action: 'PrivateMessage', ...ME, text: 'secret', toUserId: BOB.userId });
    await play(page, 'confirm', 'p1');
    await message(page, say(ME, 'second'));
    await play(page, 'confirm', 'p3');
    await expect.poll(() => lines.count()).toBe(0);
    expect((await logLines(page)).slice(-2)).toEqual(['< Bob: secret', 'Tester: second']);
    expect((await logLines(page)).some((l) => l.includes('first'))).toBe(false);
    expect(await outbox(page)).toEqual([]);
  });

  it('keeps the input off before the first login and after the session ends', async () => {
    const page = await open({}, { outbox: true });
    const input = page.getByRole('textbox', { name: 'Message' });
    const state = async () => ({ enabled: await input.isEnabled(), placeholder: await input.getAttribute('placeholder') });
    const OFF = { enabled: false, placeholder: 'Not connected' };
    const QUEUED = { enabled: true, placeholder: 'Offline: messages you write now will be sent on reconnect.' };
    const ONLINE = { enabled: true, placeholder: 'Write a message. Click a name to mention someone.' };
    expect(await state()).toEqual(OFF);
    // A first connect that never logs in: nothing to reconnect to, nothing to queue for.
    await page.getByRole('button', { name: 'Connect', exact: true }).click();
    await waitForCalls(page, 'connect');
    await emit(page, 'status', { state: 'connecting', url: 'ws://127.0.0.1:27800/', attempt: 0 });
    await emit(page, 'status', { state: 'open', url: 'ws://127.0.0.1:27800/' });
    expect(await state()).toEqual(OFF);
    await emit(page, 'status', RECONNECTING);
    expect(await state()).toEqual(OFF);

    await message(page, { action: 'Authorized', ...ME, users: [ME] });
    await emit(page, 'status', { state: 'authorized', self: ME });
    await expect.poll(state).toEqual(ONLINE);
    for (const status of [RECONNECTING, { state: 'connecting', url: 'ws://127.0.0.1:27800/', attempt: 2 }, { state: 'open', url: 'ws://127.0.0.1:27800/' }]) {
      await emit(page, 'status', status);
      await expect.poll(state, { timeout: 2_000 }).toEqual(QUEUED);
    }
    await expect.poll(() => page.getByRole('status').innerText()).toBe('Logging in…');
    // The user's own disconnect ends the session.
    await emit(page, 'status', { state: 'closed', reason: 'Disconnected.', byUser: true });
    await expect.poll(state).toEqual(OFF);

    // So does a server that refuses us for good, and a new Connect starts from scratch.
    await message(page, { action: 'Authorized', ...ME, users: [ME] });
    await emit(page, 'status', { state: 'authorized', self: ME });
    await emit(page, 'status', RECONNECTING);
    await expect.poll(state).toEqual(QUEUED);
    await emit(page, 'status', { state: 'connecting', url: 'ws://10.0.0.9:27800/', attempt: 0 });
    await expect.poll(state).toEqual(OFF);
    await message(page, { action: 'Authorized', ...ME, users: [ME] });
    await emit(page, 'status', { state: 'authorized', self: ME });
    await emit(page, 'status', RECONNECTING);
    await emit(page, 'status', { state: 'closed', reason: 'The room key is wrong.', byUser: false, code: 4003 });
    await expect.poll(state).toEqual(OFF);
    expect(await calls(page, 'send')).toEqual([]);
  });

  it('says a failed send in an error line, and shows an outbox replayed before any login', async () => {
    const page = await open({}, { outbox: true });
    // A reloaded desktop window gets the outbox before it knows who it is: text only, still cancellable.
    await emit(page, 'outbox', [{ id: 'm7', text: 'typed before the reload', toUserId: 0, queuedAt: Date.now(), sending: false }]);
    await expect.poll(() => pendingTexts(page)).toEqual(['typed before the reload']);
    await logIn(page, ME, [ANYA]);
    await page.getByRole('button', { name: 'Cancel pending message' }).click();
    expect((await waitForCalls(page, 'cancelPending'))[0]!.args).toEqual(['m7']);
    // The fake's outbox never had m7, so the line stays until an outbox event says otherwise.
    await emit(page, 'outbox', []);
    await expect.poll(() => pendingLines(page).count()).toBe(0);

    await emit(page, 'notice', { kind: 'send-failed', reason: '“hello” was not sent: too many messages are waiting already.' });
    const last = page.getByRole('log').locator('.line').last();
    expect((await last.innerText()).replace(LOG_TIMESTAMP, '')).toBe('Not sent: “hello” was not sent: too many messages are waiting already.');
    expect(await last.evaluate((e) => e.classList.contains('bad') && getComputedStyle(e.querySelector('.text')!).color)).toBe('rgb(192, 57, 43)');
  });

  it('speaks Russian on pending lines', async () => {
    const page = await open({ language: 'ru' }, { outbox: true, locale: 'ru-RU' });
    await logIn(page, ME, [ANYA], 'Войти');
    await emit(page, 'status', RECONNECTING);
    const input = page.getByRole('textbox', { name: 'Сообщение' });
    expect(await input.getAttribute('placeholder')).toBe('Нет связи: сообщения будут отправлены после переподключения.');
    await input.fill('привет');
    await input.press('Enter');
    const cancel = page.getByRole('button', { name: 'Отменить отправку сообщения' });
    await expect.poll(() => cancel.isVisible()).toBe(true);
    expect(await cancel.innerText()).toBe('Отменить');
    expect(await pendingLines(page).locator('.pending-state').innerText()).toBe('— ожидает отправки');
  });
});
