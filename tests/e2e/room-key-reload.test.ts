import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { joinAs, sendText, useBrowserAndServer, waitForLogLine } from '../support/browser';

/*
 * A locked room remembered across a reload (issue 13 §6): room keys are kept only in
 * memory (docs/SECURITY.md), so a page that cannot resume its session (a new tab, a
 * restart) joins it again without its key; the server's
 * room-forbidden opens the join dialog for that room, saying why, with the key field to
 * type it in, and the room is joined with it.
 */

const fixture = useBrowserAndServer();

const sidebar = (page: Page) => page.getByRole('navigation', { name: 'Conversations' });

describe('a locked room after a reload', () => {
  it('asks for its key in the join dialog, named for the room, and joins with it', async () => {
    const { page } = await fixture.open(`http://127.0.0.1:${fixture.server.port}/`);
    await joinAs(page, 'Ivy');
    await sidebar(page).getByRole('button', { name: 'Join or create a room' }).click();
    let dialog = page.getByRole('dialog', { name: 'Join or create a room' });
    await dialog.getByRole('textbox', { name: 'Room name' }).fill('Vault');
    await dialog.getByLabel('Room key').fill('s3cret-key');
    await dialog.getByRole('button', { name: 'Join', exact: true }).click();
    await expect.poll(() => page.getByRole('heading', { name: 'Room Vault' }).isVisible(), { timeout: 10_000 }).toBe(true);
    await sendText(page, 'inside the vault');
    await waitForLogLine(page, /^Ivy: inside the vault$/);
    // The key is written nowhere the page keeps.
    expect(await page.evaluate(() => JSON.stringify({ ...localStorage }))).not.toContain('s3cret-key');

    // As a tab opened afresh (or the app restarted): no session handed to the reload to resume, so no room to be in still.
    await page.evaluate(() => window.addEventListener('pagehide', () => sessionStorage.clear()));
    await page.reload();
    await page.locator('chat-app').waitFor({ state: 'attached' });
    await joinAs(page, 'Ivy');
    dialog = page.getByRole('dialog', { name: 'Join or create a room' });
    await expect.poll(() => dialog.isVisible(), { timeout: 10_000 }).toBe(true);
    await expect.poll(() => dialog.getByRole('status').innerText()).toMatch(/^Vault is locked and needs its key\. Room keys are kept only in memory/);
    expect(await dialog.getByRole('textbox', { name: 'Room name' }).inputValue()).toBe('Vault');
    const key = dialog.getByLabel('Room key');
    await expect.poll(() => key.evaluate((el) => el === (el.getRootNode() as ShadowRoot).activeElement)).toBe(true);
    await key.fill('s3cret-key');
    await key.press('Enter');
    await expect.poll(() => page.getByRole('heading', { name: 'Room Vault' }).isVisible(), { timeout: 10_000 }).toBe(true);
    await waitForLogLine(page, /^Ivy: inside the vault$/);
  }, 60_000);
});
