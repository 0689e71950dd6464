import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { joinAs, logLines, useBrowserAndServer, waitForLogLine } from '../support/browser';

/*
 * Statuses and buzz end to end (issue 13 §3–§4): two browser pages through the real
 * server and the browser bridge (the shared session over the browser's WebSocket).
 */

const fixture = useBrowserAndServer();

async function openChat(): Promise<Page> {
  const page = (await fixture.open(`http://127.0.0.1:${fixture.server.port}/`)).page;
  // The buzz's sound, listened in on: WebAudio makes nothing a test could hear.
  await page.evaluate(() => {
    const w = window as unknown as { __buzzSounds: number };
    w.__buzzSounds = 0;
    (document.querySelector('chat-app') as unknown as { buzzSound: () => void }).buzzSound = () => void w.__buzzSounds++;
  });
  return page;
}

const row = (page: Page, name: string) => page.getByRole('listbox', { name: 'Users' }).getByRole('option', { name, exact: true });

describe('statuses and buzz between two browser pages', () => {
  it('a status chosen on one page is seen on the other, in its user list', async () => {
    const alice = await openChat();
    await joinAs(alice, 'Alice');
    const bob = await openChat();
    await joinAs(bob, 'Bob');
    const picker = alice.getByRole('group', { name: 'Your status' });
    await picker.getByRole('button', { name: 'Status: Online' }).click();
    await picker.getByRole('menuitemradio', { name: 'Working' }).click();
    await expect.poll(() => row(bob, 'Alice').getAttribute('aria-description')).toBe('Working');
    const text = picker.getByRole('textbox', { name: 'Status text' });
    await text.fill('on <the> report');
    await text.press('Enter');
    await expect.poll(() => row(bob, 'Alice').getAttribute('aria-description')).toBe('Working, on <the> report');
    expect(await row(bob, 'Alice').locator('.status-text').innerText()).toBe('on <the> report');
    // Alice's own picker shows what the server said back.
    await expect.poll(() => picker.getByRole('button', { name: 'Status: Working' }).isVisible()).toBe(true);
    // A page that comes later sees it in its Authorized.
    const carol = await openChat();
    await joinAs(carol, 'Carol');
    await expect.poll(() => row(carol, 'Alice').getAttribute('aria-description')).toBe('Working, on <the> report');
  });

  it('a buzz from a user’s context menu: the other page plays its sound and shakes; again at once is refused', async () => {
    const ann = await openChat();
    await joinAs(ann, 'Ann');
    const ben = await openChat();
    await joinAs(ben, 'Ben');
    await row(ann, 'Ben').click({ button: 'right' });
    await ann.getByRole('menuitem', { name: 'Buzz Ben' }).click();
    await expect.poll(() => ben.evaluate(() => (window as unknown as { __buzzSounds: number }).__buzzSounds)).toBe(1);
    await expect.poll(() => ben.locator('chat-app .window.shake').count()).toBe(1);
    await waitForLogLine(ben, /^Ann buzzed you!$/);
    await waitForLogLine(ann, /^You buzzed Ben\.$/);
    await row(ann, 'Ben').click({ button: 'right' });
    await ann.getByRole('menuitem', { name: 'Buzz Ben' }).click();
    await waitForLogLine(ann, /^Error: You buzzed them a moment ago: wait a few seconds\.$/);
    expect(await ann.evaluate(() => (window as unknown as { __buzzSounds: number }).__buzzSounds)).toBe(0);
    expect((await logLines(ben)).filter((l) => l === 'Ann buzzed you!')).toHaveLength(1);
  });

  it('with "Allow buzzes" off, a buzz is refused and the page stays still', async () => {
    const dan = await openChat();
    await joinAs(dan, 'Dan');
    await dan.getByRole('checkbox', { name: 'Allow buzzes' }).uncheck();
    const eve = await openChat();
    await joinAs(eve, 'Eve');
    await row(eve, 'Dan').click({ button: 'right' });
    await eve.getByRole('menuitem', { name: 'Buzz Dan' }).click();
    await waitForLogLine(eve, /^Error: That user does not take buzzes\.$/);
    expect(await dan.evaluate(() => (window as unknown as { __buzzSounds: number }).__buzzSounds)).toBe(0);
  });
});
