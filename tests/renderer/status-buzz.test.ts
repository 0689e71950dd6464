import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { fakeBridgeScript, logLines, useBrowserAndServer } from '../support/browser';
import { ANYA, BOB, ME, calls, logIn, message, say, waitForCalls } from './support';

/*
 * Issue 13 §3–§4 in the renderer, with the preload bridge stood in: the status picker,
 * statuses in the user list, Buzz in a user's context menu, and what a buzz does.
 */

const fixture = useBrowserAndServer();

async function open(settings: Record<string, unknown> = {}): Promise<Page> {
  const opened = await fixture.open(`http://127.0.0.1:${fixture.server.port}/`, { initScript: fakeBridgeScript(settings) });
  const page = opened.page;
  // The buzz's sound, listened in on (WebAudio makes no sound a test could hear).
  await page.evaluate(() => {
    const w = window as unknown as { __buzzSounds: number };
    w.__buzzSounds = 0;
    (document.querySelector('chat-app') as unknown as { buzzSound: () => void }).buzzSound = () => void w.__buzzSounds++;
  });
  return page;
}

const buzzSounds = (page: Page): Promise<number> => page.evaluate(() => (window as unknown as { __buzzSounds: number }).__buzzSounds);
const row = (page: Page, name: string) => page.getByRole('listbox', { name: 'Users' }).getByRole('option', { name, exact: true });

describe('the status picker beside one’s own name', () => {
  it('chooses a status from its menu and a text on Enter; shows what the server says', async () => {
    const page = await open();
    await logIn(page, ME, [ANYA]);
    const picker = page.getByRole('group', { name: 'Your status' });
    const button = picker.getByRole('button', { name: 'Status: Online' });
    await button.click();
    await picker.getByRole('menuitemradio', { name: 'Busy' }).click();
    expect((await waitForCalls(page, 'setStatus'))[0]!.args).toEqual([{ status: 'busy', text: '' }]);
    // Nothing changes until the server's echo.
    expect(await button.isVisible()).toBe(true);
    await message(page, { action: 'StatusChanged', userId: ME.userId, status: 'busy', text: '' });
    await expect.poll(() => picker.getByRole('button', { name: 'Status: Busy' }).isVisible()).toBe(true);
    const text = picker.getByRole('textbox', { name: 'Status text' });
    await text.fill('  on a call ');
    await text.press('Enter');
    expect((await waitForCalls(page, 'setStatus', 2))[1]!.args).toEqual([{ status: 'busy', text: 'on a call' }]);
    // The menu by keyboard: down opens it on the current status, Escape closes it.
    await picker.getByRole('button', { name: 'Status: Busy' }).press('ArrowDown');
    await expect.poll(() => picker.getByRole('menuitemradio', { name: 'Busy' }).evaluate((el) => el.matches(':focus'))).toBe(true);
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
    expect((await waitForCalls(page, 'setStatus', 3))[2]!.args).toEqual([{ status: 'online', text: 'on a call' }]);
  });

  it('in Russian: the five labels', async () => {
    const page = await open({ language: 'ru' });
    await logIn(page, ME, [], 'Войти');
    await page.getByRole('button', { name: 'Статус: В сети' }).click();
    expect(await page.getByRole('menuitemradio').allInnerTexts()).toEqual(['В сети', 'Работаю', 'Отдыхаю', 'Отошёл', 'Занят']);
  });

  it('"Allow buzzes" is on by default and saved when turned off', async () => {
    const page = await open();
    await logIn(page);
    const allow = page.getByRole('checkbox', { name: 'Allow buzzes' });
    expect(await allow.isChecked()).toBe(true);
    await allow.uncheck();
    expect((await waitForCalls(page, 'saveSettings')).at(-1)!.args).toEqual([{ allowBuzz: false }]);
  });
});

describe('statuses in the user list', () => {
  it('a status dot for everyone and the text after the name, from Authorized, Connected and StatusChanged, as text', async () => {
    const page = await open();
    await page.getByRole('button', { name: 'Connect', exact: true }).click();
    await waitForCalls(page, 'connect');
    await message(page, { action: 'Authorized', ...ME, users: [{ ...ANYA, status: 'working', statusText: 'report &lt;b&gt;x&lt;/b&gt;' }, ME] });
    await message(page, { action: 'Connected', ...BOB, status: 'away' });
    const anya = row(page, ANYA.userName);
    await expect.poll(() => anya.getAttribute('aria-description')).toBe('Working, report <b>x</b>');
    expect(await anya.locator('.status-dot').getAttribute('data-status')).toBe('working');
    expect(await anya.locator('.status-text').innerText()).toBe('report <b>x</b>');
    expect(await anya.locator('.status-text b').count()).toBe(0);
    expect(await row(page, BOB.userName).getAttribute('aria-description')).toBe('Away');
    expect(await row(page, ME.userName).getAttribute('aria-description')).toBe('you, Online');
    await message(page, { action: 'StatusChanged', userId: ANYA.userId, status: 'online', text: '' });
    await expect.poll(() => anya.getAttribute('aria-description')).toBe('Online');
    expect(await anya.locator('.status-text').count()).toBe(0);
  });
});

