import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { startChatServer } from '../../src-main/server';
import type { ChatServer } from '../../src-main/server';
import type { ServerMessage } from '../../src-shared/protocol';
import { createWebHandler } from '../../src-main/server/static-files';
import { ChatClient, chatUrl } from '../support/chat-client';
import { WEB_ROOT, findInjected, logLines as lines, joinAs as join, sendText as send, useBrowserAndServer, waitForLogLine as waitForLine } from '../support/browser';
import type { OpenPageOptions } from '../support/browser';

/*
 * The browser client end to end: the real server serves the UI over HTTP and the
 * page talks to it through the browser bridge (the shared session over the
 * browser's WebSocket). Two browser users, a native `ws` user where a test needs
 * one, and a hostile server that sends raw markup.
 */

/**
 * While the server is down on purpose, Chromium sometimes reports a refused reconnect
 * as a bare "Failed to load resource" (no URL in the message) rather than as a
 * WebSocket failure; the failed request itself is still checked by URL.
 */
const SERVER_DOWN_CONSOLE = 'Failed to load resource: net::ERR_CONNECTION_REFUSED';

/**
 * A tab whose connection dropped without a close frame is "away" for the server's
 * presence grace before the others are told it left (a closed tab's 1001 is told at
 * once). Short here, so a test of someone leaving need not wait out the default 5 s.
 */
const PRESENCE_GRACE_MS = 300;

const fixture = useBrowserAndServer({ presenceGraceMs: PRESENCE_GRACE_MS });

async function openChat(port: number, locale = 'en-US', options: OpenPageOptions = {}): Promise<Page> {
  const opened = await fixture.open(`http://127.0.0.1:${port}/`, { locale, ...options });
  return opened.page;
}

