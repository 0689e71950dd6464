import { createServer } from 'node:http';
import type { IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { EventEmitter } from 'node:events';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { EVENT_NAMES } from '../../../src-shared/bridge';
import type { BridgeEvents, ChatBridge, ConnectionStatus, DownloadStatus, EventName, PendingMessage, UploadProgress } from '../../../src-shared/bridge';
import { createAppCore } from '../../../src-main/app/app-core';
import type { AppCore, CoreWindow } from '../../../src-main/app/app-core';
import { FileTransfer } from '../../../src-main/app/file-transfer';
import { encodePng } from '../../../src-main/app/png';
import { startRoomServer } from '../../../src-main/app/room-server';
import { RENDERER_ENTRY_URL, createRendererFileHandler } from '../../../src-main/app/security';
import { JsonFileSettingsStore } from '../../../src-main/app/settings-file';
import { startChatServer } from '../../../src-main/server';
import type { ChatServer } from '../../../src-main/server';
import { ChatClient, chatUrl } from '../../support/chat-client';
import { FakeBrowserWindow, createFakeElectron } from '../../support/fake-electron';
import { ROOT, buildPreload, loadPreload, waitFor } from './helpers';

/*
 * Files from the desktop app (issue 14 §3): the page hands the bytes to the real preload
 * bundle's window.chat → fake IPC (structured clone) → the controller → main posts them
 * to the session's server with the session's token, which the page never holds.
 */

beforeAll(() => buildPreload());

interface App {
  core: AppCore;
  chat: ChatBridge;
  events: { [E in EventName]: BridgeEvents[E][] };
}

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function startApp(downloads?: { dir: () => string; showItemInFolder: (path: string) => void }): App {
  const electron = createFakeElectron();
  const settings = new JsonFileSettingsStore(join(mkdtempSync(join(tmpdir(), 'simplechat-app-')), 'settings.json'));
  settings.update({ hostRoom: false, userName: '' });
  const core = createAppCore({
    ipcMain: electron.ipcMain as never,
    settings,
    startServer: (config) => startRoomServer(config),
    createSocket: (url) => new WebSocket(url),
    webRoot: join(ROOT, 'dist/renderer'),
    networkInterfaces: () => ({}),
    listenHosts: ['127.0.0.1'],
    ...(downloads === undefined ? {} : { downloads }),
    attention: {
      beep: () => electron.shell.beep(),
      notificationsSupported: () => true,
      createNotification: (o) => new electron.Notification(o),
      setBadgeCount: (n) => electron.app.setBadgeCount(n),
    },
  });
  const window = new FakeBrowserWindow();
  void window.loadURL(RENDERER_ENTRY_URL);
  core.attachWindow(window as unknown as CoreWindow);
  const { chat } = loadPreload(window.webContents.connectRenderer(electron.ipcMain));
  const events = Object.fromEntries(EVENT_NAMES.map((name) => [name, []])) as unknown as App['events'];
  for (const name of EVENT_NAMES) chat.on(name, (payload) => (events[name] as unknown[]).push(payload));
  window.webContents.finishLoad();
  cleanups.push(() => core.close());
  return { core, chat, events };
}

async function filesServer(): Promise<{ server: ChatServer; filesDir: string }> {
  const filesDir = join(mkdtempSync(join(tmpdir(), 'simplechat-app-files-')), 'files');
  const server = await startChatServer({ host: '127.0.0.1', port: 0, filesDir, log: () => {} });
  cleanups.push(async () => {
    await server.close();
    rmSync(join(filesDir, '..'), { recursive: true, force: true });
  });
  return { server, filesDir };
}

async function logIn(app: App, port: number, userName: string): Promise<void> {
  const authorized = waitFor<ConnectionStatus, true>((l) => app.chat.on('status', l), (s) => (s.state === 'authorized' ? true : undefined), 8_000, 'authorized');
  await app.chat.connect({ server: '127.0.0.1', port, userName, userColor: '#16a085', gender: 2 });
  await authorized;
}

function picture(width: number, height: number): Uint8Array {
  const rgba = new Uint8Array(width * height * 4).fill(200);
  return new Uint8Array(encodePng(width, height, rgba));
}

describe('files from the desktop app', () => {
  it('uploads through main with progress, and the line with the file reaches others; the outbox drains on its echo', async () => {
    const { server, filesDir } = await filesServer();
    const watcher = await ChatClient.connect(chatUrl(server.port, { userName: 'Watcher' }));
    cleanups.push(() => void watcher.terminate());
    const app = startApp();
    await logIn(app, server.port, 'Desk');

    const png = picture(64, 48);
    const outcome = await app.chat.uploadFile({ uploadId: 'u1', name: 'screen shot.png', bytes: png });
    expect(outcome).toEqual({ ok: true, file: { fileId: expect.any(String), name: 'screen shot.png', size: png.length, type: 'image/png', width: 64, height: 48 } });
    if (!outcome.ok) return;
    const progress = app.events.uploadProgress as UploadProgress[];
    expect(progress.length).toBeGreaterThan(0);
    expect(progress.at(-1)).toEqual({ uploadId: 'u1', sent: png.length, total: png.length });
    expect(readdirSync(filesDir)).toContain(outcome.file.fileId);

    await app.chat.send({ text: '', toUserId: 0, file: { fileId: outcome.file.fileId, name: outcome.file.name } });
    const line = await watcher.waitFor((m) => m.action === 'PublicMessage' && m.file !== undefined);
    expect(line).toMatchObject({ userName: 'Desk', file: { fileId: outcome.file.fileId, name: 'screen shot.png', width: 64, height: 48 } });
    await waitFor<PendingMessage[], true>((l) => app.chat.on('outbox', l), (o) => (o.length === 0 ? true : undefined), 5_000, 'the outbox drained');

    // The page gets our own origin's address for the picture (img-src 'self'), and main serves it
    // as the session's user: the page never holds the token or the server's address.
    const link = await app.chat.fileLink(outcome.file.fileId);
    expect(link).toEqual({ ok: true, link: { url: `app://simplechat/server-files/${outcome.file.fileId}`, expiresAt: expect.any(Number) } });
    if (!link.ok) return;
    const handler = createRendererFileHandler(join(ROOT, 'dist/renderer'), (id, range, method) => app.core.controller.serveFile(id, range, method));
    const got = await handler(new Request(link.link.url));
    expect(got.status).toBe(200);
    expect(got.headers.get('content-type')).toBe('image/png');
    expect(got.headers.get('x-content-type-options')).toBe('nosniff');
    expect(got.headers.get('content-security-policy')).toBe("sandbox; default-src 'none'");
    expect(Buffer.from(await got.arrayBuffer()).equals(Buffer.from(png))).toBe(true);
    const part = await handler(new Request(link.link.url, { headers: { Range: 'bytes=0-7' } }));
    expect(part.status).toBe(206);
    expect(Buffer.from(await part.arrayBuffer()).equals(Buffer.from(png.subarray(0, 8)))).toBe(true);
    // Only a file id: anything else under the path is no file of ours.
    expect((await handler(new Request('app://simplechat/server-files/..%2Fsettings.json'))).status).toBe(404);
  });

  it('says not-connected before a login, and the server’s refusal after one (no token from the page ever counts)', async () => {
    const { server } = await filesServer();
    const app = startApp();
    expect(await app.chat.uploadFile({ uploadId: 'early', name: 'a.txt', bytes: new Uint8Array([1]) })).toMatchObject({ ok: false, error: 'not-connected' });
    await logIn(app, server.port, 'Early');
    expect(await app.chat.uploadFile({ uploadId: 'empty', name: 'empty.txt', bytes: new Uint8Array(0) })).toMatchObject({ ok: false, error: 'no-body' });
    expect(await app.chat.fileLink('AAAAAAAAAAAAAAAAAAAAAA')).toMatchObject({ ok: false, error: 'not-found' });
  });

  it('the preload refuses what is not an upload, a file reference or a file id', async () => {
    const app = startApp();
    const bad = [
      () => app.chat.uploadFile({ uploadId: 'x', name: 'a', bytes: [1, 2, 3] as unknown as Uint8Array }),
      () => app.chat.uploadFile({ uploadId: '', name: 'a', bytes: new Uint8Array(1) }),
      () => app.chat.uploadFile({ uploadId: 'x', name: 5 as unknown as string, bytes: new Uint8Array(1) }),
      () => app.chat.send({ text: '', toUserId: 0, file: { fileId: '../etc/passwd', name: 'x' } }),
      () => app.chat.fileLink('a/b'),
      () => app.chat.cancelUpload(''),
    ];
    for (const call of bad) await expect(call()).rejects.toThrow(/^chat\.(uploadFile|send|fileLink|cancelUpload): /);
  });

  it('a download of a line’s file reaches the page as progress, and "Show in folder" shows that file only', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'simplechat-app-downloads-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const shown: string[] = [];
    const app = startApp({ dir: () => dir, showItemInFolder: (path) => shown.push(path) });
    const item = Object.assign(new EventEmitter(), {
      getURL: () => 'app://simplechat/server-files/AAAAAAAAAAAAAAAAAAAAAA',
      getFilename: () => 'photo.jpg',
      getReceivedBytes: () => 10,
      getTotalBytes: () => 10,
      setSavePath: (path: string) => writeFileSync(path, 'jpeg'),
      cancel: () => {},
    });
    const done = waitFor<DownloadStatus, DownloadStatus>((l) => app.chat.on('download', l), (d) => (d.state === 'completed' ? d : undefined), 5_000, 'download done');
    app.core.downloads!.take(item);
    item.emit('done', {}, 'completed');
    expect(await done).toEqual({ downloadId: 'd1', name: 'photo.jpg', received: 10, total: 10, state: 'completed' });
    expect(await app.chat.showDownload('d1')).toBe(true);
    expect(shown).toEqual([join(dir, 'photo.jpg')]);
    expect(await app.chat.showDownload('d2')).toBe(false);
  });

  it('Cancel cuts the request off: the outcome is cancelled and the server sees the body end early', async () => {
    // A server that reads a little and then nothing: the upload stalls in flight until cancelled.
    let seen: IncomingMessage | undefined;
    let closed!: () => void;
    const aborted = new Promise<void>((resolve) => (closed = resolve));
    let arrived!: () => void;
    const underWay = new Promise<void>((resolve) => (arrived = resolve));
    const stalling = createServer((req) => {
      seen = req;
      arrived();
      req.once('data', () => req.pause());
      req.on('close', closed);
    });
    await new Promise<void>((resolve) => stalling.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise<void>((done) => stalling.close(() => done())));
    cleanups.push(() => stalling.closeAllConnections());
    const port = (stalling.address() as AddressInfo).port;
    let progressed!: () => void;
    const firstProgress = new Promise<void>((resolve) => (progressed = resolve));
    const progress: UploadProgress[] = [];
    const transfer = new FileTransfer(
      () => ({ origin: `http://127.0.0.1:${port}`, sessionToken: 'token' }),
      (p) => {
        progress.push(p);
        progressed();
      },
    );
    const going = transfer.upload({ uploadId: 'big', name: 'big.bin', bytes: new Uint8Array(32 * 1024 * 1024) });
    await firstProgress;
    await underWay;
    expect(transfer.cancel('big')).toBe(true);
    expect(await going).toMatchObject({ ok: false, error: 'cancelled' });
    // Reading on, the server finds the body cut off before its Content-Length.
    seen!.resume();
    await aborted;
    expect(seen!.complete).toBe(false);
    expect(seen?.headers.authorization).toBe('Bearer token');
    expect(seen?.headers['x-file-name']).toBe('big.bin');
    expect(progress.at(-1)!.sent).toBeLessThan(32 * 1024 * 1024);
    expect(transfer.cancel('big')).toBe(false);
  });
});
