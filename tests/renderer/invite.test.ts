import jsQR from 'jsqr';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { fakeBridgeScript, useBrowserAndServer } from '../support/browser';
import { emit, logIn } from './support';

/*
 * Issue 16 §3: the hosting app's Invite panel shows the share link (with the key), a
 * Copy button and a QR code of that link made in the page; the QR decodes back to it.
 */

const fixture = useBrowserAndServer();
const SIDE = 246;

/** The QR code as the page draws it, rasterised in the page and decoded here. */
async function decodeQr(page: Page): Promise<string | null> {
  const pixels = await page.locator('connect-dialog invite-qr').evaluate(async (element, side) => {
    const svg = element.shadowRoot?.querySelector('svg');
    if (!svg) throw new Error('no svg');
    const image = new Image();
    image.src = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(new XMLSerializer().serializeToString(svg))}`;
    await image.decode();
    const canvas = document.createElement('canvas');
    canvas.width = side;
    canvas.height = side;
    const context = canvas.getContext('2d')!;
    context.imageSmoothingEnabled = false;
    context.drawImage(image, 0, 0, side, side);
    return Array.from(context.getImageData(0, 0, side, side).data);
  }, SIDE);
  return jsQR(Uint8ClampedArray.from(pixels), SIDE, SIDE)?.data ?? null;
}

describe('the Invite panel', () => {
  it('shows the share link with its key and a QR code that decodes back to it', async () => {
    const { page } = await fixture.open(`http://127.0.0.1:${fixture.server.port}/`, { initScript: fakeBridgeScript({ hostRoom: true, roomKey: 'k&1 #ключ' }) });
    const link = 'http://192.168.1.5:27805/?key=k%261%20%23%D0%BA%D0%BB%D1%8E%D1%87';
    await emit(page, 'hosting', { state: 'running', port: 27805, addresses: ['ws://192.168.1.5:27805/?key=k%261%20%23%D0%BA%D0%BB%D1%8E%D1%87'], webUrls: [link], locked: true });
    const dialog = page.getByRole('dialog');
    const panel = dialog.getByRole('region', { name: 'Invite' });
    await expect.poll(() => panel.isVisible()).toBe(true);
    expect(await panel.getByRole('textbox', { name: 'Share link' }).inputValue()).toBe(link);
    expect(await panel.getByRole('button', { name: 'Copy link', exact: true }).isVisible()).toBe(true);
    // The encoder is a chunk of its own, loaded when the panel first shows.
    await panel.getByRole('img', { name: 'QR code of the room’s link' }).waitFor({ state: 'visible', timeout: 25_000 });
    expect(await decodeQr(page)).toBe(link);

    // A new key, a new link: the code follows.
    const next = 'http://192.168.1.5:27805/?key=other';
    await emit(page, 'hosting', { state: 'running', port: 27805, addresses: [], webUrls: [next], locked: true });
    await expect.poll(() => decodeQr(page), { timeout: 10_000 }).toBe(next);
    // Bounded, and long enough for a loaded machine (the full suite runs many browsers at once).
  }, 45_000);

  it('the hosting bar has an Invite button that opens the panel', async () => {
    const { page } = await fixture.open(`http://127.0.0.1:${fixture.server.port}/`, { initScript: fakeBridgeScript({ hostRoom: true, roomKey: 'k' }) });
    await emit(page, 'hosting', { state: 'running', port: 27805, addresses: [], webUrls: ['http://192.168.1.5:27805/?key=k'], locked: true });
    await logIn(page);
    await expect.poll(() => page.getByRole('dialog').isVisible()).toBe(false);
    await page.locator('chat-app .hosting-bar').getByRole('button', { name: 'Invite', exact: true }).click();
    await expect.poll(() => page.getByRole('dialog').getByRole('region', { name: 'Invite' }).isVisible()).toBe(true);
  });
});
