import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { WEB_ROOT, fakeBridgeScript, logLines, useBrowserAndServer } from '../support/browser';
import { startChatServer } from '../../src-main/server';
import { en } from '../../src-renderer/i18n/en';
import type { FakeBridgeOptions } from '../support/browser';
import { MAX_LOGIN_KEY_LENGTH, MAX_NAME_LENGTH, MAX_ROOM_KEY_LENGTH, MAX_ROOM_NAME_LENGTH, cleanUserName } from '../../src-shared/protocol';
import { ANYA, ME, emit, logIn, message, waitForCalls } from './support';

/*
 * Issue 19 §1: connecting as a new user would, with the preload bridge stood in
 * (the tests push what main would push).
 */

const fixture = useBrowserAndServer();

async function open(settings: Record<string, unknown> = {}, options: FakeBridgeOptions = {}): Promise<Page> {
  const opened = await fixture.open(`http://127.0.0.1:${fixture.server.port}/`, { initScript: fakeBridgeScript(settings, options) });
  return opened.page;
}

const isFocused = (page: Page, name: string) =>
  page.getByRole('textbox', { name, exact: true }).evaluate((el) => el.matches(':focus'));

describe('after logging in', () => {
  it('the message box has the focus: what is typed next lands in it', async () => {
    const page = await open();
    await logIn(page);
    await expect.poll(() => isFocused(page, 'Message')).toBe(true);
    await page.keyboard.type('hello');
    expect(await page.getByRole('textbox', { name: 'Message', exact: true }).inputValue()).toBe('hello');
  });
});

const UNREACHABLE = 'Could not reach the server at ws://127.0.0.1:1/ (connect ECONNREFUSED 127.0.0.1:1).';

describe('a first attempt that fails', () => {
  it('keeps the dialog open with the error beside the server field and Retry; the log stays quiet', async () => {
    const page = await open({ port: 1 });
    const dialog = page.getByRole('dialog');
    await dialog.getByRole('button', { name: 'Connect', exact: true }).click();
    await waitForCalls(page, 'connect');
    await emit(page, 'status', { state: 'connecting', url: 'ws://127.0.0.1:1/', attempt: 0 });
    // Waiting for the login, in the dialog.
    expect(await dialog.isVisible()).toBe(true);
    expect(await dialog.getByRole('button', { name: 'Connecting…' }).isDisabled()).toBe(true);
    await emit(page, 'status', { state: 'closed', reason: UNREACHABLE, byUser: false, about: 'address' });
    const server = dialog.getByRole('textbox', { name: 'Server', exact: true });
    await expect.poll(() => server.getAttribute('aria-invalid')).toBe('true');
    expect(await dialog.isVisible()).toBe(true);
    expect(await server.evaluate((el) => el.matches(':focus'))).toBe(true);
    // Said beside the field (its description), not at the foot of the form.
    const describedBy = await server.getAttribute('aria-describedby');
    expect(await dialog.locator(`#${describedBy}`).innerText()).toContain(UNREACHABLE);
    expect(await logLines(page)).toEqual([]);
    await dialog.getByRole('button', { name: 'Retry' }).click();
    await waitForCalls(page, 'connect', 2);
    // Another address: the error was about the old one.
    await emit(page, 'status', { state: 'closed', reason: UNREACHABLE, byUser: false, about: 'address' });
    await expect.poll(() => server.getAttribute('aria-invalid')).toBe('true');
    await dialog.getByRole('textbox', { name: 'Port', exact: true }).fill('27800');
    expect(await server.getAttribute('aria-invalid')).toBe('false');
    expect(await dialog.getByRole('button', { name: 'Retry' }).count()).toBe(0);
  });

  it('after a login the log tells the whole of it', async () => {
    const page = await open();
    await logIn(page);
    expect(await logLines(page)).toEqual(['Connecting to 127.0.0.1:27800…', 'Connected!', 'Logged in as Tester', 'Tester joined the chat']);
  });
});

describe('a missing or wrong room key', () => {
  it('says no "Connected!" first: the dialog stays, the key field marked, the server’s reason under it', async () => {
    const page = await open();
    const dialog = page.getByRole('dialog');
    await dialog.getByRole('button', { name: 'Connect', exact: true }).click();
    await waitForCalls(page, 'connect');
    await emit(page, 'status', { state: 'connecting', url: 'ws://127.0.0.1:27800/', attempt: 0 });
    await emit(page, 'status', { state: 'open', url: 'ws://127.0.0.1:27800/' });
    const reason = 'The server refused to let us in: the room key is missing or wrong: Wrong room key';
    await emit(page, 'status', { state: 'closed', reason, byUser: false, code: 4003, about: 'key' });
    const key = dialog.getByLabel('Room key', { exact: true });
    await expect.poll(() => key.getAttribute('aria-invalid')).toBe('true');
    expect(await key.evaluate((el) => el.matches(':focus'))).toBe(true);
    expect(await dialog.locator(`#${await key.getAttribute('aria-describedby')}`).innerText()).toContain(reason);
    expect(await dialog.getByRole('textbox', { name: 'Server', exact: true }).getAttribute('aria-invalid')).toBe('false');
    expect(await logLines(page)).toEqual([]);
    // A new key, and Retry takes it.
    await key.fill('s3cret');
    expect(await key.getAttribute('aria-invalid')).toBe('false');
    await dialog.getByRole('button', { name: 'Connect', exact: true }).click();
    const connects = await waitForCalls(page, 'connect', 2);
    expect(connects[1]!.args[0]).toMatchObject({ roomKey: 's3cret' });
  });
});

