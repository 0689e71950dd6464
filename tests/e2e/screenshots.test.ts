import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { expect, it } from 'vitest';
import { startChatServer } from '../../src-main/server';
import { ChatClient, chatUrl } from '../support/chat-client';
import { REPO_ROOT, WEB_ROOT, launchBrowser, openPage } from '../support/browser';

/*
 * The README's pictures: `SCREENSHOTS=1 npx vitest run tests/e2e/screenshots.test.ts`
 * writes docs/screenshots/*.png from a real server, a browser user and native users.
 */

const OUT = join(REPO_ROOT, 'docs', 'screenshots');

async function lastLine(page: Page, pattern: RegExp): Promise<void> {
  await expect.poll(async () => (await page.getByRole('log').locator('.line').allInnerTexts()).some((l) => pattern.test(l)), { timeout: 10_000 }).toBe(true);
}

it.skipIf(!process.env.SCREENSHOTS)('takes the README screenshots', async () => {
  mkdirSync(OUT, { recursive: true });
  const browser = await launchBrowser();
  let server: Awaited<ReturnType<typeof startChatServer>> | undefined;
  const others: ChatClient[] = [];
  try {
    for (const language of ['en', 'ru'] as const) {
      // A room of its own per language: the history on join would bring the other language's lines.
      await server?.close();
      server = await startChatServer({ host: '127.0.0.1', port: 0, webRoot: WEB_ROOT });
      const { page, context } = await openPage(browser, `http://127.0.0.1:${server.port}/`, {
        locale: language === 'ru' ? 'ru-RU' : 'en-US',
        viewport: { width: 860, height: 520 },
      });
      const me = language === 'ru' ? 'Тестер' : 'Tester';
      const dialog = page.getByRole('dialog');
      await dialog.getByRole('textbox', { name: language === 'ru' ? 'Имя пользователя' : 'Nickname', exact: true }).fill(me);
      await dialog.getByRole('radio', { name: 'Blue', exact: true }).click();
      await dialog.getByRole('combobox', { name: language === 'ru' ? 'Пол' : 'Gender' }).selectOption('1');
      await page.mouse.move(0, 0);
      await page.screenshot({ path: join(OUT, `connect-dialog-${language}.png`) });
      await dialog.getByRole('textbox', { name: language === 'ru' ? 'Имя пользователя' : 'Nickname', exact: true }).press('Enter');
      await expect.poll(() => page.locator('message-input textarea').isEnabled(), { timeout: 10_000 }).toBe(true);

      const names = language === 'ru' ? ['Аня', 'Боб', 'Вася'] : ['Alice', 'Bob', 'Vasya'];
      const [anya, bob, vasya] = [
        await ChatClient.connect(chatUrl(server.port, { userName: names[0], userColor: '#8e44ad', gender: 2 })),
        await ChatClient.connect(chatUrl(server.port, { userName: names[1], userColor: '#27ae60', gender: 1 })),
        await ChatClient.connect(chatUrl(server.port, { userName: names[2], userColor: '#f39c12', gender: 0 })),
      ];
      others.push(anya!, bob!, vasya!);
      const ru = language === 'ru';
      anya!.say(ru ? `{${me}}, привет! Как дела?` : `{${me}}, hi! How are you?`);
      await lastLine(page, new RegExp(`${names[0]}: `));
      bob!.say(ru ? `{${names[0]}} и {${names[2]}}, смотрите <b>x</b>` : `{${names[0]}} and {${names[2]}}, look: <b>x</b>`);
      bob!.say(ru ? 'это приватно' : 'this is private', anya!.authorized.users.find((u) => u.userName === me)!.userId);
      await lastLine(page, /\] > /);
      await vasya!.close();
      await lastLine(page, new RegExp(`${names[2]} `));
      const input = page.getByRole('textbox', { name: ru ? 'Сообщение' : 'Message' });
      const log = page.getByRole('log');
      // A reply to Bob's line (from its hover toolbar), then fixed by Up: a quote and "(edited)".
      const bobsLine = log.locator('.line.chat', { hasText: ru ? 'смотрите' : 'look:' });
      await bobsLine.hover();
      await bobsLine.getByRole('button', { name: ru ? 'Ответить' : 'Reply' }).click();
      await page.keyboard.type(ru ? 'скидка 1001 на всё' : 'the meeting is at 2');
      await input.press('Enter');
      await lastLine(page, new RegExp(`${me}: `));
      await expect.poll(() => input.inputValue()).toBe('');
      await input.press('ArrowUp');
      await input.fill(ru ? 'скидка 1002 на всё' : 'the meeting is at 3');
      await input.press('Enter');
      await lastLine(page, ru ? /\(изменено\)$/ : /\(edited\)$/);
      // Anya's line with its toolbar, and a reply to it being written.
      const anyasLine = log.locator('.line.chat', { hasText: ru ? 'Как дела?' : 'How are you?' });
      await anyasLine.hover();
      await anyasLine.getByRole('button', { name: ru ? 'Ответить' : 'Reply' }).click();
      await page.keyboard.type(ru ? 'отлично!' : 'great!');
      await anyasLine.hover();
      await page.screenshot({ path: join(OUT, `reply-${language}.png`) });
      await input.fill('');
      await input.press('Escape');
      await page.getByRole('option', { name: names[1] }).dblclick();
      await page.keyboard.type(ru ? 'ответ лично' : 'a private reply');
      await page.mouse.move(0, 0);
      await page.screenshot({ path: join(OUT, `chat-${language}.png`) });
      // Rooms (issue 13 §6): one shown, another with unread lines and a mention, a dialog; the room's users.
      await input.fill('');
      await page.getByRole('button', { name: ru ? 'Закрыть личный режим' : 'Close private mode' }).click();
      const rooms = ru ? ['Планёрка', 'Кухня'] : ['Standup', 'Kitchen'];
      for (const room of rooms) {
        await page.getByRole('button', { name: ru ? 'Войти в комнату или создать' : 'Join or create a room' }).click();
        const join = page.getByRole('dialog', { name: ru ? 'Войти в комнату или создать' : 'Join or create a room' });
        await join.getByRole('textbox', { name: ru ? 'Название комнаты' : 'Room name' }).fill(room);
        await join.getByRole('button', { name: ru ? 'Войти' : 'Join', exact: true }).click();
        await expect.poll(() => page.getByRole('heading', { name: ru ? `Комната ${room}` : `Room ${room}` }).isVisible(), { timeout: 10_000 }).toBe(true);
      }
      for (const c of [anya!, bob!]) {
        for (const room of rooms) c.send({ action: 'JoinRoom', room });
      }
      await anya!.waitFor((m) => m.action === 'RoomJoined' && m.room === rooms[1]);
      await bob!.waitFor((m) => m.action === 'RoomJoined' && m.room === rooms[1]);
      anya!.send({ action: 'Message', toUserId: 0, room: rooms[0], text: ru ? `{${me}}, ты сегодня ведёшь?` : `{${me}}, are you leading today?` });
      anya!.send({ action: 'Message', toUserId: 0, room: rooms[0], text: ru ? 'начинаем в 10' : 'we start at 10' });
      bob!.send({ action: 'Message', toUserId: 0, room: rooms[1], text: ru ? 'кофе готов' : 'coffee is ready' });
      await lastLine(page, ru ? /кофе готов/ : /coffee is ready/);
      await expect.poll(() => page.getByRole('navigation').getByRole('button', { name: new RegExp(`^${rooms[0]}, ${ru ? 'непрочитанных: 2' : '2 unread'}`) }).isVisible(), { timeout: 10_000 }).toBe(true);
      await page.mouse.move(0, 0);
      await page.screenshot({ path: join(OUT, `rooms-${language}.png`) });
      await page.keyboard.press('Control+k');
      await page.keyboard.type(ru ? 'пла' : 'sta');
      await page.screenshot({ path: join(OUT, `switcher-${language}.png`) });
      await page.keyboard.press('Escape');
      for (const c of others.splice(0)) await c.close();
      await context.close();
    }
  } finally {
    for (const c of others) await c.close();
    await browser.close();
    await server?.close();
  }
}, 60_000);
