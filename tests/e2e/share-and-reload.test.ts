import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { roomUrls } from '../../src-main/app/lan-addresses';
import { startChatServer } from '../../src-main/server';
import type { ServerMessage } from '../../src-shared/protocol';
import { ChatClient, chatUrl } from '../support/chat-client';
import { WEB_ROOT, logLines as lines, joinAs as join, sendText as send, useBrowserAndServer, waitForLogLine as waitForLine } from '../support/browser';

/*
 * The browser client with the real server: a host's share link (`?key=…`) opens a
 * page that has the room key filled in, and a reloaded tab comes back as the same
 * user without asking.
 */

const fixture = useBrowserAndServer();

async function openAt(url: string): Promise<Page> {
  const opened = await fixture.open(url);
  return opened.page;
}

const storedSettings = (page: Page) =>
  page.evaluate(() => JSON.parse(localStorage.getItem('simplechat.settings') ?? 'null') as { roomKeys?: Record<string, string> } | null);

describe('a share link with the room key', () => {
  it('?key=abc fills in the Room key; it is stored only once the user connects with it', async () => {
    const page = await openAt(`http://127.0.0.1:${fixture.server.port}/?key=abc`);
    const dialog = page.getByRole('dialog');
    await expect.poll(() => dialog.isVisible()).toBe(true);
    expect(await dialog.getByRole('textbox', { name: 'Room key' }).inputValue()).toBe('abc');
    // The server and port come from the page's own address, with no field to change them (issue 19 §2).
    expect(await dialog.getByRole('textbox', { name: 'Server', exact: true }).count()).toBe(0);
    // Another setting saved meanwhile does not store the link's key with it.
    await dialog.getByRole('combobox', { name: 'Language' }).selectOption('ru');
    const own = `127.0.0.1:${fixture.server.port}`;
    await expect.poll(async () => (await storedSettings(page))?.roomKeys).toEqual({});
    expect(await dialog.getByRole('textbox', { name: 'Ключ комнаты' }).inputValue()).toBe('abc');
    await dialog.getByRole('textbox', { name: 'Имя пользователя', exact: true }).fill('Ключник');
    await dialog.getByRole('button', { name: 'Войти', exact: true }).click();
    // Stored as the key of the page's own server only.
    await expect.poll(async () => (await storedSettings(page))?.roomKeys).toEqual({ [own]: 'abc' });
  });

  it('the host\'s share URL lets a browser into a room with a key that needs escaping; the bare page is refused', async () => {
    const key = 'a&b #ключ+1';
    const keyed = await startChatServer({ host: '127.0.0.1', port: 0, webRoot: WEB_ROOT, roomKey: key });
    try {
      const [shareUrl] = roomUrls(['127.0.0.1'], keyed.port, key).webUrls;
      const guest = await openAt(shareUrl!);
      expect(await guest.getByRole('dialog').getByRole('textbox', { name: 'Room key' }).inputValue()).toBe(key);
      await join(guest, 'Invited');
      expect(await lines(guest)).toContain('Logged in as Invited');
      // The address bar keeps the key: a reload still works.
      expect(guest.url()).toBe(shareUrl);

      const stranger = await openAt(`http://127.0.0.1:${keyed.port}/`);
      const nickname = stranger.getByRole('dialog').getByRole('textbox', { name: 'Nickname', exact: true });
      await nickname.fill('Stranger');
      await nickname.press('Enter');
      // Said in the dialog, which stays (issue 19 §1), not in the log.
      await expect.poll(async () => (await stranger.getByRole('dialog').getByRole('alert').textContent({ timeout: 1_000 }).catch(() => '')) ?? '', { timeout: 10_000 }).toMatch(/key|403/i);
      expect(await stranger.getByRole('textbox', { name: 'Message' }).isEnabled()).toBe(false);
    } finally {
      await keyed.close();
    }
  });
});