describe('during an outage', () => {
  it('one banner above the log counts down to the next try, with Retry now; the user list stays, greyed', async () => {
    const page = await open();
    await logIn(page, ME, [ANYA]);
    const before = await logLines(page);
    const options = page.getByRole('listbox', { name: 'Users' }).getByRole('option');
    await emit(page, 'status', { state: 'reconnecting', delayMs: 5000, attempt: 1, reason: 'The connection was lost.' });
    const banner = page.locator('chat-app .outage');
    await expect.poll(() => banner.innerText()).toMatch(/^Reconnecting in [1-5] s…/);
    expect(await banner.innerText()).toContain('The connection was lost.');
    // Who was here stays listed, greyed, until the next login says who is.
    expect(await options.count()).toBe(2);
    expect(await page.locator('user-list').getAttribute('offline')).not.toBeNull();
    expect(Number(await page.locator('user-list').evaluate((el) => getComputedStyle(el.shadowRoot!.querySelector('ul')!).opacity))).toBeLessThan(1);
    await page.getByRole('button', { name: 'Retry now' }).click();
    await waitForCalls(page, 'reconnectNow');
    // More tries: no more lines, the banner says the latest reason (a sentence, no double dot).
    for (let attempt = 1; attempt <= 3; attempt++) {
      await emit(page, 'status', { state: 'connecting', url: 'ws://127.0.0.1:27800/', attempt });
      await emit(page, 'status', { state: 'reconnecting', delayMs: 3000, attempt: attempt + 1, reason: UNREACHABLE });
    }
    await expect.poll(() => banner.innerText()).toContain(UNREACHABLE);
    expect(await banner.innerText()).not.toContain('..');
    expect(await logLines(page)).toEqual([...before, 'Connection closed: The connection was lost.']);
    await emit(page, 'status', { state: 'open', url: 'ws://127.0.0.1:27800/' });
    await message(page, { action: 'Authorized', ...ME, users: [ANYA, ME] });
    await emit(page, 'status', { state: 'authorized', self: ME });
    await expect.poll(() => banner.count()).toBe(0);
    expect(await page.locator('user-list').getAttribute('offline')).toBeNull();
    expect((await logLines(page)).slice(-2)).toEqual(['Connected!', 'Logged in as Tester']);
  });
});

describe('limits (issue 19 §1)', () => {
  it('the dialog takes no longer a name or key than the server keeps: one limit each, from the protocol', async () => {
    const page = await open({ userName: '' });
    const dialog = page.getByRole('dialog');
    const nickname = dialog.getByRole('textbox', { name: 'Nickname', exact: true });
    await nickname.fill('');
    await nickname.pressSequentially('n'.repeat(MAX_NAME_LENGTH + 8));
    expect(await nickname.inputValue()).toBe('n'.repeat(MAX_NAME_LENGTH));
    // What the field holds is what the server will call us: not cut again.
    expect(cleanUserName(await nickname.inputValue(), '')).toBe(await nickname.inputValue());
    expect(await dialog.getByLabel('Room key', { exact: true }).getAttribute('maxlength')).toBe(String(MAX_LOGIN_KEY_LENGTH));
    await logIn(page);
    await page.getByRole('button', { name: /join or create a room/i }).click();
    const rooms = page.locator('room-dialog');
    expect(await rooms.locator('#room-name').getAttribute('maxlength')).toBe(String(MAX_ROOM_NAME_LENGTH));
    expect(await rooms.locator('#room-key').getAttribute('maxlength')).toBe(String(MAX_ROOM_KEY_LENGTH));
  });
});

