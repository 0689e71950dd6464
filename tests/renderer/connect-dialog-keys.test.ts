import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { fakeBridgeScript, useBrowserAndServer } from '../support/browser';
import { ANYA, BOB, ME, calls, emit, logIn, waitForCalls } from './support';

/*
 * Issue 18, holes 4 and 5, in the connect dialog: a room key goes only to the server
 * it was saved for, a link never carries another server's key, a link that would stop
 * a hosted room with people in it asks first, and the hosted room says who can join.
 */

const fixture = useBrowserAndServer();

async function open(settings: Record<string, unknown>): Promise<Page> {
  const opened = await fixture.open(`http://127.0.0.1:${fixture.server.port}/`, { initScript: fakeBridgeScript(settings) });
  return opened.page;
}

const keyField = (page: Page) => page.getByRole('dialog').getByLabel('Room key', { exact: true });
const RUNNING = { state: 'running', port: 27800, addresses: ['ws://192.168.1.5:27800/?key=h0stk3y22'], webUrls: ['http://192.168.1.5:27800/?key=h0stk3y22'], locked: true };

describe('room keys per server', () => {
  it('a link to another host gets an empty key field, and Connect sends it no key', async () => {
    // `roomKey` too: what today's single saved key would have leaked.
    const page = await open({ server: 'office.local', hostRoom: false, roomKey: 's3cret', roomKeys: { 'office.local:27800': 's3cret' } });
    await logIn(page);
    expect((await calls(page, 'connect'))[0]!.args[0]).toMatchObject({ server: 'office.local', roomKey: 's3cret' });
    await emit(page, 'connectLink', { server: 'evil.example', port: 27800 });
    const dialog = page.getByRole('dialog');
    await expect.poll(() => dialog.getByRole('textbox', { name: 'Server', exact: true }).inputValue()).toBe('evil.example');
    expect(await keyField(page).inputValue()).toBe('');
    await dialog.getByRole('button', { name: 'Connect', exact: true }).click();
    const connects = await waitForCalls(page, 'connect', 2);
    expect(connects[1]!.args[0]).toMatchObject({ server: 'evil.example', port: 27800 });
    expect(connects[1]!.args[0]).not.toHaveProperty('roomKey');
    const saves = await calls(page, 'saveSettings');
    expect(saves.at(-1)!.args[0]).toMatchObject({ server: 'evil.example', roomKeys: { 'office.local:27800': 's3cret' } });
  });

  it('a link to a server with a saved key fills that key; a link’s own key wins', async () => {
    const page = await open({ server: 'other.example', hostRoom: false, roomKeys: { 'office.local:27800': 's3cret' } });
    await logIn(page);
    await emit(page, 'connectLink', { server: 'OFFICE.local', port: 27800 });
    await expect.poll(() => keyField(page).inputValue()).toBe('s3cret');
    await emit(page, 'connectLink', { server: 'office.local', port: 27800, roomKey: 'fromlink' });
    await expect.poll(() => keyField(page).inputValue()).toBe('fromlink');
  });

  it('changing the server field clears the key, and fills the one saved for the new server', async () => {
    const page = await open({ server: 'a.example', hostRoom: false, roomKeys: { 'a.example:27800': 'ka', 'b.example:9000': 'kb' } });
    const dialog = page.getByRole('dialog');
    await expect.poll(() => keyField(page).inputValue()).toBe('ka');
    const server = dialog.getByRole('textbox', { name: 'Server', exact: true });
    await server.fill('c.example');
    expect(await keyField(page).inputValue()).toBe('');
    await server.fill('b.example');
    expect(await keyField(page).inputValue()).toBe('');
    await dialog.getByRole('textbox', { name: 'Port', exact: true }).fill('9000');
    expect(await keyField(page).inputValue()).toBe('kb');
    await dialog.getByRole('textbox', { name: 'Port', exact: true }).fill('27800');
    await server.fill('a.example');
    expect(await keyField(page).inputValue()).toBe('ka');
    await keyField(page).fill('typed');
    await server.fill('a.example.evil.example');
    expect(await keyField(page).inputValue()).toBe('');
  });
});

describe('switching from hosting to joining', () => {
  it('shows the key saved for the server and port in the fields, never the hosted room’s', async () => {
    const page = await open({ hostRoom: true, roomKey: 'h0stk3y22', server: 'a.example', port: 9000, roomKeys: { 'a.example:27800': 'ka' } });
    const dialog = page.getByRole('dialog');
    await expect.poll(() => keyField(page).inputValue()).toBe('h0stk3y22');
    // The one port field keeps the room's port, 27800: the key is a.example:27800's.
    await dialog.getByRole('checkbox', { name: 'Host a room' }).uncheck();
    expect(await keyField(page).inputValue()).toBe('ka');
    await dialog.getByRole('textbox', { name: 'Port', exact: true }).fill('9000');
    expect(await keyField(page).inputValue()).toBe('');
  });
});