describe('reloading the page', () => {
  it('comes back as the same user (name and userId) without the dialog; the others see it leave and come back as itself', async () => {
    const observer = await ChatClient.connect(chatUrl(fixture.server.port, { userName: 'Observer' }));
    try {
      const watcher = await openAt(`http://127.0.0.1:${fixture.server.port}/`);
      await join(watcher, 'Watcher');
      const opened = await fixture.open(`http://127.0.0.1:${fixture.server.port}/`);
      const page = opened.page;
      await join(page, 'Reloader');
      await send(page, 'before the reload');
      const before = await observer.waitFor(
        (m) => m.action === 'PublicMessage' && m.text === 'before the reload',
        5_000,
        'the first message',
      );
      const userId = (before as Extract<ServerMessage, { action: 'PublicMessage' }>).userId;
      await waitForLine(watcher, /^Reloader: before the reload$/);
      // While the page lives its tab holds no session to take: a duplicated tab starts afresh.
      expect(await page.evaluate(() => sessionStorage.length)).toBe(0);

      const observed = observer.mark();
      const watcherLines = (await lines(watcher)).length;
      await page.reload();
      await page.locator('chat-app').waitFor({ state: 'attached' });
      await expect.poll(() => page.getByRole('status').innerText(), { timeout: 10_000 }).toBe('Online');
      expect(await page.getByRole('dialog').isVisible()).toBe(false);
      expect(await lines(page)).toContain('Logged in as Reloader');
      expect(await page.getByRole('option').allInnerTexts()).toEqual(expect.arrayContaining(['Reloader\n(you)', 'Watcher']));
      expect(await page.evaluate(() => sessionStorage.length)).toBe(0);

      await send(page, 'after the reload');
      const after = await observer.waitFor(
        (m) => m.action === 'PublicMessage' && m.text === 'after the reload',
        5_000,
        'the message after the reload',
        observed,
      );
      expect(after).toMatchObject({ userId, userName: 'Reloader' });
      await waitForLine(watcher, /^Reloader: after the reload$/);

      // A reload's 1001 cannot be told from a closed tab's, which the others are told of at once
      // (issue 13 §5); the resumed session then comes back as a join, same name and id.
      const presence = observer.messages
        .slice(observed)
        .filter((m) => (m.action === 'Connected' || m.action === 'Disconnected' || m.action === 'ConnectionLost') && m.userId === userId)
        .map((m) => m.action);
      await waitForLine(watcher, /^Reloader joined the chat$/);
      const watcherSaw = (await lines(watcher)).slice(watcherLines).filter((l) => /Reloader (left|joined|lost)/.test(l));
      expect({ presence, watcherSaw }).toEqual({
        presence: ['Disconnected', 'Connected'],
        watcherSaw: ['Reloader left the chat', 'Reloader joined the chat'],
      });
    } finally {
      await observer.close();
    }
  });

  it('after the user\'s own Disconnect, a reload asks again and the name is free', async () => {
    const page = await openAt(`http://127.0.0.1:${fixture.server.port}/`);
    await join(page, 'Leaver');
    await page.getByRole('button', { name: 'Connection…' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Disconnect' }).click();
    await waitForLine(page, /^Disconnected\.$/);
    await page.reload();
    await page.locator('chat-app').waitFor({ state: 'attached' });
    await expect.poll(() => page.getByRole('dialog').isVisible()).toBe(true);
    expect(await page.getByRole('status').innerText()).toBe('Not connected');
    await page.getByRole('dialog').getByRole('button', { name: 'Connect', exact: true }).click();
    await waitForLine(page, /^Logged in as Leaver$/);
  });

  it('ignores a tampered or foreign hand-over in the tab\'s storage, and one for another login', async () => {
    const url = `http://127.0.0.1:${fixture.server.port}/`;
    /** `stored`: the text the tab's storage holds. */
    const handOver = (stored: string, settings?: unknown) => `(() => {
      if (sessionStorage.getItem('seeded')) return;
      sessionStorage.setItem('seeded', '1');
      sessionStorage.setItem('simplechat.session', ${JSON.stringify(stored)});
      ${settings === undefined ? '' : `localStorage.setItem('simplechat.settings', ${JSON.stringify(JSON.stringify(settings))});`}
    })();`;
    const request = { server: '127.0.0.1', port: fixture.server.port, userName: 'Someone', userColor: '#16a085', gender: 0 };
    const cases = [
      handOver('{"request": not json'),
      handOver(JSON.stringify({ request, resume: { sessionToken: 'x', self: { userId: -1, userName: 'Someone', gender: 0, userColor: '#16a085' } } })),
      // A valid hand-over, but the settings (changed in another tab) ask for another name.
      handOver(
        JSON.stringify({ request, resume: { sessionToken: 'x', self: { userId: 1, userName: 'Someone', gender: 0, userColor: '#16a085' } } }),
        { ...request, userName: 'Renamed' },
      ),
    ];
    for (const initScript of cases) {
      const opened = await fixture.open(url, { initScript });
      await expect.poll(() => opened.page.getByRole('dialog').isVisible()).toBe(true);
      expect(await opened.page.getByRole('status').innerText()).toBe('Not connected');
      expect(await opened.page.evaluate(() => sessionStorage.getItem('simplechat.session'))).toBeNull();
    }
  });
});

describe('closing the tab', () => {
  it('is told to the others at once (Disconnected within a second), not after the presence grace', async () => {
    const observer = await ChatClient.connect(chatUrl(fixture.server.port, { userName: 'Observer' }));
    try {
      const opened = await fixture.open(`http://127.0.0.1:${fixture.server.port}/`);
      await join(opened.page, 'Closer');
      await send(opened.page, 'about to close');
      const said = await observer.waitFor((m) => m.action === 'PublicMessage' && m.text === 'about to close', 5_000, 'the line');
      const userId = (said as Extract<ServerMessage, { action: 'PublicMessage' }>).userId;
      const mark = observer.mark();
      fixture.pages.splice(fixture.pages.indexOf(opened), 1);
      const at = performance.now();
      await opened.context.close();
      const left = await observer.waitFor(
        (m) => (m.action === 'Disconnected' || m.action === 'ConnectionLost') && m.userId === userId,
        10_000,
        'the closed tab to be gone',
        mark,
      );
      expect(left.action).toBe('Disconnected');
      expect(performance.now() - at).toBeLessThan(1000);
    } finally {
      await observer.close();
    }
  });
});