describe('buzz', () => {
  it('is in a user’s context menu with an accessible name (not one’s own), by mouse and by keyboard', async () => {
    const page = await open();
    await logIn(page, ME, [ANYA, BOB]);
    await row(page, BOB.userName).click({ button: 'right' });
    const menu = page.getByRole('menu', { name: 'Actions for Bob' });
    await menu.getByRole('menuitem', { name: 'Buzz Bob' }).click();
    expect((await waitForCalls(page, 'buzz'))[0]!.args).toEqual([{ toUserId: BOB.userId }]);
    expect(await menu.count()).toBe(0);
    await row(page, ANYA.userName).focus();
    await page.keyboard.press('Shift+F10');
    await expect.poll(() => page.getByRole('menuitem', { name: `Buzz ${ANYA.userName}` }).evaluate((el) => el.matches(':focus'))).toBe(true);
    await page.keyboard.press('Escape');
    expect(await page.getByRole('menu').count()).toBe(0);
    await row(page, ME.userName).click({ button: 'right' });
    expect(await page.getByRole('menu').count()).toBe(0);
  });

  it('received: its own sound, attention of kind buzz, a line in the log, and the app shakes in a browser; our receipt only a line', async () => {
    const page = await open();
    await logIn(page, ME, [ANYA]);
    // The desktop app shakes its window (attention.ts); a browser shakes the page.
    await message(page, { action: 'Buzz', userId: ANYA.userId, toUserId: ME.userId });
    await expect.poll(() => buzzSounds(page)).toBe(1);
    expect(await page.locator('chat-app .window.shake').count()).toBe(0);
    await page.evaluate(() => void ((document.querySelector('chat-app') as unknown as { canHost: boolean }).canHost = false));
    await message(page, { action: 'Buzz', userId: ANYA.userId, toUserId: ME.userId });
    await expect.poll(() => buzzSounds(page)).toBe(2);
    await expect.poll(() => page.locator('chat-app .window.shake').count()).toBe(1);
    const attention = await waitForCalls(page, 'requestAttention', 2);
    expect(attention.map((c) => c.args)).toEqual(Array(2).fill([{ kind: 'buzz', from: ANYA.userName, text: `${ANYA.userName} buzzed you!` }]));
    expect(await logLines(page)).toContain(`${ANYA.userName} buzzed you!`);
    await expect.poll(() => page.locator('chat-app .window.shake').count()).toBe(0);
    await message(page, { action: 'Buzz', userId: ME.userId, toUserId: ANYA.userId });
    await expect.poll(() => logLines(page)).toContain(`You buzzed ${ANYA.userName}.`);
    expect(await buzzSounds(page)).toBe(2);
    expect(await calls(page, 'requestAttention')).toHaveLength(2);
  });

  it('busy silences mentions and private lines, but a buzz gets through', async () => {
    const page = await open();
    await logIn(page, ME, [ANYA]);
    await message(page, { action: 'StatusChanged', userId: ME.userId, status: 'busy', text: '' });
    await message(page, say(ANYA, `hi <b>${ME.userName}</b>`));
    await message(page, { action: 'PrivateMessage', ...ANYA, toUserId: ME.userId, text: 'psst' });
    await expect.poll(async () => (await logLines(page)).some((l) => l.includes('psst'))).toBe(true);
    await message(page, { action: 'Buzz', userId: ANYA.userId, toUserId: ME.userId });
    await expect.poll(() => buzzSounds(page)).toBe(1);
    expect((await calls(page, 'requestAttention')).map((c) => (c.args[0] as { kind: string }).kind)).toEqual(['buzz']);
    // Online again: a mention asks for attention as before.
    await message(page, { action: 'StatusChanged', userId: ME.userId, status: 'online', text: '' });
    await message(page, say(ANYA, `again <b>${ME.userName}</b>`));
    await waitForCalls(page, 'requestAttention', 2);
  });

  it('a refused buzz says why, in the user’s language', async () => {
    const page = await open();
    await logIn(page, ME, [ANYA]);
    await message(page, { action: 'Error', code: 'rate-limited', message: 'x', refused: 'Buzz' });
    await message(page, { action: 'Error', code: 'buzz-off', message: 'x', refused: 'Buzz' });
    await expect.poll(() => logLines(page)).toEqual(
      expect.arrayContaining(['Error: You buzzed them a moment ago: wait a few seconds.', 'Error: That user does not take buzzes.']),
    );
  });
});
