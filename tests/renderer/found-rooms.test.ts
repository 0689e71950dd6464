import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { fakeBridgeScript, useBrowserAndServer } from '../support/browser';
import { calls, emit, waitForCalls } from './support';

/*
 * Issue 16 §2 and §4 in the connect dialog: rooms found on the network are listed live
 * (name, address, lock, TLS), shown as text only, and choosing one fills the form and
 * never joins by itself. The browser client, which cannot browse, keeps the manual form.
 */

const fixture = useBrowserAndServer();

async function open(settings: Record<string, unknown> = {}): Promise<Page> {
  const opened = await fixture.open(`http://127.0.0.1:${fixture.server.port}/`, { initScript: fakeBridgeScript(settings) });
  return opened.page;
}

const room = (over: Record<string, unknown>) => ({
  id: '192.168.1.7:27800', name: 'Office', host: '192.168.1.7', port: 27800, locked: false, tls: false, webPath: '/', lookAlike: false, ...over,
});
const listed = (page: Page) => page.locator('found-rooms button.room');

describe('rooms found on this network', () => {
  it('appear and disappear live, as text, with their address, lock and TLS marks', async () => {
    const page = await open();
    const dialog = page.getByRole('dialog');
    await expect.poll(() => dialog.getByText('No rooms found on this network yet.').isVisible()).toBe(true);
    const evil = room({ id: '192.168.1.66:9000', name: '<img src=x onerror="window.__pwned=1">', host: '192.168.1.66', port: 9000, locked: true, tls: true, lookAlike: true });
    await emit(page, 'foundRooms', [room({}), evil]);
    await expect.poll(() => listed(page).count()).toBe(2);
    const second = listed(page).nth(1);
    expect(await second.locator('.name').textContent()).toBe('<img src=x onerror="window.__pwned=1">');
    expect(await page.locator('found-rooms img').count()).toBe(0);
    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    expect(await second.locator('.where').textContent()).toBe('192.168.1.66:9000');
    expect(await second.getByRole('img', { name: 'Locked: needs a room key' }).count()).toBe(1);
    expect(await second.locator('.tls').textContent()).toBe('TLS');
    expect(await listed(page).first().locator('.lock').count()).toBe(0);

    await emit(page, 'foundRooms', [evil]);
    await expect.poll(() => listed(page).count()).toBe(1);
    await emit(page, 'foundRooms', []);
    await expect.poll(() => listed(page).count()).toBe(0);
  });

  it('choosing a locked room fills host and port, asks for its key, and joins only on Connect', async () => {
    const page = await open({ server: 'elsewhere.example' });
    await emit(page, 'foundRooms', [room({ locked: true })]);
    await listed(page).first().click();
    const dialog = page.getByRole('dialog');
    expect(await dialog.getByRole('textbox', { name: 'Server', exact: true }).inputValue()).toBe('192.168.1.7');
    expect(await dialog.getByRole('textbox', { name: 'Port', exact: true }).inputValue()).toBe('27800');
    await expect.poll(() => dialog.getByText('This room is locked: enter its key.').isVisible()).toBe(true);
    const key = dialog.getByLabel('Room key', { exact: true });
    await expect.poll(() => key.evaluate((el) => el === (el.getRootNode() as ShadowRoot).activeElement)).toBe(true);
    expect(await calls(page, 'connect')).toHaveLength(0);
    await key.fill('door');
    await dialog.getByRole('button', { name: 'Connect', exact: true }).click();
    const [connect] = await waitForCalls(page, 'connect');
    expect(connect!.args[0]).toMatchObject({ server: '192.168.1.7', port: 27800, roomKey: 'door' });
  });

  it('a found room that does not answer says so when joining; a typed address does not', async () => {
    const page = await open({ server: 'elsewhere.example' });
    await emit(page, 'foundRooms', [room({})]);
    await listed(page).first().click();
    const dialog = page.getByRole('dialog');
    await dialog.getByRole('button', { name: 'Connect', exact: true }).click();
    await waitForCalls(page, 'connect');
    await emit(page, 'status', { state: 'connecting', url: 'ws://192.168.1.7:27800/', attempt: 0 });
    // A first attempt that fails ends there (issue 19 §1), and the dialog never left.
    const failed = { state: 'closed', byUser: false, reason: 'Could not reach the server at ws://192.168.1.7:27800/.', about: 'address' };
    await emit(page, 'status', failed);
    await expect.poll(async () => (await dialog.getByRole('alert').textContent()) ?? '').toContain('The room at 192.168.1.7:27800 was announced on this network but does not answer');

    // Edited by hand, it is an address like any other: the usual reason, no such message.
    await dialog.getByRole('textbox', { name: 'Server', exact: true }).fill('192.168.1.8');
    await dialog.getByRole('button', { name: 'Connect', exact: true }).click();
    await waitForCalls(page, 'connect', 2);
    await emit(page, 'status', { ...failed, reason: 'Could not reach the server at ws://192.168.1.8:27800/.' });
    await expect.poll(async () => (await dialog.getByRole('alert').textContent()) ?? '').toContain('Could not reach the server at ws://192.168.1.8:27800/.');
    expect(await dialog.getByRole('alert').textContent()).not.toContain('announced');
  });

  it('a TLS room is joined over wss://', async () => {
    const page = await open();
    await emit(page, 'foundRooms', [room({ tls: true })]);
    await listed(page).first().click();
    expect(await page.getByRole('dialog').getByRole('textbox', { name: 'Server', exact: true }).inputValue()).toBe('wss://192.168.1.7:27800');
  });

  it('"Visible on this network" is on by default while hosting, and is saved when turned off', async () => {
    const page = await open({ hostRoom: true, roomKey: 'k' });
    const visible = page.getByRole('dialog').getByRole('checkbox', { name: 'Visible on this network' });
    expect(await visible.isChecked()).toBe(true);
    await visible.uncheck();
    await page.getByRole('dialog').getByRole('button', { name: 'Connect', exact: true }).click();
    const saves = await waitForCalls(page, 'saveSettings');
    expect(saves.at(-1)!.args[0]).toMatchObject({ hostRoom: true, visibleOnNetwork: false });
  });

  it('while hosting, a "Room name" field: empty shows "<user>\'s room", what is typed is saved, cut to 64', async () => {
    const page = await open({ hostRoom: true, roomKey: 'k', userName: 'Аня' });
    const dialog = page.getByRole('dialog');
    const name = dialog.getByRole('textbox', { name: 'Room name', exact: true });
    expect(await name.inputValue()).toBe('');
    expect(await name.getAttribute('placeholder')).toBe("Аня's room");
    expect(await name.getAttribute('maxlength')).toBe('64');
    await name.fill('  Office 3F  ');
    await dialog.getByRole('button', { name: 'Connect', exact: true }).click();
    const saves = await waitForCalls(page, 'saveSettings');
    expect(saves.at(-1)!.args[0]).toMatchObject({ hostRoom: true, roomName: 'Office 3F' });
  });

  it('while hosting, "Keep the room\'s history on this computer" shows the setting (on by default) and saves it', async () => {
    const page = await open({ hostRoom: true, roomKey: 'k' });
    const dialog = page.getByRole('dialog');
    const keep = dialog.getByRole('checkbox', { name: 'Keep the room’s history on this computer' });
    expect(await keep.isChecked()).toBe(true);
    await keep.uncheck();
    await dialog.getByRole('button', { name: 'Connect', exact: true }).click();
    const saves = await waitForCalls(page, 'saveSettings');
    expect(saves.at(-1)!.args[0]).toMatchObject({ hostRoom: true, roomHistory: false });
  });

  it('a room that forgets (roomHistory off) shows the box unticked', async () => {
    const page = await open({ hostRoom: true, roomKey: 'k', roomHistory: false });
    const keep = page.getByRole('dialog').getByRole('checkbox', { name: 'Keep the room’s history on this computer' });
    expect(await keep.isChecked()).toBe(false);
  });

  it('the browser client has no list (nor a server field: it joins the room that served it)', async () => {
    const { page } = await fixture.open(`http://127.0.0.1:${fixture.server.port}/`);
    await expect.poll(() => page.getByRole('dialog').getByRole('textbox', { name: 'Nickname', exact: true }).isVisible()).toBe(true);
    expect(await page.getByRole('dialog').getByRole('textbox', { name: 'Server', exact: true }).count()).toBe(0);
    expect(await page.locator('found-rooms').count()).toBe(0);
  });
});
