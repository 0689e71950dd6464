import type { Page, Route } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { encodePng } from '../../src-main/app/png';
import { join } from 'node:path';
import { REPO_ROOT, joinAs, useBrowserAndServer, waitForLogLine } from '../support/browser';
import { ChatClient, chatUrl } from '../support/chat-client';

/*
 * Files in the browser's log (issue 14 §3): a picture as a bounded preview whose size is
 * known from the line (nothing moves when it loads), loaded through a signed link and
 * opened large in a lightbox (Esc closes it, the focus goes back); any other file as a
 * card with its name, size and Download.
 */

const fixture = useBrowserAndServer({ presenceGraceMs: 0 });

function picture(width: number, height: number): Buffer {
  const rgba = new Uint8Array(width * height * 4);
  for (let i = 0; i < rgba.length; i += 4) rgba.set([192, 57, 43, 255], i);
  return encodePng(width, height, rgba);
}

/** A native user who uploads a file over HTTP with its token and sends it in a line. */
async function sendFile(client: ChatClient, name: string, bytes: Buffer): Promise<void> {
  const answer = await fetch(`http://127.0.0.1:${fixture.server.port}/files`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${client.authorized.sessionToken}`, 'X-File-Name': encodeURIComponent(name) },
    body: new Uint8Array(bytes),
  });
  expect(answer.status).toBe(201);
  const { fileId } = (await answer.json()) as { fileId: string };
  client.send({ action: 'Message', text: '', toUserId: 0, file: { fileId } });
}

async function openAs(name: string): Promise<Page> {
  const { page } = await fixture.open(`http://127.0.0.1:${fixture.server.port}/`);
  await joinAs(page, name);
  return page;
}

/** The element with the focus, looked for through the shadow roots. */
function focusedClass(page: Page): Promise<string> {
  return page.evaluate(() => {
    let active: Element | null = document.activeElement;
    while (active?.shadowRoot?.activeElement) active = active.shadowRoot.activeElement;
    return active?.className ?? '';
  });
}

describe('files in the log', () => {
  it('a picture keeps its known size while it loads, shows for real, and opens large; Esc closes and the focus goes back', async () => {
    const page = await openAs('Viewer');
    // The picture's bytes are held back until the log has laid the line out.
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    await page.route(/\/files\/[^/]+\?/, async (route: Route) => {
      await held;
      await route.continue();
    });
    const sender = await ChatClient.connect(chatUrl(fixture.server.port, { userName: 'Painter' }));
    try {
      await sendFile(sender, 'red.png', picture(400, 300));
      const preview = page.getByRole('button', { name: 'Open red.png' });
      await preview.waitFor();
      // 400×300 fits 320×240 at 0.8: the box is that big before a byte of the picture came.
      const image = preview.locator('img');
      expect(await image.evaluate((img: HTMLImageElement) => [img.width, img.height, img.naturalWidth])).toEqual([320, 240, 0]);
      const lineBefore = await page.getByRole('log').locator('.line.chat', { hasText: 'Painter:' }).boundingBox();
      release();
      await expect.poll(() => image.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)).toBe(400);
      expect(await page.getByRole('log').locator('.line.chat', { hasText: 'Painter:' }).boundingBox()).toEqual(lineBefore);
      // The server's text for a line without one ("📎 red.png (…) /files/…") is not shown: the picture is.
      expect(await page.getByRole('log').locator('.line.chat', { hasText: 'Painter:' }).locator('.message').innerText()).toBe('');

      await preview.click();
      const lightbox = page.getByRole('dialog', { name: 'red.png' });
      await lightbox.waitFor();
      await expect.poll(() => lightbox.locator('img').evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)).toBe(400);
      expect(await focusedClass(page)).toBe('close-lightbox');
      // Modal: Tab does not leave it for the log behind.
      await page.keyboard.press('Tab');
      expect(await focusedClass(page)).toBe('close-lightbox');
      await page.keyboard.press('Escape');
      await expect.poll(() => lightbox.count()).toBe(0);
      expect(await focusedClass(page)).toBe('picture');
    } finally {
      await sender.close();
    }
  });

  it('any other file is a card with name, size and Download, which saves the file', async () => {
    const page = await openAs('Reader');
    const sender = await ChatClient.connect(chatUrl(fixture.server.port, { userName: 'Writer' }));
    try {
      const text = Buffer.from('remember the milk\n');
      await sendFile(sender, 'notes <b>.html', text);
      await waitForLogLine(page, /^Writer: /);
      const card = page.getByRole('log').locator('.attachment.card').last();
      await card.waitFor();
      expect(await card.locator('.file-name').innerText()).toBe('notes <b>.html');
      expect(await card.locator('.file-size').innerText()).toBe('18 B');
      const download = page.waitForEvent('download');
      await card.getByRole('button', { name: 'Download notes <b>.html' }).click();
      const saved = await download;
      // Chromium makes the name safe for the disk itself.
      expect(saved.suggestedFilename()).toBe('notes _b_.html');
      const stream = await saved.createReadStream();
      const chunks: Buffer[] = [];
      for await (const chunk of stream) chunks.push(chunk as Buffer);
      expect(Buffer.concat(chunks).equals(text)).toBe(true);
      // Nothing the name carried became markup.
      expect(await page.getByRole('log').locator('.attachment b').count()).toBe(0);
      if (process.env.SCREENSHOTS) {
        // The docs' picture: this page's log, with the picture of the test before and this card.
        await page.getByRole('log').locator('.attachment img').last().evaluate((img: HTMLImageElement) => img.decode());
        await page.mouse.move(0, 0);
        await page.screenshot({ path: join(REPO_ROOT, 'docs', 'screenshots', 'files-en.png') });
      }
    } finally {
      await sender.close();
    }
  });
});
