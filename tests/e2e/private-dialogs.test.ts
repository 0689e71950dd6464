import { describe, expect, it } from 'vitest';
import { newIdentitySecret } from '../../src-shared/protocol';
import type { PrivateMessage, ServerMessage } from '../../src-shared/protocol';
import { ChatClient, chatUrl } from '../support/chat-client';
import { joinAs as join, logLines as lines, sendText as send, useBrowserAndServer, waitForLogLine as waitForLine } from '../support/browser';

/*
 * A private dialog in the browser with the real server: the page proves a lasting
 * identity kept in local storage, and after a reload, opening the private mode with
 * the other user brings the dialog's lines back, with the delivered mark on its own.
 */

const fixture = useBrowserAndServer();

const isPrivate = (text: string) => (m: ServerMessage): m is PrivateMessage => m.action === 'PrivateMessage' && m.text === text;

describe('a private dialog in the browser', () => {
  it('is shown again after a reload when the private mode with that user is opened', async () => {
    const bob = await ChatClient.connect(chatUrl(fixture.server.port, { userName: 'Bob', identity: newIdentitySecret() }));
    try {
      const { page } = await fixture.open(`http://127.0.0.1:${fixture.server.port}/`);
      await join(page, 'Anna');
      const secret = await page.evaluate(() => localStorage.getItem('simplechat.identity'));
      expect(secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
      // The settings the UI reads never hold it.
      expect(await page.evaluate(() => localStorage.getItem('simplechat.settings') ?? '')).not.toContain(secret!);
      const anna = await bob.waitFor((m) => m.action === 'Connected' && m.userName === 'Anna');
      bob.say('hello Anna', (anna as Extract<ServerMessage, { action: 'Connected' }>).userId);
      await waitForLine(page, /^> Bob: hello Anna$/);
      await page.getByRole('option', { name: /Bob/ }).dblclick();
      await send(page, 'hello Bob');
      const reply = await bob.waitFor(isPrivate('hello Bob'));
      expect(reply.delivery).toBe('delivered');
      await waitForLine(page, /^< Bob: hello Bob$/);
      await page.getByRole('button', { name: 'Close private mode' }).click();
      for (let i = 1; i <= 3; i++) await send(page, `public ${i}`);
      await bob.waitFor((m) => m.action === 'PublicMessage' && m.text === 'public 3');

      await page.reload();
      await page.locator('chat-app').waitFor({ state: 'attached' });
      await expect.poll(() => page.getByRole('status').innerText(), { timeout: 10_000 }).toBe('Online');
      expect((await lines(page)).filter((l) => l.includes('hello'))).toEqual([]);
      await page.getByRole('option', { name: /Bob/ }).dblclick();
      await waitForLine(page, /^< Bob: hello Bob$/);
      await waitForLine(page, /^> Bob: hello Anna$/);
      const shown = (await lines(page)).filter((l) => l.includes('hello'));
      expect(shown).toEqual(['> Bob: hello Anna', '< Bob: hello Bob']);
      // Its own line is marked delivered (drawn from data-mark, named for assistive technology).
      await expect.poll(() => page.getByRole('img', { name: 'Delivered to Bob' }).count()).toBe(1);
      expect(await page.getByRole('img', { name: 'Delivered to Bob' }).getAttribute('data-mark')).toBe('✓');
    } finally {
      await bob.close();
    }
  }, 60_000);
});
