import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import { encodePng } from '../../src-main/app/png';
import type { PublicMessage } from '../../src-shared/protocol';
import { joinAs, useBrowserAndServer } from '../support/browser';
import { ChatClient, chatUrl } from '../support/chat-client';

/*
 * Sending files from the browser UI (issue 14 §3): the attach button, a drop onto the
 * window, a paste into the input; each uploaded for real (POST /files) and sent as a
 * line that a native client receives with the server's record of the file. Refusals
 * are said in words; Cancel stops an upload and the server keeps nothing of it.
 */

const filesDir = mkdtempSync(join(tmpdir(), 'simplechat-files-ui-'));
afterAll(() => rmSync(filesDir, { recursive: true, force: true }));

/** Small, so a refusal for size is quick to make; large enough for the pictures here. */
const MAX_FILE_SIZE = 256 * 1024;
const fixture = useBrowserAndServer({ filesDir, maxFileSize: MAX_FILE_SIZE, presenceGraceMs: 0 });

function picture(width: number, height: number): Buffer {
  const rgba = new Uint8Array(width * height * 4);
  for (let i = 0; i < rgba.length; i += 4) rgba.set([41, 128, 185, 255], i);
  return encodePng(width, height, rgba);
}

async function openAs(name: string): Promise<Page> {
  const { page } = await fixture.open(`http://127.0.0.1:${fixture.server.port}/`);
  await joinAs(page, name);
  return page;
}

/** The same in a Russian browser: the dialog's words are Russian. */
async function openAsRu(name: string): Promise<Page> {
  const { page } = await fixture.open(`http://127.0.0.1:${fixture.server.port}/`, { locale: 'ru-RU' });
  const nickname = page.getByRole('dialog').getByRole('textbox', { name: 'Имя пользователя', exact: true });
  await nickname.fill(name);
  await nickname.press('Enter');
  await expect.poll(() => page.getByRole('textbox', { name: 'Сообщение' }).isEnabled(), { timeout: 10_000 }).toBe(true);
  return page;
}

async function watcher(name: string): Promise<ChatClient> {
  return ChatClient.connect(chatUrl(fixture.server.port, { userName: name }));
}

const fileLine = (name: string) => (m: { action: string; file?: { name: string } }): m is PublicMessage =>
  m.action === 'PublicMessage' && m.file?.name === name;

/** Files dropped onto the page, as a drag from the desktop delivers them. */
async function dropFiles(page: Page, files: { name: string; type: string; base64: string }[]): Promise<void> {
  await page.evaluate((list) => {
    const transfer = new DataTransfer();
    for (const f of list) {
      const bytes = Uint8Array.from(atob(f.base64), (c) => c.charCodeAt(0));
      transfer.items.add(new File([bytes], f.name, { type: f.type }));
    }
    const target = document.querySelector('chat-app')!;
    target.dispatchEvent(new DragEvent('dragover', { dataTransfer: transfer, bubbles: true, cancelable: true, composed: true }));
    target.dispatchEvent(new DragEvent('drop', { dataTransfer: transfer, bubbles: true, cancelable: true, composed: true }));
  }, files);
}

