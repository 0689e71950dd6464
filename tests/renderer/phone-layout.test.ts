import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { fakeBridgeScript, useBrowserAndServer } from '../support/browser';
import { ANYA, BOB, ME, logIn, message } from './support';

/*
 * Issue 16 §3: the page a guest opens on a phone, 360 px wide: one column, the user
 * list behind a button, the input at the bottom in sight, touch targets of 44 px.
 * `SCREENSHOTS=1` also writes docs/screenshots/phone-*.png.
 */

const fixture = useBrowserAndServer();
const PHONE = { width: 360, height: 740 };

async function box(page: Page, selector: string) {
  const found = await page.locator(selector).boundingBox();
  if (found === null) throw new Error(`${selector} is not shown`);
  return found;
}

describe('the phone layout', () => {
  it('at 360 px: the chat fills the screen, the user list is behind a button, the input is in sight', async () => {
    const { page } = await fixture.open(`http://127.0.0.1:${fixture.server.port}/`, { initScript: fakeBridgeScript(), viewport: PHONE });
    await logIn(page, undefined, [ANYA, BOB]);
    expect(await page.locator('chat-app user-list').isVisible()).toBe(false);
    const input = await box(page, 'chat-app message-input');
    expect(input.y + input.height).toBeLessThanOrEqual(PHONE.height);
    expect(input.width).toBeGreaterThan(PHONE.width - 40);
    // 16 px at least: below that iOS Safari zooms in when the box takes the focus (issue 19 §6).
    expect(await page.getByRole('textbox', { name: 'Message' }).evaluate((e) => parseFloat(getComputedStyle(e).fontSize))).toBeGreaterThanOrEqual(16);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE.width);
    const people = page.getByRole('button', { name: 'People (3)', exact: true });
    for (const selector of ['chat-app .people', 'chat-app .settings']) expect((await box(page, selector)).height).toBeGreaterThanOrEqual(44);
    if (process.env.SCREENSHOTS) await page.screenshot({ path: join(import.meta.dirname, '../../docs/screenshots/phone-chat-en.png') });

    await people.click();
    await expect.poll(() => page.locator('chat-app user-list').isVisible()).toBe(true);
    expect(await page.locator('chat-app chat-log').isVisible()).toBe(false);
    expect(await people.getAttribute('aria-expanded')).toBe('true');
    if (process.env.SCREENSHOTS) await page.screenshot({ path: join(import.meta.dirname, '../../docs/screenshots/phone-people-en.png') });
    await page.locator('chat-app user-list').getByText('Bob', { exact: true }).click();
    await expect.poll(() => page.locator('chat-app chat-log').isVisible()).toBe(true);
    expect(await page.locator('chat-app user-list').isVisible()).toBe(false);
  });

  it('at 360 px: the log\'s toolbar, "Load older" and the input\'s × buttons are touch targets of 44 px', async () => {
    const { page } = await fixture.open(`http://127.0.0.1:${fixture.server.port}/`, { initScript: fakeBridgeScript(), viewport: PHONE });
    await logIn(page, undefined, [ANYA, BOB]);
    const line = (id: number, from: typeof ME, text: string) => ({ action: 'PublicMessage', ...from, text, messageId: id, sentAt: Date.now() });
    await message(page, { action: 'History', messages: [line(10, ANYA, 'hi'), line(11, ME, 'hello')], hasMore: true });
    const log = page.getByRole('log');
    const older = log.getByRole('button', { name: 'Load older messages' });
    await expect.poll(() => older.count()).toBe(1);
    const targets = async (selector: string) => {
      const sizes = await page.locator(selector).evaluateAll((all) => all.map((e) => e.getBoundingClientRect()).map((r) => [r.width, r.height]));
      expect(sizes.length, selector).toBeGreaterThan(0);
      for (const [width, height] of sizes) {
        expect(width, selector).toBeGreaterThanOrEqual(44);
        expect(height, selector).toBeGreaterThanOrEqual(44);
      }
    };
    await targets('chat-log .load-older');

    const mine = log.locator('.line.chat[data-message-id="11"]');
    await mine.click();
    await expect.poll(() => mine.locator('.toolbar button').count()).toBe(3);
    await targets('chat-log .toolbar button');
    await mine.getByRole('button', { name: 'Reply' }).click();
    await targets('message-input .reply-bar .close');

    await page.locator('message-input textarea').press('Escape');
    await mine.click();
    await mine.getByRole('button', { name: 'Edit' }).click();
    await targets('message-input .editing-bar .close');
    await page.locator('message-input textarea').press('Escape');

    await page.locator('chat-app .people').click();
    await page.getByRole('option', { name: 'Bob' }).press('Enter');
    await expect.poll(() => page.getByRole('button', { name: 'Close private mode' }).count()).toBe(1);
    await targets('message-input .target .close');
  });

  it.skipIf(!process.env.SCREENSHOTS)('the phone screenshots in Russian', async () => {
    const { page } = await fixture.open(`http://127.0.0.1:${fixture.server.port}/`, { initScript: fakeBridgeScript({ language: 'ru' }), viewport: PHONE });
    await logIn(page, { ...ME, userName: 'Тестер' }, [ANYA, { ...BOB, userName: 'Боб' }], 'Войти');
    await message(page, { action: 'PublicMessage', ...ANYA, text: 'Привет! Как дела?', messageId: 1, sentAt: Date.now() });
    await page.screenshot({ path: join(import.meta.dirname, '../../docs/screenshots/phone-chat-ru.png') });
    await page.locator('chat-app .people').click();
    await expect.poll(() => page.locator('chat-app user-list').isVisible()).toBe(true);
    await page.screenshot({ path: join(import.meta.dirname, '../../docs/screenshots/phone-people-ru.png') });
  });

  it('on a desktop-sized window nothing changes: the list is beside the chat and there is no People button', async () => {
    const { page } = await fixture.open(`http://127.0.0.1:${fixture.server.port}/`, { initScript: fakeBridgeScript() });
    await logIn(page);
    expect(await page.locator('chat-app user-list').isVisible()).toBe(true);
    expect(await page.locator('chat-app .people').isVisible()).toBe(false);
    // Private mode is a double-click there: no button on the rows.
    expect(await page.getByRole('button', { name: 'Private message to Bob' }).isVisible()).toBe(false);
  });

  it('at 360 px, where there is no double-click, a row\'s own button starts private mode (no mention inserted)', async () => {
    const { page } = await fixture.open(`http://127.0.0.1:${fixture.server.port}/`, { initScript: fakeBridgeScript(), viewport: PHONE });
    await logIn(page, undefined, [ANYA, BOB]);
    await page.getByRole('button', { name: 'People (3)', exact: true }).click();
    const button = page.getByRole('button', { name: 'Private message to Bob' });
    const size = await button.boundingBox();
    expect(size !== null && size.width >= 44 && size.height >= 44).toBe(true);
    // None on one's own row.
    expect(await page.getByRole('button', { name: `Private message to ${ME.userName}` }).count()).toBe(0);
    await button.click();
    await expect.poll(() => page.getByText('To Bob').isVisible()).toBe(true);
    expect(await page.locator('chat-app user-list').isVisible()).toBe(false);
    expect(await page.getByRole('textbox', { name: 'Message' }).inputValue()).toBe('');
  });
});