describe('two browser users through a real server', () => {
  it('join with the page’s own server by default, see each other, and chat', async () => {
    const alice = await openChat(fixture.server.port);
    const dialog = alice.getByRole('dialog');
    await expect.poll(() => dialog.isVisible()).toBe(true);
    // A guest of the room that served the page (issue 19 §2): no server to choose, nothing to host.
    expect(await dialog.getByRole('textbox', { name: 'Server', exact: true }).count()).toBe(0);
    expect(await dialog.getByRole('textbox', { name: 'Port', exact: true }).count()).toBe(0);
    expect(await dialog.getByRole('checkbox', { name: 'Host a room' }).count()).toBe(0);
    await join(alice, 'Alice');
    const bob = await openChat(fixture.server.port);
    await join(bob, 'Bob');

    await waitForLine(alice, /^Bob joined the chat$/);
    expect(await lines(alice)).toEqual(
      expect.arrayContaining([`Connecting to 127.0.0.1:${fixture.server.port}…`, 'Connected!', 'Logged in as Alice']),
    );
    expect(await bob.getByRole('option').allInnerTexts()).toEqual(['Alice', 'Bob\n(you)']);

    // Bob mentions Alice by clicking her name; Alice's line is highlighted and only the echo shows it to Bob.
    await bob.getByRole('option', { name: 'Alice' }).click();
    await bob.getByRole('textbox', { name: 'Message' }).press('End');
    await bob.keyboard.type('hi there');
    await bob.getByRole('textbox', { name: 'Message' }).press('Enter');
    await waitForLine(alice, /^Bob: Alice, hi there$/);
    await waitForLine(bob, /^Bob: Alice, hi there$/);
    const highlighted = alice.getByRole('log').locator('.chat.mention');
    expect(await highlighted.count()).toBe(1);
    expect(await highlighted.locator('b').innerText()).toBe('Alice');

    await send(alice, 'hello Bob, <b>not bold</b> & {Bob}');
    await waitForLine(bob, /^Alice: hello Bob, <b>not bold<\/b> & Bob$/);
    expect(await bob.getByRole('log').locator('.chat.mention').count()).toBe(1);
  });

  // Names differ per test: the server keeps a leaver's name for its resumable session.
  it('private mode: only the two see it, and it ends when the other leaves', async () => {
    const ann = await openChat(fixture.server.port);
    await join(ann, 'Ann');
    const ben = await openChat(fixture.server.port);
    await join(ben, 'Ben');
    const cleo = await openChat(fixture.server.port);
    await join(cleo, 'Cleo');

    await ann.getByRole('option', { name: 'Ben' }).dblclick();
    await expect.poll(() => ann.getByText('To Ben').isVisible()).toBe(true);
    await send(ann, 'just for you');
    await waitForLine(ben, /^> Ann: just for you$/);
    await waitForLine(ann, /^< Ben: just for you$/);
    await send(cleo, 'public line');
    await waitForLine(ann, /^Cleo: public line$/);
    expect((await lines(cleo)).some((l) => l.includes('just for you'))).toBe(false);

    // Ben closes his window: Ann's private mode ends by itself.
    const benIndex = fixture.pages.findIndex((p) => p.page === ben);
    await fixture.pages.splice(benIndex, 1)[0]!.context.close();
    await waitForLine(ann, /^Ben left the chat$/);
    await expect.poll(() => ann.getByText('Send to everyone').isVisible()).toBe(true);
    await send(ann, 'back to everyone');
    await waitForLine(cleo, /^Ann: back to everyone$/);
  });

  it('shows what a native client sends with markup as text, never as elements', async () => {
    const page = await openChat(fixture.server.port);
    await join(page, 'Viewer');
    const hostile = await ChatClient.connect(
      chatUrl(fixture.server.port, { userName: '<img src=x onerror=window.__pwned=1>', userColor: "red'><script>window.__pwned=2</script>" }),
    );
    try {
      hostile.say('<img src=x onerror="window.__pwned=3"> {<script>window.__pwned=4</script>}');
      await waitForLine(page, /window\.__pwned=3/);
      const { elements, flag } = await findInjected(page);
      expect(elements).toEqual([]);
      expect(flag).toBeUndefined();
      const last = (await lines(page)).at(-1)!;
      expect(last).toContain('<img src=x onerror="window.__pwned=3">');
      expect(await page.getByRole('log').locator('.chat b').last().innerText()).toBe('<script>window.__pwned=4</script>');
    } finally {
      await hostile.close();
    }
  });

  it('survives a server restart: the log says so, the UI reconnects, the log is kept', async () => {
    const restartable = await startChatServer({ host: '127.0.0.1', port: 0, webRoot: WEB_ROOT });
    const port = restartable.port;
    let again: ChatServer | undefined;
    try {
      const page = await openChat(port);
      await join(page, 'Stayer');
      await send(page, 'said before the restart');
      await waitForLine(page, /^Stayer: said before the restart$/);

      // While the server is down the browser logs its refused reconnects; that is expected here.
      // So is a refused favicon: Chromium fetches it whenever it gets round to it, on a busy machine during the downtime.
      fixture.tolerate(
        new RegExp(
          `WebSocket connection to 'ws://127\\.0\\.0\\.1:${port}/.*' failed|ws://127\\.0\\.0\\.1:${port}/|${SERVER_DOWN_CONSOLE}|` +
            `^http://127\\.0\\.0\\.1:${port}/assets/icon\\.svg: net::ERR_CONNECTION_REFUSED$`,
        ),
      );
      await restartable.close();
      await waitForLine(page, /^Connection closed: /);
      // The tries are said in one banner above the log (issue 19 §1).
      await expect.poll(() => page.locator('chat-app .outage').innerText(), { timeout: 10_000 }).toMatch(/Reconnecting/);
      // Logged in before: the input stays open, and what is typed waits for the reconnect.
      const input = page.getByRole('textbox', { name: 'Message' });
      expect(await input.isEnabled()).toBe(true);
      expect(await input.getAttribute('placeholder')).toBe('Offline: messages you write now will be sent on reconnect.');

      again = await startChatServer({ host: '127.0.0.1', port, webRoot: WEB_ROOT });
      await expect.poll(() => page.getByRole('status').innerText(), { timeout: 15_000 }).toBe('Online');
      expect(await input.getAttribute('placeholder')).toBe('Write a message. Click a name to mention someone.');
      const log = await lines(page);
      expect(log).toContain('Stayer: said before the restart');
      expect(log.filter((l) => l === 'Logged in as Stayer')).toHaveLength(2);
      expect(await page.getByRole('dialog').isVisible()).toBe(false);
      await send(page, 'said after');
      await waitForLine(page, /^Stayer: said after$/);
    } finally {
      await again?.close();
      await restartable.close();
    }
  }, 30_000);
});