describe('sending files from the browser', () => {
  it('the attach button uploads a picture and a native client gets its line with the server’s record', async () => {
    const bob = await watcher('Bob');
    try {
      const alice = await openAs('Alice');
      const png = picture(40, 30);
      const chooser = alice.waitForEvent('filechooser');
      await alice.getByRole('button', { name: 'Attach files' }).click();
      await (await chooser).setFiles({ name: 'blue.png', mimeType: 'image/png', buffer: png });
      const line = await bob.waitFor(fileLine('blue.png'));
      expect(line.userName).toBe('Alice');
      expect(line.file).toMatchObject({ name: 'blue.png', size: png.length, type: 'image/png', width: 40, height: 30 });
      expect(line.text).toContain('blue.png');
      // Alice sees her line once the server's echo is back, and the upload row is gone.
      await alice.getByRole('log').locator('.line.chat', { hasText: 'Alice:' }).getByRole('button', { name: 'Open blue.png' }).waitFor();
      await expect.poll(() => alice.locator('upload-list li').count()).toBe(0);
    } finally {
      await bob.close();
    }
  });

  it('files dropped onto the window go to the room shown, several at once', async () => {
    const carol = await openAs('Carol');
    const dan = await watcher('Dan');
    try {
      dan.send({ action: 'JoinRoom', room: 'shots' });
      await dan.waitFor((m) => m.action === 'RoomJoined');
      await carol.getByRole('button', { name: 'Join or create a room' }).click();
      await carol.getByRole('dialog').getByRole('textbox', { name: 'Room name' }).fill('shots');
      await carol.getByRole('dialog').getByRole('button', { name: 'Join', exact: true }).click();
      await expect.poll(() => carol.getByRole('heading', { name: /shots/ }).isVisible()).toBe(true);
      await dropFiles(carol, [
        { name: 'notes.txt', type: 'text/plain', base64: Buffer.from('remember the milk\n').toString('base64') },
        { name: 'small.png', type: 'image/png', base64: picture(8, 8).toString('base64') },
      ]);
      const notes = await dan.waitFor(fileLine('notes.txt'));
      const small = await dan.waitFor(fileLine('small.png'));
      expect(notes.room).toBe('shots');
      expect(small.room).toBe('shots');
      expect(notes.file?.type).toBe('application/octet-stream');
      expect(small.file).toMatchObject({ type: 'image/png', width: 8, height: 8 });
    } finally {
      await dan.close();
    }
  });

  it('a picture pasted into the input is sent as a file; pasted text stays text', async () => {
    const erin = await openAs('Erin');
    const fay = await watcher('Fay');
    try {
      const paste = (withText: boolean) =>
        erin.getByRole('textbox', { name: 'Message' }).evaluate(
          (input, [base64, text]) => {
            const transfer = new DataTransfer();
            transfer.items.add(new File([Uint8Array.from(atob(base64!), (c) => c.charCodeAt(0))], 'image.png', { type: 'image/png' }));
            if (text !== '') transfer.setData('text/plain', text!);
            // false: the page took the paste over (the browser would have pasted text otherwise).
            return input.dispatchEvent(new ClipboardEvent('paste', { clipboardData: transfer, bubbles: true, cancelable: true, composed: true }));
          },
          [picture(12, 10).toString('base64'), withText ? 'a paragraph copied from a word processor' : ''],
        );
      // Text with a picture of it (as office programs copy): the text is pasted, nothing is uploaded.
      expect(await paste(true)).toBe(true);
      expect(await erin.locator('upload-list li').count()).toBe(0);
      // A picture alone: sent as a file.
      expect(await paste(false)).toBe(false);
      const line = await fay.waitFor(fileLine('image.png'));
      expect(line.file).toMatchObject({ width: 12, height: 10 });
      expect(await erin.getByRole('textbox', { name: 'Message' }).inputValue()).toBe('');
    } finally {
      await fay.close();
    }
  });

  it('a file too large is refused in words (English and Russian), and nothing is sent', async () => {
    // The refusal is an HTTP answer: the page's console tells of it, as of any 4xx.
    fixture.tolerate(/\b413\b/);
    const gus = await openAs('Gus');
    const chooser = gus.waitForEvent('filechooser');
    await gus.getByRole('button', { name: 'Attach files' }).click();
    await (await chooser).setFiles({ name: 'huge.bin', mimeType: 'application/octet-stream', buffer: Buffer.alloc(MAX_FILE_SIZE + 1, 7) });
    const alert = gus.getByRole('alert');
    await expect.poll(() => alert.locator('.why').innerText()).toBe('huge.bin was not sent: it is larger than the server takes.');
    await gus.getByRole('button', { name: 'Dismiss' }).click();
    await expect.poll(() => alert.count()).toBe(0);

    const ira = await openAsRu('Ира');
    const chooserRu = ira.waitForEvent('filechooser');
    await ira.getByRole('button', { name: 'Прикрепить файлы' }).click();
    await (await chooserRu).setFiles({ name: 'огромный.bin', mimeType: 'application/octet-stream', buffer: Buffer.alloc(MAX_FILE_SIZE + 1, 7) });
    await expect.poll(() => ira.getByRole('alert').locator('.why').innerText()).toBe('огромный.bin не отправлен: он больше, чем принимает сервер.');
    expect(await gus.getByRole('log').locator('.line.chat', { hasText: 'Gus:' }).count()).toBe(0);
    expect(await ira.getByRole('log').locator('.line.chat', { hasText: 'Ира:' }).count()).toBe(0);
  });

  it('Cancel stops an upload under way: no line, and no file or partial file left on the server', async () => {
    // The page's XMLHttpRequest is aborted: the browser counts that as a failed request.
    fixture.tolerate(/ERR_ABORTED/);
    const before = readdirSync(filesDir).sort();
    const jon = await openAs('Jon');
    // A slow link, so the upload is still under way when Cancel is pressed.
    const cdp = await jon.context().newCDPSession(jon);
    await cdp.send('Network.enable');
    await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: 32 * 1024 });
    const chooser = jon.waitForEvent('filechooser');
    await jon.getByRole('button', { name: 'Attach files' }).click();
    await (await chooser).setFiles({ name: 'slow.bin', mimeType: 'application/octet-stream', buffer: Buffer.alloc(MAX_FILE_SIZE - 1, 3) });
    const bar = jon.getByRole('progressbar', { name: 'Uploading slow.bin' });
    await bar.waitFor();
    await jon.getByRole('button', { name: 'Cancel the upload of slow.bin' }).click();
    await expect.poll(() => jon.locator('upload-list li').count()).toBe(0);
    await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1 });
    // The server drops the cut-off body's partial file once it sees the connection go.
    await expect.poll(() => readdirSync(filesDir).sort(), { timeout: 10_000 }).toEqual(before);
    expect(await jon.getByRole('log').locator('.line.chat', { hasText: 'Jon:' }).count()).toBe(0);
  });
});
