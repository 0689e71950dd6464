import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { newIdentitySecret } from '../../src-shared/protocol';
import type { ServerMessage } from '../../src-shared/protocol';
import { ChatClient, chatUrl } from '../support/chat-client';
import { joinAs, logLines, sendText, useBrowserAndServer, waitForLogLine } from '../support/browser';

/*
 * Rooms and dialogs in the browser with the real server (issue 13 §6): join a room
 * from the sidebar, talk in it, switch, unread counts, Ctrl+K; a page that stays in
 * the lobby never shows a room's line; and a dialog shown before a reload is shown
 * again after it, with its history.
 */

const fixture = useBrowserAndServer();

const sidebar = (page: Page) => page.getByRole('navigation', { name: 'Conversations' });

async function joinRoom(page: Page, room: string): Promise<void> {
  await sidebar(page).getByRole('button', { name: 'Join or create a room' }).click();
  const dialog = page.getByRole('dialog', { name: 'Join or create a room' });
  await dialog.getByRole('textbox', { name: 'Room name' }).fill(room);
  await dialog.getByRole('button', { name: 'Join', exact: true }).click();
  await expect.poll(() => page.getByRole('heading', { name: `Room ${room}` }).isVisible(), { timeout: 10_000 }).toBe(true);
}

describe('rooms and dialogs in the browser', () => {
  it('joins a room, talks in it, counts its unread lines while the lobby is shown, switches with Ctrl+K; a lobby-only page never sees its lines', async () => {
    const bob = await ChatClient.connect(chatUrl(fixture.server.port, { userName: 'Bob' }));
    try {
      const { page: anna } = await fixture.open(`http://127.0.0.1:${fixture.server.port}/`);
      const { page: cy } = await fixture.open(`http://127.0.0.1:${fixture.server.port}/`);
      await joinAs(anna, 'Anna');
      await joinAs(cy, 'Cy');
      await joinRoom(anna, 'Ops');
      bob.send({ action: 'JoinRoom', room: 'ops' });
      await bob.waitFor((m) => m.action === 'RoomJoined');
      // Bob is listed among the room's users; Cy, in the lobby only, is not.
      await expect.poll(() => anna.getByRole('listbox', { name: 'Users' }).getByRole('option').allInnerTexts()).toEqual([expect.stringContaining('Anna'), expect.stringContaining('Bob')]);
      bob.send({ action: 'Message', text: 'room hello', toUserId: 0, room: 'Ops' });
      await waitForLogLine(anna, /^Bob: room hello$/);
      await sendText(anna, 'room reply');
      const reply = await bob.waitFor((m) => m.action === 'PublicMessage' && m.text === 'room reply');
      expect((reply as Extract<ServerMessage, { action: 'PublicMessage' }>).room).toBe('Ops');

      await sidebar(anna).getByRole('button', { name: 'Lobby' }).click();
      bob.send({ action: 'Message', text: 'while away 1', toUserId: 0, room: 'Ops' });
      bob.send({ action: 'Message', text: 'while away 2', toUserId: 0, room: 'Ops' });
      bob.say('in the lobby');
      await waitForLogLine(anna, /^Bob: in the lobby$/);
      await expect.poll(() => sidebar(anna).getByRole('button', { name: 'Ops, 2 unread' }).isVisible(), { timeout: 10_000 }).toBe(true);
      expect((await logLines(anna)).some((l) => l.includes('while away'))).toBe(false);

      await anna.keyboard.press('Control+k');
      const switcher = anna.getByRole('dialog', { name: 'Go to a room or dialog' });
      await switcher.getByRole('combobox').fill('ops');
      await switcher.getByRole('combobox').press('Enter');
      await waitForLogLine(anna, /^Bob: while away 2$/);
      expect(await sidebar(anna).getByRole('button', { name: 'Ops', exact: true }).getAttribute('aria-current')).toBe('page');

      await waitForLogLine(cy, /^Bob: in the lobby$/);
      expect((await logLines(cy)).filter((l) => /room hello|room reply|while away/.test(l))).toEqual([]);
      expect(await sidebar(cy).getByRole('button', { name: /^Ops/ }).count()).toBe(0);
    } finally {
      await bob.close();
    }
  }, 60_000);

  it('shows the dialog shown before a reload again after it, with its history', async () => {
    const eve = await ChatClient.connect(chatUrl(fixture.server.port, { userName: 'Eve', identity: newIdentitySecret() }));
    try {
      const { page } = await fixture.open(`http://127.0.0.1:${fixture.server.port}/`);
      await joinAs(page, 'Dana');
      const dana = await eve.waitFor((m) => m.action === 'Connected' && m.userName === 'Dana');
      eve.say('hello Dana', (dana as Extract<ServerMessage, { action: 'Connected' }>).userId);
      await expect.poll(() => sidebar(page).getByRole('button', { name: 'Eve', exact: true }).isVisible(), { timeout: 10_000 }).toBe(true);
      await sidebar(page).getByRole('button', { name: 'Eve', exact: true }).click();
      await expect.poll(() => page.getByRole('heading', { name: 'Private dialog with Eve' }).isVisible()).toBe(true);
      await sendText(page, 'hello Eve');
      await eve.waitFor((m) => m.action === 'PrivateMessage' && m.text === 'hello Eve');
      await waitForLogLine(page, /^< Eve: hello Eve$/);

      await page.reload();
      await page.locator('chat-app').waitFor({ state: 'attached' });
      await expect.poll(() => page.getByRole('heading', { name: 'Private dialog with Eve' }).isVisible(), { timeout: 10_000 }).toBe(true);
      await waitForLogLine(page, /^< Eve: hello Eve$/);
      expect((await logLines(page)).filter((l) => l.includes('hello'))).toEqual(['> Eve: hello Dana', '< Eve: hello Eve']);
    } finally {
      await eve.close();
    }
  }, 60_000);
});
