import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { MAX_TEXT_LENGTH } from '../../src-shared/protocol';
import { fakeBridgeScript, useBrowserAndServer } from '../support/browser';
import { ME, calls, logIn, message, waitForCalls } from './support';

/* Issue 19 §3: writing. Shift+Enter for new lines, and a text longer than a line holds is never cut silently. */

const fixture = useBrowserAndServer();

async function loggedIn(): Promise<Page> {
  const opened = await fixture.open(`http://127.0.0.1:${fixture.server.port}/`, { initScript: fakeBridgeScript() });
  await logIn(opened.page);
  return opened.page;
}

/** A paste as the clipboard would make it (Chromium gives no clipboard to a headless test). */
function paste(page: Page, text: string): Promise<void> {
  return page.locator('message-input textarea').evaluate((input, pasted) => {
    const data = new DataTransfer();
    data.setData('text/plain', pasted);
    const event = new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true, composed: true });
    // What the browser would do with a paste nobody refused.
    if (input.dispatchEvent(event)) {
      (input as HTMLTextAreaElement).setRangeText(pasted, (input as HTMLTextAreaElement).selectionStart ?? 0, (input as HTMLTextAreaElement).selectionEnd ?? 0, 'end');
      input.dispatchEvent(new InputEvent('input', { bubbles: true, composed: true }));
    }
  }, text);
}

describe('the length limit of a line', () => {
  it('shows what is left near the limit, and past it refuses to send, saying why, keeping the text', async () => {
    const page = await loggedIn();
    const input = page.getByRole('textbox', { name: 'Message' });
    await input.fill('a'.repeat(MAX_TEXT_LENGTH - 50));
    await expect.poll(() => page.getByRole('status').filter({ hasText: 'characters left' }).textContent()).toBe('50 characters left');
    await input.fill('a'.repeat(MAX_TEXT_LENGTH + 7));
    // Nothing was cut, as a maxlength would have.
    expect((await input.inputValue()).length).toBe(MAX_TEXT_LENGTH + 7);
    await expect.poll(() => page.getByRole('status').filter({ hasText: 'too many' }).textContent()).toBe('7 characters too many');
    await input.press('Enter');
    await expect.poll(() => page.getByRole('alert').filter({ hasText: 'Not sent' }).textContent()).toBe(`Not sent: the message is ${MAX_TEXT_LENGTH + 7} characters long, and a message holds ${MAX_TEXT_LENGTH}.`);
    expect(await calls(page, 'send')).toEqual([]);
    expect((await input.inputValue()).length).toBe(MAX_TEXT_LENGTH + 7);
    // Back under the limit, Enter sends.
    await input.fill('short');
    await input.press('Enter');
    await waitForCalls(page, 'send');
  });

  it('refuses a paste that would not fit, whole, and offers it as a file', async () => {
    const page = await loggedIn();
    const input = page.getByRole('textbox', { name: 'Message' });
    await input.fill('kept ');
    const long = 'x'.repeat(MAX_TEXT_LENGTH + 100);
    await paste(page, long);
    expect(await input.inputValue()).toBe('kept ');
    await expect.poll(() => page.getByRole('alert').filter({ hasText: 'Not pasted' }).isVisible()).toBe(true);
    await page.getByRole('button', { name: 'Send as a file' }).click();
    const [upload] = await waitForCalls(page, 'uploadFile');
    expect(upload!.args[0]).toMatchObject({ name: 'message.txt', size: long.length });
    // A paste that fits goes in as usual.
    await paste(page, 'and this');
    expect(await input.inputValue()).toBe('kept and this');
  });
});

describe('lines in a message', () => {
  it('Shift+Enter starts a new line, the box grows up to a third of the window, Enter sends it all', async () => {
    const page = await loggedIn();
    const input = page.getByRole('textbox', { name: 'Message' });
    const height = () => input.evaluate((e) => e.getBoundingClientRect().height);
    const oneLine = await height();
    await input.pressSequentially('first');
    await input.press('Shift+Enter');
    await input.pressSequentially('second');
    expect(await input.inputValue()).toBe('first\nsecond');
    expect(await calls(page, 'send')).toEqual([]);
    expect(await height()).toBeGreaterThan(oneLine);
    // Many lines: it stops growing at a third of the window and scrolls instead.
    await input.fill(Array.from({ length: 60 }, (_, i) => `line ${i}`).join('\n'));
    const viewport = page.viewportSize()!;
    expect(await height()).toBeLessThanOrEqual(Math.ceil(viewport.height / 3) + 1);
    expect(await input.evaluate((e) => e.scrollHeight > e.clientHeight)).toBe(true);
    await input.fill('first\nsecond');
    await input.press('Enter');
    const [send] = await waitForCalls(page, 'send');
    expect(send!.args[0]).toMatchObject({ text: 'first\nsecond' });
    await expect.poll(() => input.inputValue()).toBe('');
    await expect.poll(height).toBe(oneLine);
  });

  it('shows a line with breaks as lines in the log', async () => {
    const page = await loggedIn();
    await message(page, { action: 'PublicMessage', ...ME, userId: 5, userName: 'Ann', text: 'one<br>two &lt;3' });
    const line = page.getByRole('log').locator('.line').filter({ hasText: 'Ann' }).last();
    await expect.poll(() => line.locator('.message').innerText()).toBe('one\ntwo <3');
    // Drawn on two rows.
    const rows = await line.locator('.message').evaluate((e) => e.getClientRects().length);
    expect(rows).toBeGreaterThanOrEqual(2);
  });
});