describe('messages typed while the server is away', () => {
  const pending = (page: Page) => page.getByRole('log').locator('.pending-line');
  const pendingTexts = async (page: Page) =>
    (await pending(page).locator('.content').allInnerTexts()).map((l) => l.replace(/^\[[^\]]*\]\s+/, ''));

  it('wait as pending lines, can be cancelled, and reach the others once, in order, after the reconnect', async () => {
    const first = await startChatServer({ host: '127.0.0.1', port: 0, webRoot: WEB_ROOT });
    const port = first.port;
    let again: ChatServer | undefined;
    let bea: ChatClient | undefined;
    try {
      const page = await openChat(port, 'en-US', { clock: true });
      await join(page, 'Outboxer');
      fixture.tolerate(new RegExp(`WebSocket connection to 'ws://127\\.0\\.0\\.1:${port}/.*' failed|ws://127\\.0\\.0\\.1:${port}/|${SERVER_DOWN_CONSOLE}`));
      await first.close();
      await expect.poll(() => page.locator('chat-app .outage').innerText(), { timeout: 10_000 }).toMatch(/Reconnecting/);

      for (const text of ['one', 'two', 'three {Bea}']) await send(page, text);
      await expect.poll(() => pendingTexts(page)).toEqual(['Outboxer: one', 'Outboxer: two', 'Outboxer: three Bea']);
      expect(await pending(page).locator('.pending-state').allInnerTexts()).toEqual(['— pending', '— pending', '— pending']);
      await page.getByRole('button', { name: 'Cancel pending message' }).nth(1).click();
      await expect.poll(() => pendingTexts(page)).toEqual(['Outboxer: one', 'Outboxer: three Bea']);

      // Hold the page's timers so its reconnect cannot reach the new server before Bea is in to see it.
      // The margin outlasts the round trip on a loaded machine: pausing "in the past" throws.
      // A reconnect try that falls due in it only finds no server yet, and plans another.
      await page.clock.pauseAt((await page.evaluate(() => Date.now())) + 500);
      again = await startChatServer({ host: '127.0.0.1', port, webRoot: WEB_ROOT });
      bea = await ChatClient.connect(chatUrl(port, { userName: 'Bea' }));
      await page.clock.resume();
      // Back online: the bridge tries at once instead of waiting out the backoff.
      await page.evaluate(() => window.dispatchEvent(new Event('online')));

      const fromOutboxer = (m: ServerMessage) => m.action === 'PublicMessage' && m.userName === 'Outboxer';
      await bea.waitFor((m) => fromOutboxer(m) && m.action === 'PublicMessage' && m.text === 'three <b>Bea</b>', 20_000, 'the queued message');
      await expect.poll(() => pending(page).count()).toBe(0);
      // One more, sent live: once it is in, anything sent before it has arrived too.
      await send(page, 'after');
      await bea.waitFor((m) => fromOutboxer(m) && m.action === 'PublicMessage' && m.text === 'after', 5_000, 'the live message');
      expect(bea.all('PublicMessage').filter(fromOutboxer).map((m) => m.text)).toEqual(['one', 'three <b>Bea</b>', 'after']);

      const log = await lines(page);
      expect(log.filter((l) => l === 'Outboxer: one')).toHaveLength(1);
      expect(log.filter((l) => l === 'Outboxer: three Bea')).toHaveLength(1);
      expect(log.some((l) => l.includes('two'))).toBe(false);
      expect(log.indexOf('Outboxer: one')).toBeLessThan(log.indexOf('Outboxer: three Bea'));
    } finally {
      await bea?.close();
      await again?.close();
      await first.close();
    }
  }, 40_000);
});

