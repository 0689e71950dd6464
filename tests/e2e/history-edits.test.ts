import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import type { PublicMessage } from '../../src-shared/protocol';
import { ChatClient, chatUrl } from '../support/chat-client';
import { joinAs, logLines, sendText, useBrowserAndServer, waitForLogLine } from '../support/browser';

/*
 * History, edits and replies end to end (issue 12): the real server, a browser user
 * through the browser bridge, and native users that fill the room's history.
 */

// Lines are said in bulk here; the room's chat rate limit is another test's business.
const fixture = useBrowserAndServer({ rateBurst: 10_000 });

async function openChat(): Promise<Page> {
  return (await fixture.open(`http://127.0.0.1:${fixture.server.port}/`)).page;
}

async function talker(name: string, lines: string[]): Promise<ChatClient> {
  const client = await ChatClient.connect(chatUrl(fixture.server.port, { userName: name }));
  for (const line of lines) client.say(line);
  await client.waitFor((m) => m.action === 'PublicMessage' && m.text === lines.at(-1));
  return client;
}

/** Every chat line's text in the log (the whole log, not only what is rendered). */
const allChatTexts = (page: Page): Promise<string[]> =>
  page.evaluate(() => {
    const chatLog = document.querySelector('chat-app')!.shadowRoot!.querySelector('chat-log') as unknown as {
      log: { blocks: { kind: string; text?: string }[][] };
    };
    return chatLog.log.blocks.flat().filter((l) => l.kind === 'chat').map((l) => l.text!);
  });

const lineWith = (page: Page, text: string) => page.getByRole('log').locator('.line.chat', { hasText: text });

describe('the history in a browser', () => {
  it('pages up to the start of the room, each line once and in order', async () => {
    const said = Array.from({ length: 120 }, (_, i) => `page line ${i + 1}`);
    const native = await talker('Pager', said);
    try {
      const page = await openChat();
      await joinAs(page, 'Reader');
      await waitForLogLine(page, /^Pager: page line 120$/);
      expect(await allChatTexts(page)).toEqual(said.slice(70));
      const log = page.getByRole('log');
      for (const expected of [20, 0]) {
        // A wheel up at the top, as a reader would.
        await log.evaluate((el) => (el.scrollTop = 0));
        await log.hover();
        await page.mouse.wheel(0, -300);
        await expect.poll(async () => (await allChatTexts(page)).length, { timeout: 5_000 }).toBe(120 - expected);
      }
      await expect.poll(() => log.getByText('The beginning of the history').isVisible()).toBe(true);
      expect(await allChatTexts(page)).toEqual(said);
    } finally {
      await native.close();
    }
  });

  it('edits by Up, deletes after asking, and everyone sees both', async () => {
    const watcher = await ChatClient.connect(chatUrl(fixture.server.port, { userName: 'Watcher' }));
    try {
      const page = await openChat();
      await joinAs(page, 'Writer');
      await sendText(page, 'teh typo');
      await waitForLogLine(page, /^Writer: teh typo$/);
      const input = page.getByRole('textbox', { name: 'Message' });
      await input.press('ArrowUp');
      await expect.poll(() => input.inputValue()).toBe('teh typo');
      await input.fill('the fix');
      await input.press('Enter');
      await waitForLogLine(page, /^Writer: the fix \(edited\)$/);
      const edit = await watcher.waitFor((m) => m.action === 'MessageEdited');
      expect(edit).toMatchObject({ text: 'the fix' });

      await lineWith(page, 'the fix').hover();
      await lineWith(page, 'the fix').getByRole('button', { name: 'Delete' }).click();
      await page.getByRole('alertdialog', { name: 'Delete this message?' }).getByRole('button', { name: 'Delete' }).click();
      await waitForLogLine(page, /^Writer: message deleted$/);
      const deleted = await watcher.waitFor((m) => m.action === 'MessageDeleted');
      expect(deleted).toMatchObject({ messageId: (edit as { messageId: number }).messageId });
      expect((await logLines(page)).some((l) => l.includes('the fix'))).toBe(false);
    } finally {
      await watcher.close();
    }
  });

  it('replies with a quote, and the quote goes to the original, loading older history for it', async () => {
    const native = await talker('Quoted', ['the original question', ...Array.from({ length: 60 }, (_, i) => `filler ${i + 1}`)]);
    try {
      const asker = await openChat();
      await joinAs(asker, 'Answerer');
      await waitForLogLine(asker, /^Quoted: filler 60$/);
      await lineWith(asker, 'filler 60').hover();
      await lineWith(asker, 'filler 60').getByRole('button', { name: 'Reply' }).click();
      await expect.poll(() => asker.getByText('Reply to Quoted: filler 60').isVisible()).toBe(true);
      await sendText(asker, 'noted');
      const echo = (await native.waitFor((m) => m.action === 'PublicMessage' && m.text === 'noted')) as PublicMessage;
      expect(echo.replyTo).toMatchObject({ userName: 'Quoted', excerpt: 'filler 60' });
      await expect.poll(() => lineWith(asker, 'noted').locator('.quote').innerText()).toBe('Quoted: filler 60');

      // A reply to a line older than a newcomer's history: the newcomer's log pages back for it.
      const original = native.all('PublicMessage').find((m) => m.text === 'the original question')!;
      native.send({ action: 'Message', text: 'about that', toUserId: 0, replyTo: original.messageId });
      const reader = await openChat();
      await joinAs(reader, 'Latecomer');
      await waitForLogLine(reader, /Quoted: about that$/);
      expect(await allChatTexts(reader)).not.toContain('the original question');
      await lineWith(reader, 'about that').getByRole('button', { name: 'Go to the message from Quoted' }).click();
      const target = lineWith(reader, 'the original question');
      await expect.poll(() => target.count(), { timeout: 5_000 }).toBe(1);
      await expect.poll(() => target.evaluate((el) => el.classList.contains('highlight'))).toBe(true);
      const inView = await target.evaluate((el) => {
        const box = el.getBoundingClientRect();
        const log = (el.getRootNode() as ShadowRoot).querySelector('.scroller')!.getBoundingClientRect();
        return box.top >= log.top && box.bottom <= log.bottom;
      });
      expect(inView).toBe(true);
    } finally {
      await native.close();
    }
  });
});