describe('guests in a browser (issue 19 §2)', () => {
  /** The page as a room serves it: the browser bridge, no stand-in. */
  const openServed = async (port: number, stored?: Record<string, unknown>): Promise<Page> => {
    const initScript = stored === undefined ? undefined : `localStorage.setItem('simplechat.settings', ${JSON.stringify(JSON.stringify(stored))});`;
    return (await fixture.open(`http://127.0.0.1:${port}/`, initScript === undefined ? {} : { initScript })).page;
  };

  it('asks only name, colour and gender: no Server, Port or Host box; it joins its own room whatever was stored', async () => {
    const page = await openServed(fixture.server.port, { server: 'elsewhere.example', port: 1, userName: 'Gast' });
    const dialog = page.getByRole('dialog');
    await expect.poll(() => dialog.isVisible()).toBe(true);
    expect(await dialog.getByRole('textbox', { name: 'Nickname', exact: true }).inputValue()).toBe('Gast');
    expect(await dialog.getByRole('radiogroup', { name: 'Color', exact: true }).isVisible()).toBe(true);
    expect(await dialog.getByRole('combobox', { name: 'Gender', exact: true }).isVisible()).toBe(true);
    expect(await dialog.getByRole('textbox', { name: 'Server', exact: true }).count()).toBe(0);
    expect(await dialog.getByRole('textbox', { name: 'Port', exact: true }).count()).toBe(0);
    expect(await dialog.getByRole('checkbox').count()).toBe(0);
    expect(await dialog.getByLabel('Room key', { exact: true }).count()).toBe(0);
    expect(await dialog.innerText()).not.toMatch(/Host a room/);
    await dialog.getByRole('textbox', { name: 'Nickname', exact: true }).press('Enter');
    await expect.poll(() => page.getByRole('textbox', { name: 'Message', exact: true }).isEnabled(), { timeout: 10_000 }).toBe(true);
    expect(await logLines(page)).toContain('Logged in as Gast');
  });

  it('asks for the key once the room turns out to be locked, with the server’s reason under it', async () => {
    const locked = await startChatServer({ host: '127.0.0.1', port: 0, webRoot: WEB_ROOT, roomKey: 'k3y' });
    try {
      const page = await openServed(locked.port);
      const dialog = page.getByRole('dialog');
      const nickname = dialog.getByRole('textbox', { name: 'Nickname', exact: true });
      await nickname.fill('Gast');
      expect(await dialog.getByLabel('Room key', { exact: true }).count()).toBe(0);
      await nickname.press('Enter');
      const key = dialog.getByLabel('Room key', { exact: true });
      await expect.poll(() => key.count(), { timeout: 10_000 }).toBe(1);
      expect(await key.getAttribute('aria-invalid')).toBe('true');
      expect(await dialog.locator('#room-key-hint').innerText()).toMatch(/needs a key/);
      await key.fill('k3y');
      await key.press('Enter');
      await expect.poll(() => page.getByRole('textbox', { name: 'Message', exact: true }).isEnabled(), { timeout: 10_000 }).toBe(true);
    } finally {
      await locked.close();
    }
  });

  it('colour swatches are distinct, named in words, with no stray dash under them', async () => {
    const page = await open({ userName: '' });
    const dialog = page.getByRole('dialog');
    const swatches = dialog.getByRole('radiogroup', { name: 'Color', exact: true }).getByRole('radio');
    expect(await swatches.evaluateAll((els) => els.map((e) => e.getAttribute('aria-label')))).toEqual(Object.values(en.colorNames));
    expect(await dialog.getByRole('radio', { name: 'Blue', exact: true }).count()).toBe(1);
    const colours = await swatches.evaluateAll((els) => els.map((e) => getComputedStyle(e).backgroundColor));
    const rgb = colours.map((c) => c.match(/\d+/g)!.slice(0, 3).map(Number));
    let nearest = Infinity;
    for (let i = 0; i < rgb.length; i++) {
      for (let j = i + 1; j < rgb.length; j++) nearest = Math.min(nearest, Math.hypot(...rgb[i]!.map((v, k) => v - rgb[j]![k]!)));
    }
    expect(nearest).toBeGreaterThan(40);
    expect(await dialog.innerText()).not.toContain('—');
  });

  it('the desktop app takes a room page’s http:// address in the Server field', async () => {
    const page = await open();
    const dialog = page.getByRole('dialog');
    const server = dialog.getByRole('textbox', { name: 'Server', exact: true });
    await server.fill('http://192.168.1.5:27805/?key=abc');
    await dialog.getByRole('button', { name: 'Connect', exact: true }).click();
    const [connect] = await waitForCalls(page, 'connect');
    expect(connect!.args[0]).toMatchObject({ server: 'http://192.168.1.5:27805/?key=abc' });
    expect(await server.getAttribute('aria-invalid')).toBe('false');
  });
});

describe('a login without the dialog (a reloaded tab taking its session back)', () => {
  it('focuses the message box too', async () => {
    const { page } = await fixture.open(`http://127.0.0.1:${fixture.server.port}/`);
    const nickname = page.getByRole('dialog').getByRole('textbox', { name: 'Nickname', exact: true });
    await nickname.fill('Reloader');
    await nickname.press('Enter');
    await expect.poll(() => isFocused(page, 'Message'), { timeout: 10_000 }).toBe(true);
    await page.reload();
    await page.locator('chat-app').waitFor({ state: 'attached' });
    await expect.poll(() => page.getByRole('textbox', { name: 'Message', exact: true }).isEnabled(), { timeout: 10_000 }).toBe(true);
    expect(await page.getByRole('dialog').isVisible()).toBe(false);
    await expect.poll(() => isFocused(page, 'Message')).toBe(true);
  });
});
