import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { fakeBridgeScript, useBrowserAndServer } from '../support/browser';
import type { FakeBridgeOptions } from '../support/browser';
import { logIn } from './support';

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
