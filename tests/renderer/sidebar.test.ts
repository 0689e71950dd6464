import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { fakeBridgeScript, logLines, useBrowserAndServer } from '../support/browser';
import { ANYA, BOB, ME, calls, logIn, message, waitForCalls } from './support';

/*
 * Issue 13 §6 in the renderer, with the bridge stood in: the sidebar's rooms and
 * dialogs, unread counts and the mention marker, the join dialog, the quick switcher
 * and Alt+Up/Down, and the phone layout.
 */

const fixture = useBrowserAndServer();

async function open(settings: Record<string, unknown> = {}, viewport?: { width: number; height: number }): Promise<Page> {
  const opened = await fixture.open(`http://127.0.0.1:${fixture.server.port}/`, {
    initScript: fakeBridgeScript(settings),
    ...(viewport === undefined ? {} : { viewport }),
  });
  return opened.page;
}

const sidebar = (page: Page) => page.getByRole('navigation', { name: 'Conversations' });
const joined = (room: string, users = [ME, ANYA]) => ({ action: 'RoomJoined', room, users, locked: false });

describe('the sidebar', () => {
  it('joins a room from the dialog (the server\'s list to pick from), shows it, and sends its lines to it', async () => {
    const page = await open();
    await logIn(page, ME, [ANYA]);
    await sidebar(page).getByRole('button', { name: 'Join or create a room' }).click();
    await waitForCalls(page, 'listRooms');
    await message(page, { action: 'RoomList', rooms: [{ room: 'Ops', users: 2, locked: true }, { room: 'Dev', users: 0, locked: false }] });
    const dialog = page.getByRole('dialog', { name: 'Join or create a room' });
    await dialog.getByRole('button', { name: 'Ops, 2 online, locked' }).click();
    expect(await dialog.getByRole('textbox', { name: 'Room name' }).inputValue()).toBe('Ops');
    await dialog.getByLabel('Room key').fill('sekret');
    await dialog.getByRole('button', { name: 'Join', exact: true }).click();
    const [join] = await waitForCalls(page, 'joinRoom');
    expect(join!.args[0]).toEqual({ room: 'Ops', key: 'sekret' });
    await message(page, { ...joined('Ops'), locked: true });
    await message(page, { action: 'History', room: 'Ops', messages: [{ action: 'PublicMessage', ...ANYA, room: 'Ops', text: 'room history', messageId: 5 }], hasMore: false });
    await expect.poll(() => page.getByRole('heading', { name: 'Room Ops' }).isVisible()).toBe(true);
    expect(await sidebar(page).getByRole('button', { name: 'Ops, locked' }).getAttribute('aria-current')).toBe('page');
    await expect.poll(() => logLines(page)).toContain('Аня: room history');
    await message(page, { action: 'RoomMemberJoined', room: 'Ops', ...BOB });
    await expect.poll(() => logLines(page)).toContain('Bob joined the room');
    await message(page, { action: 'RoomMemberLeft', room: 'Ops', ...BOB });
    await expect.poll(() => logLines(page)).toContain('Bob left the room');
    // The room's users are listed, not the lobby's.
    await message(page, { action: 'Connected', ...BOB });
    expect(await page.getByRole('listbox', { name: 'Users' }).getByRole('option').allInnerTexts()).toEqual([expect.stringContaining('Tester'), expect.stringContaining('Аня')]);
    expect(await page.getByText('Send to the room Ops').isVisible()).toBe(true);
    const input = page.getByRole('textbox', { name: 'Message' });
    await input.fill('hello room');
    await input.press('Enter');
    const [send] = await waitForCalls(page, 'send');
    expect(send!.args[0]).toEqual({ text: 'hello room', toUserId: 0, room: 'Ops' });
  });

  it('counts unread lines per room, marks a mention, never shows a room\'s line in the lobby, and clears the count when shown', async () => {
    const page = await open();
    await logIn(page, ME, [ANYA]);
    await message(page, joined('Ops'));
    await message(page, { action: 'PublicMessage', ...ANYA, room: 'Ops', text: 'one', messageId: 10 });
    await message(page, { action: 'PublicMessage', ...ANYA, room: 'Ops', text: 'hi <b>Tester</b>', messageId: 11 });
    const ops = sidebar(page).getByRole('button', { name: 'Ops, 2 unread, mentions you' });
    await expect.poll(() => ops.isVisible()).toBe(true);
    expect((await logLines(page)).some((l) => l.includes('one') || l.includes('hi Tester'))).toBe(false);
    // The mention asked for attention, naming the room.
    const [attention] = await waitForCalls(page, 'requestAttention');
    expect(attention!.args[0]).toMatchObject({ kind: 'mention', from: 'Аня · # Ops' });
    await ops.click();
    await expect.poll(() => logLines(page)).toEqual(expect.arrayContaining(['Аня: one', 'Аня: hi Tester']));
    expect(await sidebar(page).getByRole('button', { name: 'Ops', exact: true }).getAttribute('aria-current')).toBe('page');
    // A lobby line while the room is shown: the lobby's count.
    await message(page, { action: 'PublicMessage', ...BOB, text: 'lobby line', messageId: 12 });
    await expect.poll(() => sidebar(page).getByRole('button', { name: 'Lobby, 1 unread' }).isVisible()).toBe(true);
    expect((await logLines(page)).some((l) => l.includes('lobby line'))).toBe(false);
  });

  it('lists private dialogs with their unread counts; a dialog shows its lines and closes', async () => {
    const page = await open();
    await logIn(page, ME, [ANYA, BOB]);
    await message(page, joined('Ops'));
    await sidebar(page).getByRole('button', { name: 'Ops', exact: true }).click();
    await message(page, { action: 'PrivateMessage', ...ANYA, toUserId: ME.userId, text: 'psst', messageId: 20 });
    const dialog = sidebar(page).getByRole('button', { name: 'Аня, 1 unread' });
    await expect.poll(() => dialog.isVisible()).toBe(true);
    await dialog.click();
    await expect.poll(() => page.getByRole('heading', { name: 'Private dialog with Аня' }).isVisible()).toBe(true);
    const [load] = await waitForCalls(page, 'loadDialog');
    expect(load!.args[0]).toMatchObject({ withUserId: ANYA.userId });
    await expect.poll(async () => (await logLines(page)).some((l) => l.includes('psst'))).toBe(true);
    // The dialog's header buzzes its peer.
    await page.getByRole('button', { name: 'Buzz Аня' }).click();
    const [buzz] = await waitForCalls(page, 'buzz');
    expect(buzz!.args[0]).toEqual({ toUserId: ANYA.userId });
    const input = page.getByRole('textbox', { name: 'Message' });
    await input.fill('back at you');
    await input.press('Enter');
    const [send] = await waitForCalls(page, 'send');
    expect(send!.args[0]).toEqual({ text: 'back at you', toUserId: ANYA.userId });
    await sidebar(page).getByRole('button', { name: 'Close the dialog with Аня' }).click();
    await expect.poll(() => sidebar(page).getByRole('button', { name: /^Аня/ }).count()).toBe(0);
    expect(await sidebar(page).getByRole('button', { name: 'Lobby' }).getAttribute('aria-current')).toBe('page');
  });

  it('a dialog whose peer left (no lasting login) sends nothing: the line does not go to the lobby instead', async () => {
    const page = await open();
    await logIn(page, ME, [ANYA, BOB]);
    await message(page, { action: 'PrivateMessage', ...ANYA, toUserId: ME.userId, text: 'psst', messageId: 20 });
    await sidebar(page).getByRole('button', { name: /^Аня/ }).click();
    await expect.poll(() => page.getByRole('heading', { name: 'Private dialog with Аня' }).isVisible()).toBe(true);
    await message(page, { action: 'Disconnected', ...ANYA });
    const input = page.getByRole('textbox', { name: 'Message' });
    await input.fill('still there?');
    await input.press('Enter');
    await expect.poll(async () => (await logLines(page)).some((l) => l.includes('Not sent: Аня has left the chat'))).toBe(true);
    expect(await calls(page, 'send')).toEqual([]);
  });

  it('switches with Ctrl+K (typing filters, Enter goes) and Alt+Up/Down, and leaves a room', async () => {
    const page = await open();
    await logIn(page, ME, [ANYA]);
    await message(page, joined('Ops'));
    await message(page, joined('Dev'));
    await page.keyboard.press('Control+k');
    const switcher = page.getByRole('dialog', { name: 'Go to a room or dialog' });
    await expect.poll(() => switcher.isVisible()).toBe(true);
    await switcher.getByRole('combobox').fill('de');
    expect(await switcher.getByRole('option').allInnerTexts()).toEqual(['# Dev']);
    await switcher.getByRole('combobox').press('Enter');
    await expect.poll(() => page.getByRole('heading', { name: 'Room Dev' }).isVisible()).toBe(true);
    expect(await switcher.isVisible()).toBe(false);
    await page.keyboard.press('Alt+ArrowUp');
    await expect.poll(() => page.getByRole('heading', { name: 'Room Ops' }).isVisible()).toBe(true);
    await page.keyboard.press('Alt+ArrowUp');
    await expect.poll(() => page.getByRole('heading', { name: /^Room / }).count()).toBe(0);
    expect(await sidebar(page).getByRole('button', { name: 'Lobby' }).getAttribute('aria-current')).toBe('page');
    await page.keyboard.press('Alt+ArrowDown');
    await expect.poll(() => page.getByRole('heading', { name: 'Room Ops' }).isVisible()).toBe(true);
    // The choice is remembered for this server.
    const saves = await calls(page, 'saveSettings');
    expect(saves.at(-1)!.args[0]).toEqual({ conversations: { 'ws://127.0.0.1:27800/': 'room:Ops' } });
    await sidebar(page).getByRole('button', { name: 'Leave Ops' }).click();
    const [leave] = await waitForCalls(page, 'leaveRoom');
    expect(leave!.args[0]).toEqual({ room: 'Ops' });
    await message(page, { action: 'RoomLeft', room: 'Ops' });
    await expect.poll(() => sidebar(page).getByRole('button', { name: 'Ops', exact: true }).count()).toBe(0);
    expect(await sidebar(page).getByRole('button', { name: 'Lobby' }).getAttribute('aria-current')).toBe('page');
  });

  it('shows each conversation from its newest line when switching, however long the other log is', async () => {
    const page = await open();
    await logIn(page, ME, [ANYA]);
    await message(page, joined('Ops'));
    for (let i = 1; i <= 80; i++) await message(page, { action: 'PublicMessage', ...ANYA, text: `lobby ${i}`, messageId: i });
    await message(page, { action: 'PublicMessage', ...ANYA, room: 'Ops', text: 'the only room line', messageId: 100 });
    const inView = (text: string) =>
      page.getByRole('log').locator('.line', { hasText: text }).evaluate((line) => {
        const box = line.getBoundingClientRect();
        const log = line.closest('[role="log"]')!.getBoundingClientRect();
        return box.top >= log.top - 1 && box.bottom <= log.bottom + 1;
      });
    await expect.poll(() => inView('lobby 80')).toBe(true);
    await sidebar(page).getByRole('button', { name: /^Ops/ }).click();
    await expect.poll(() => inView('the only room line')).toBe(true);
    await sidebar(page).getByRole('button', { name: 'Lobby' }).click();
    await expect.poll(() => inView('lobby 80')).toBe(true);
  });

  it('goes back to the room last shown on this server after the login', async () => {
    const page = await open({ conversations: { 'ws://127.0.0.1:27800/': 'room:Ops' } });
    await logIn(page, ME, [ANYA]);
    const [join] = await waitForCalls(page, 'joinRoom');
    expect(join!.args[0]).toEqual({ room: 'Ops' });
    await message(page, joined('Ops'));
    await expect.poll(() => page.getByRole('heading', { name: 'Room Ops' }).isVisible()).toBe(true);
  });

  it('names every control in Russian too', async () => {
    const page = await open({ language: 'ru' });
    await logIn(page, ME, [ANYA], 'Войти');
    await message(page, joined('Ops'));
    const nav = page.getByRole('navigation', { name: 'Разговоры' });
    await expect.poll(() => nav.getByRole('button', { name: 'Выйти из комнаты Ops' }).isVisible()).toBe(true);
    await nav.getByRole('button', { name: 'Войти в комнату или создать' }).click();
    await expect.poll(() => page.getByRole('dialog', { name: 'Войти в комнату или создать' }).getByRole('textbox', { name: 'Название комнаты' }).isVisible()).toBe(true);
  });

  it('collapses on a phone: the sidebar goes with the people, behind their button', async () => {
    const page = await open({}, { width: 360, height: 640 });
    await logIn(page, ME, [ANYA]);
    await message(page, joined('Ops'));
    expect(await sidebar(page).isVisible()).toBe(false);
    await page.getByRole('button', { name: /^People/ }).click();
    await expect.poll(() => sidebar(page).isVisible()).toBe(true);
    await sidebar(page).getByRole('button', { name: 'Ops', exact: true }).click();
    await expect.poll(() => page.getByRole('heading', { name: 'Room Ops' }).isVisible()).toBe(true);
    expect(await sidebar(page).isVisible()).toBe(false);
  });
});
