import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { newIdentitySecret } from '../../src-shared/protocol';
import type { PrivateMessage, ServerMessage } from '../../src-shared/protocol';
import { ChatClient, chatUrl } from '../support/chat-client';
import { joinAs, logLines, sendText, useBrowserAndServer, waitForLogLine } from '../support/browser';

/*
 * Private dialogs with someone who is offline, in the browser with the real server
 * (issue 13 §2, §6): a dialog stays in the sidebar (marked offline) and can be written
 * to, the line waiting for its peer's lasting identity to come back; it is shown again
 * after a reload, found by the user id; and it pages older lines on scroll to the top.
 */

// A dialog long enough to page: 60 lines sent at once.
const fixture = useBrowserAndServer({ rateBurst: 100, ratePerSecond: 100 });

const sidebar = (page: Page) => page.getByRole('navigation', { name: 'Conversations' });

const isPrivate = (text: string) => (m: ServerMessage): m is PrivateMessage => m.action === 'PrivateMessage' && m.text === text;

describe('a private dialog with someone offline', () => {
  it('stays open and writable when its peer leaves: the line waits and reaches them when they are back', async () => {
    const secret = newIdentitySecret();
    const url = chatUrl(fixture.server.port, { userName: 'Bob', identity: secret });
    const bob = await ChatClient.connect(url);
    let back: ChatClient | undefined;
    try {
      const { page } = await fixture.open(`http://127.0.0.1:${fixture.server.port}/`);
      await joinAs(page, 'Anna');
      const anna = (await bob.waitFor((m) => m.action === 'Connected' && m.userName === 'Anna')) as Extract<ServerMessage, { action: 'Connected' }>;
      bob.say('hello Anna', anna.userId);
      await sidebar(page).getByRole('button', { name: 'Bob', exact: true }).click();
      await expect.poll(() => page.getByRole('heading', { name: 'Private dialog with Bob' }).isVisible(), { timeout: 10_000 }).toBe(true);
      await waitForLogLine(page, /^> Bob: hello Anna$/);

      await bob.close();
      await expect.poll(() => sidebar(page).getByRole('button', { name: 'Bob, offline' }).isVisible(), { timeout: 10_000 }).toBe(true);
      expect(await page.getByRole('heading', { name: 'Private dialog with Bob' }).isVisible()).toBe(true);
      await sendText(page, 'are you there');
      await waitForLogLine(page, /^< Bob: are you there/);
      await expect.poll(() => page.getByRole('img', { name: 'Bob is offline: they get it when they are back' }).count(), { timeout: 10_000 }).toBe(1);

      back = await ChatClient.connect(url);
      const waited = await back.waitFor(isPrivate('are you there'));
      expect(waited.userId).toBe(anna.userId);
      await expect.poll(() => page.getByRole('img', { name: 'Delivered to Bob' }).count(), { timeout: 10_000 }).toBe(1);
      expect((await logLines(page)).filter((l) => l.includes('are you there') && !l.startsWith('<'))).toEqual([]);
    } finally {
      await bob.close();
      await back?.close();
    }
  }, 60_000);

  it('is shown again after a reload while its peer is offline, found by the lasting user id, with its history', async () => {
    const eve = await ChatClient.connect(chatUrl(fixture.server.port, { userName: 'Eve', identity: newIdentitySecret() }));
    try {
      const { page } = await fixture.open(`http://127.0.0.1:${fixture.server.port}/`);
      await joinAs(page, 'Dana');
      const dana = (await eve.waitFor((m) => m.action === 'Connected' && m.userName === 'Dana')) as Extract<ServerMessage, { action: 'Connected' }>;
      eve.say('hello Dana', dana.userId);
      await sidebar(page).getByRole('button', { name: 'Eve', exact: true }).click();
      await expect.poll(() => page.getByRole('heading', { name: 'Private dialog with Eve' }).isVisible(), { timeout: 10_000 }).toBe(true);
      await sendText(page, 'hello Eve');
      await eve.waitFor(isPrivate('hello Eve'));
      await eve.close();
      await expect.poll(() => sidebar(page).getByRole('button', { name: 'Eve, offline' }).isVisible(), { timeout: 10_000 }).toBe(true);

      await page.reload();
      await page.locator('chat-app').waitFor({ state: 'attached' });
      await expect.poll(() => page.getByRole('heading', { name: 'Private dialog with Eve' }).isVisible(), { timeout: 10_000 }).toBe(true);
      await expect.poll(() => sidebar(page).getByRole('button', { name: 'Eve, offline' }).getAttribute('aria-current'), { timeout: 10_000 }).toBe('page');
      await waitForLogLine(page, /^< Eve: hello Eve$/);
      expect((await logLines(page)).filter((l) => l.includes('hello'))).toEqual(['> Eve: hello Dana', '< Eve: hello Eve']);
      await sendText(page, 'while you were out');
      await expect.poll(() => page.getByRole('img', { name: 'Eve is offline: they get it when they are back' }).count(), { timeout: 10_000 }).toBe(1);
    } finally {
      await eve.close();
    }
  }, 60_000);

  it('pages older lines on scroll to the top, as the lobby and rooms do', async () => {
    const gus = await ChatClient.connect(chatUrl(fixture.server.port, { userName: 'Gus', identity: newIdentitySecret() }));
    try {
      const { page } = await fixture.open(`http://127.0.0.1:${fixture.server.port}/`);
      await joinAs(page, 'Hana');
      const hana = (await gus.waitFor((m) => m.action === 'Connected' && m.userName === 'Hana')) as Extract<ServerMessage, { action: 'Connected' }>;
      for (let i = 1; i <= 60; i++) gus.say(`line ${i}`, hana.userId);
      await gus.waitFor(isPrivate('line 60'));
      await sidebar(page).getByRole('button', { name: /^Gus/ }).click();
      await expect.poll(() => page.getByRole('heading', { name: 'Private dialog with Gus' }).isVisible(), { timeout: 10_000 }).toBe(true);

      // After a reload the dialog has its newest page only.
      await page.reload();
      await page.locator('chat-app').waitFor({ state: 'attached' });
      await expect.poll(() => page.getByRole('heading', { name: 'Private dialog with Gus' }).isVisible(), { timeout: 10_000 }).toBe(true);
      await waitForLogLine(page, /^> Gus: line 60$/);
      const log = page.getByRole('log');
      // The log draws the lines in view only: scrolled to the top, it shows the oldest it has.
      const toTop = () =>
        log.evaluate(async (el) => {
          const frame = () => new Promise((resolve) => requestAnimationFrame(resolve));
          for (const top of [300, 200, 100, 0]) {
            el.scrollTop = top;
            await frame();
          }
        });
      await toTop();
      await waitForLogLine(page, /^> Gus: line 11$/);
      await expect.poll(async () => {
        await toTop();
        return (await logLines(page)).some((l) => l === '> Gus: line 1');
      }, { timeout: 10_000 }).toBe(true);
      await expect.poll(() => log.getByText('The beginning of the history', { exact: true }).count(), { timeout: 10_000 }).toBe(1);
      // In order, none twice.
      const shown = (await logLines(page)).filter((l) => l.startsWith('> Gus: line ')).map((l) => Number(l.slice('> Gus: line '.length)));
      expect(shown).toEqual(Array.from({ length: shown.length }, (_, i) => i + 1));
    } finally {
      await gus.close();
    }
  }, 60_000);
});