describe('notifications in a browser', () => {
  /** The user dismisses the prompt: permission stays 'default', the worst case for nagging. */
  const NOTIFICATION_STUB = `(() => {
    const asks = [];
    class StubNotification {}
    StubNotification.permission = 'default';
    StubNotification.requestPermission = () => {
      asks.push({ userActivation: navigator.userActivation.isActive });
      return Promise.resolve('default');
    };
    Object.defineProperty(window, 'Notification', { value: StubNotification, configurable: true, writable: true });
    window.__asks = asks;
  })();`;
  const asks = (page: Page) => page.evaluate(() => (window as unknown as { __asks: unknown[] }).__asks.slice());

  it('asks for permission on the first Connect, inside the click, never at load and never twice', async () => {
    const page = await openChat(fixture.server.port, 'en-US', { initScript: NOTIFICATION_STUB });
    await expect.poll(() => page.getByRole('dialog').isVisible()).toBe(true);
    await page.getByRole('dialog').getByRole('textbox', { name: 'Nickname', exact: true }).fill('Asker');
    expect(await asks(page)).toEqual([]);
    await page.getByRole('button', { name: 'Connect', exact: true }).click();
    await expect.poll(() => page.getByRole('textbox', { name: 'Message' }).isEnabled(), { timeout: 10_000 }).toBe(true);
    expect(await asks(page)).toEqual([{ userActivation: true }]);

    await page.getByRole('button', { name: 'Connection…' }).click();
    await page.getByRole('button', { name: 'Connect', exact: true }).click();
    await waitForLine(page, /^Logged in as Asker$/);
    await expect.poll(async () => (await lines(page)).filter((l) => l === 'Logged in as Asker').length).toBe(2);
    expect(await asks(page)).toHaveLength(1);
  });
});

describe('a hostile server', () => {
  it('cannot inject an element, a style or a script through name, colour or text', async () => {
    const http = createServer(createWebHandler(WEB_ROOT));
    const wss = new WebSocketServer({ server: http });
    const payload = '<img src=x onerror="window.__pwned=1"><style>*{display:none}</style>';
    const colour = `#000' onmouseover='window.__pwned=2' style='background:url(javascript:window.__pwned=3)`;
    const evil = { userId: 2, userName: payload, gender: 2, userColor: colour };
    wss.on('connection', (socket) => {
      const me = { userId: 1, userName: 'Victim', gender: 1, userColor: '#2980b9' };
      const frames = [
        { action: 'Authorized', ...me, users: [me, evil] },
        { action: 'Connected', ...me },
        { action: 'Connected', ...evil },
        // The original server's kind of fault: raw markup where escaped text belongs.
        { action: 'PublicMessage', ...evil, text: `${payload}<b>Victim</b><script>window.__pwned=4</script>` },
        { action: 'PrivateMessage', ...evil, text: '<iframe src="javascript:window.__pwned=5"></iframe>', toUserId: 1 },
        { action: 'Error', code: '<svg onload=window.__pwned=6>', message: '<svg onload=window.__pwned=6>' },
        { action: 'History', messages: [{ ...evil, text: '<a href="javascript:window.__pwned=7">click</a>' }] },
        { action: '<img src=x onerror=window.__pwned=8>' },
      ];
      for (const frame of frames) socket.send(JSON.stringify(frame));
    });
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    const port = (http.address() as AddressInfo).port;
    try {
      const page = await openChat(port);
      await join(page, 'Victim');
      await waitForLine(page, /The server is newer than this app/);
      await waitForLine(page, /window\.__pwned=7/);
      const { elements, flag } = await findInjected(page);
      expect(elements).toEqual([]);
      expect(flag).toBeUndefined();
      const log = (await lines(page)).join('\n');
      expect(log).toContain('<style>*{display:none}</style>');
      expect(log).toContain('<iframe src="javascript:window.__pwned=5"></iframe>');
      // The mention still works (the one markup the protocol has), and the colour fell back to the default.
      expect(await page.getByRole('log').locator('.chat.mention').count()).toBe(1);
      const nick = page.getByRole('option', { name: payload });
      expect(await nick.locator('.name').evaluate((e) => getComputedStyle(e).color)).toBe('rgb(52, 73, 94)');
      // The default, in its light and its dark theme's readable shade.
      expect(await nick.locator('.name').evaluate((e) => e.getAttribute('style'))).toMatch(/^--nick-color: light-dark\(#34495e, #[0-9a-f]{6}\);$/);
    } finally {
      for (const client of wss.clients) client.terminate();
      wss.close();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    }
  });
});