describe('a link while this computer hosts a room', () => {
  async function hostingWithPeople(): Promise<Page> {
    const page = await open({ hostRoom: true, roomKey: 'h0stk3y22' });
    await emit(page, 'hosting', RUNNING);
    await logIn(page, ME, [ANYA, BOB]);
    await emit(page, 'connectLink', { server: 'elsewhere.example', port: 27800 });
    await expect.poll(() => page.getByRole('dialog').getByRole('textbox', { name: 'Server', exact: true }).inputValue()).toBe('elsewhere.example');
    return page;
  }

  it('says it would stop the room and drop its people, and does nothing until confirmed', async () => {
    const page = await hostingWithPeople();
    const dialog = page.getByRole('dialog');
    await dialog.getByRole('button', { name: 'Connect', exact: true }).click();
    const ask = dialog.getByRole('alertdialog');
    await expect.poll(() => ask.textContent()).toContain('You host a room with 2 people. Connecting elsewhere stops it and disconnects them.');
    expect(await calls(page, 'stopHosting')).toEqual([]);
    expect(await calls(page, 'connect')).toHaveLength(1);

    await ask.getByRole('button', { name: 'Cancel' }).click();
    expect(await dialog.getByRole('alertdialog').count()).toBe(0);
    expect(await calls(page, 'stopHosting')).toEqual([]);

    await dialog.getByRole('button', { name: 'Connect', exact: true }).click();
    await dialog.getByRole('alertdialog').getByRole('button', { name: 'Stop the room and connect' }).click();
    await waitForCalls(page, 'stopHosting');
    const connects = await waitForCalls(page, 'connect', 2);
    expect(connects[1]!.args[0]).toMatchObject({ server: 'elsewhere.example' });
    expect(connects[1]!.args[0]).not.toHaveProperty('roomKey');
  });

  it('Escape takes the question back, not the dialog', async () => {
    const page = await hostingWithPeople();
    const dialog = page.getByRole('dialog');
    await dialog.getByRole('button', { name: 'Connect', exact: true }).click();
    await expect.poll(() => dialog.getByRole('alertdialog').count()).toBe(1);
    await page.keyboard.press('Escape');
    await expect.poll(() => dialog.getByRole('alertdialog').count()).toBe(0);
    expect(await dialog.isVisible()).toBe(true);
    expect(await calls(page, 'stopHosting')).toEqual([]);
  });
});

describe('the hosted room says who can join', () => {
  it('shows its key; emptied, it says the room is open; connecting so keeps it open on purpose', async () => {
    const page = await open({ hostRoom: true, roomKey: 'h0stk3y22' });
    const dialog = page.getByRole('dialog');
    await expect.poll(() => keyField(page).inputValue()).toBe('h0stk3y22');
    expect(await dialog.getByText('Whoever joins needs this key').isVisible()).toBe(true);
    await keyField(page).fill('');
    expect(await dialog.getByText('Open room: anyone on your network can join.').isVisible()).toBe(true);
    await dialog.getByRole('button', { name: 'Connect', exact: true }).click();
    const [host] = await waitForCalls(page, 'hostRoom');
    expect(host!.args[0]).toEqual({ port: 27800 });
    expect((await calls(page, 'saveSettings'))[0]!.args[0]).toMatchObject({ hostRoom: true, roomKey: '', roomOpen: true, allowInternet: false });
  });

  it('takes the local network only unless "Allow connections from the internet" is on, with a warning', async () => {
    const page = await open({ hostRoom: true, roomKey: 'h0stk3y22' });
    const dialog = page.getByRole('dialog');
    const internet = dialog.getByRole('checkbox', { name: 'Allow connections from the internet' });
    expect(await internet.isChecked()).toBe(false);
    expect(await dialog.getByText('Off: only computers on your local network can join.').isVisible()).toBe(true);
    await internet.check();
    expect(await dialog.getByText('Anyone on the internet who finds this computer’s address can try to join.').isVisible()).toBe(true);
    await dialog.getByRole('button', { name: 'Connect', exact: true }).click();
    const [host] = await waitForCalls(page, 'hostRoom');
    expect(host!.args[0]).toEqual({ port: 27800, roomKey: 'h0stk3y22', allowInternet: true });
  });

  it('the hosting bar says "open room" only while the room has no key', async () => {
    const page = await open({ hostRoom: true, roomKey: 'h0stk3y22' });
    await emit(page, 'hosting', RUNNING);
    const bar = page.locator('chat-app .hosting-bar');
    await expect.poll(() => bar.textContent()).toContain('Hosting');
    expect(await bar.textContent()).not.toContain('open room');
    await emit(page, 'hosting', { ...RUNNING, addresses: ['ws://192.168.1.5:27800'], webUrls: ['http://192.168.1.5:27800/'], locked: false });
    await expect.poll(() => bar.textContent()).toContain('open room');
  });
});
