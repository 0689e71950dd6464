import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { roomUrls } from '../../src-main/app/lan-addresses';
import type { HostingStatus } from '../../src-shared/bridge';
import { fakeBridgeScript, useBrowserAndServer } from '../support/browser';
import type { OpenedPage } from '../support/browser';
import { emit, logIn } from './support';

/*
 * The share link of a hosted room in the desktop UI (the preload bridge stood in):
 * shown with a Copy button in the connect dialog, and always in sight beside the
 * status while hosting. Copy writes the clipboard; where the clipboard is refused,
 * the link is shown selected instead.
 */

const fixture = useBrowserAndServer();
/** The page the current test opened. */
let opened: OpenedPage | undefined;

/** What main pushes for a room with a key that needs every kind of escaping. */
const ROOM_KEY = 'k&1 #ключ';
const HOSTING: HostingStatus = { state: 'running', port: 27805, ...roomUrls(['192.168.1.5', '10.0.0.7'], 27805, ROOM_KEY), locked: true };
const SHARE_URL = 'http://192.168.1.5:27805/?key=k%261%20%23%D0%BA%D0%BB%D1%8E%D1%87';

/** The clipboard refuses, as in a page without the permission. */
const REFUSING_CLIPBOARD = `(() => {
  const refusing = { writeText: () => Promise.reject(new DOMException('Write permission denied.', 'NotAllowedError')) };
  Object.defineProperty(Navigator.prototype, 'clipboard', { get: () => refusing, configurable: true });
})();`;

async function open(extraScript = ''): Promise<Page> {
  opened = await fixture.open(`http://127.0.0.1:${fixture.server.port}/`, {
    initScript: fakeBridgeScript({ hostRoom: true, hostPort: 27805, roomKey: ROOM_KEY }) + extraScript,
  });
  return opened.page;
}

const clipboardText = (page: Page) => page.evaluate(() => navigator.clipboard.readText());

describe('the share link of a hosted room', () => {
  it('is the first web URL, with the key, and Copy in the dialog writes it (each link has its own Copy)', async () => {
    expect(HOSTING.state === 'running' && HOSTING.webUrls[0]).toBe(SHARE_URL);
    const page = await open();
    await opened!.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: `http://127.0.0.1:${fixture.server.port}` });
    await emit(page, 'hosting', HOSTING);
    const dialog = page.getByRole('dialog');
    const copy = dialog.getByRole('button', { name: 'Copy link', exact: true });
    await expect.poll(() => copy.count()).toBe(2);
    const links = dialog.getByRole('textbox', { name: 'Share link' });
    expect(await links.evaluateAll((inputs) => inputs.map((i) => (i as HTMLInputElement).value))).toEqual(
      HOSTING.state === 'running' ? HOSTING.webUrls : [],
    );
    // The app addresses are there too, with the key.
    expect(await dialog.getByText('ws://192.168.1.5:27805/?key=k%261%20%23%D0%BA%D0%BB%D1%8E%D1%87').isVisible()).toBe(true);

    await copy.nth(1).click();
    await expect.poll(() => clipboardText(page)).toBe('http://10.0.0.7:27805/?key=k%261%20%23%D0%BA%D0%BB%D1%8E%D1%87');
    await copy.first().click();
    await expect.poll(() => clipboardText(page)).toBe(SHARE_URL);
    await expect.poll(() => dialog.getByText('✓ Copied').count()).toBeGreaterThan(0);
  });

  it('stays in sight beside the status while hosting: "Hosting · Copy link" copies the share URL', async () => {
    const page = await open();
    await opened!.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: `http://127.0.0.1:${fixture.server.port}` });
    await logIn(page);
    // Hosting a room with these settings: main's answer, then the same status pushed.
    await emit(page, 'hosting', HOSTING);
    await expect.poll(() => page.getByRole('dialog').isVisible()).toBe(false);
    const copy = page.getByRole('button', { name: 'Copy link', exact: true });
    await expect.poll(() => copy.count()).toBe(1);
    const bar = page.locator('chat-app .hosting-bar');
    // "Hosting · [Copy link] Invite": the copy button lives in the bar's own shadow tree.
    expect((await bar.innerText()).replace(/\s+/g, ' ').trim()).toBe('Hosting · Invite');
    expect(await bar.getByRole('button', { name: 'Copy link', exact: true }).innerText()).toBe('Copy link');
    expect(await copy.getAttribute('title')).toBe(SHARE_URL);
    await page.evaluate(() => navigator.clipboard.writeText('something else'));
    await copy.click();
    await expect.poll(() => clipboardText(page)).toBe(SHARE_URL);
    await expect.poll(() => bar.getByText('✓ Copied').isVisible()).toBe(true);

    await emit(page, 'hosting', { state: 'stopped' });
    await expect.poll(() => copy.count()).toBe(0);
    expect(await bar.count()).toBe(0);
  });

  it('where the clipboard is refused, shows the link selected and says how to copy it', async () => {
    const page = await open(REFUSING_CLIPBOARD);
    await logIn(page);
    await emit(page, 'hosting', HOSTING);
    const copy = page.getByRole('button', { name: 'Copy link', exact: true });
    await copy.click();
    const link = page.getByRole('textbox', { name: 'Share link' });
    await expect.poll(() => link.count()).toBe(1);
    expect(await link.inputValue()).toBe(SHARE_URL);
    // Focused and wholly selected: Ctrl+C takes it.
    expect(
      await link.evaluate((input: HTMLInputElement) => {
        let active: Element | null = document.activeElement;
        while (active?.shadowRoot?.activeElement) active = active.shadowRoot.activeElement;
        return active === input && input.selectionStart === 0 && input.selectionEnd === input.value.length;
      }),
    ).toBe(true);
    expect(await page.getByText('Copying is not allowed here: the link is selected, press Ctrl+C to copy it.').isVisible()).toBe(true);
  });
});
