import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startChatServer } from '../../../../src-main/server';
import { ChatClient, chatUrl } from '../../../support/chat-client';
import { PNG_1X1, VICTIM, download, startFilesServer, tempDir, tokenOf, upload } from './file-helpers';

const fixtures = join(__dirname, '..', 'fixtures');

describe('GET of a file', () => {
  it('answers with safe headers, an ETag (304 on a match), Cache-Control private and byte ranges (206, 416)', async () => {
    const t = await startFilesServer();
    const anna = await t.join('Anna', { localAddress: VICTIM });
    const body = Buffer.from('0123456789abcdefghij');
    const sent = await upload(t.port, tokenOf(anna), body, 'digits ü.txt');
    const url = `/files/${String(sent.json!.fileId)}`;
    const whole = await download(t.port, url, tokenOf(anna));
    expect(whole.status).toBe(200);
    expect(whole.headers).toMatchObject({
      'content-type': 'application/octet-stream',
      'x-content-type-options': 'nosniff',
      'content-security-policy': "sandbox; default-src 'none'",
      'cache-control': 'private',
      'accept-ranges': 'bytes',
      'content-length': '20',
    });
    expect(whole.headers['content-disposition']).toBe(`attachment; filename="digits _.txt"; filename*=UTF-8''digits%20%C3%BC.txt`);
    const etag = whole.headers.etag!;
    expect(etag).toMatch(/^"[0-9a-f]{64}"$/);
    expect((await download(t.port, url, tokenOf(anna), { headers: { 'If-None-Match': etag } })).status).toBe(304);
    const part = await download(t.port, url, tokenOf(anna), { headers: { Range: 'bytes=5-9' } });
    expect(part.status).toBe(206);
    expect(part.headers['content-range']).toBe('bytes 5-9/20');
    expect(part.body.toString()).toBe('56789');
    const resume = await download(t.port, url, tokenOf(anna), { headers: { Range: 'bytes=15-' } });
    expect(resume.body.toString()).toBe('fghij');
    const tail = await download(t.port, url, tokenOf(anna), { headers: { Range: 'bytes=-3' } });
    expect(tail.body.toString()).toBe('hij');
    const beyond = await download(t.port, url, tokenOf(anna), { headers: { Range: 'bytes=20-30' } });
    expect(beyond.status).toBe(416);
    expect(beyond.headers['content-range']).toBe('bytes */20');
    const head = await download(t.port, url, tokenOf(anna), { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.body.length).toBe(0);
    expect((await download(t.port, url, tokenOf(anna), { method: 'DELETE' })).status).toBe(405);
  });

  it('pictures are inline, everything else an attachment', async () => {
    const t = await startFilesServer();
    const anna = await t.join('Anna', { localAddress: VICTIM });
    const png = await upload(t.port, tokenOf(anna), PNG_1X1, 'a.png');
    const got = await download(t.port, `/files/${String(png.json!.fileId)}`, tokenOf(anna));
    expect(got.headers['content-type']).toBe('image/png');
    expect(got.headers['content-disposition']).toMatch(/^inline;/);
  });

  it('a signed link (for <img>) works without a header until it expires or its session ends; a changed one never', async () => {
    const t = await startFilesServer();
    const anna = await t.join('Anna', { localAddress: VICTIM });
    const bob = await t.join('Bob', { localAddress: VICTIM });
    const fileId = String((await upload(t.port, tokenOf(anna), PNG_1X1, 'a.png')).json!.fileId);
    anna.send({ action: 'Message', text: '', toUserId: 0, file: { fileId } });
    await bob.waitFor((m) => m.action === 'PublicMessage' && m.file?.fileId === fileId);
    expect((await download(t.port, `/files/${fileId}/link`, null)).status).toBe(401);
    const link = await download(t.port, `/files/${fileId}/link`, tokenOf(bob));
    expect(link.status).toBe(200);
    expect(link.headers['cache-control']).toBe('no-store');
    const url = String(link.json!.url);
    expect(url).toMatch(new RegExp(`^/files/${fileId}\\?u=${bob.userId}&exp=\\d+&sig=[A-Za-z0-9_-]{43}$`));
    const got = await download(t.port, url, null);
    expect(got.status).toBe(200);
    expect(got.body.equals(PNG_1X1)).toBe(true);
    // Another file's id under the same signature, another user's id: refused.
    const other = String((await upload(t.port, tokenOf(anna), 'x', 'x.txt')).json!.fileId);
    expect((await download(t.port, url.replace(fileId, other), null)).status).toBe(403);
    expect((await download(t.port, url.replace(`u=${bob.userId}`, `u=${anna.userId}`), null)).status).toBe(403);
    await bob.close();
    expect((await download(t.port, url, null)).status).toBe(403);
  });

  it('a signed link expires', async () => {
    const t = await startFilesServer({ fileLinkTtlMs: 1 });
    const anna = await t.join('Anna', { localAddress: VICTIM });
    const fileId = String((await upload(t.port, tokenOf(anna), PNG_1X1, 'a.png')).json!.fileId);
    const url = String((await download(t.port, `/files/${fileId}/link`, tokenOf(anna))).json!.url);
    await new Promise((r) => setTimeout(r, 5));
    expect((await download(t.port, url, null)).status).toBe(403);
  });

  it('uploads and downloads over HTTPS on the room’s port', async () => {
    const cert = readFileSync(join(fixtures, 'tls-cert.pem'));
    const key = readFileSync(join(fixtures, 'tls-key.pem'));
    const t = await startFilesServer({ tls: { cert, key } });
    const anna = await ChatClient.connect(chatUrl(t.port, { userName: 'Anna' }).replace('ws://', 'wss://'), { rejectUnauthorized: false, localAddress: VICTIM });
    try {
      const sent = await upload(t.port, tokenOf(anna), PNG_1X1, 'a.png', { secure: true });
      expect(sent.status).toBe(201);
      const got = await download(t.port, `/files/${String(sent.json!.fileId)}`, tokenOf(anna), { secure: true });
      expect(got.body.equals(PNG_1X1)).toBe(true);
    } finally {
      anna.terminate();
    }
  });
});

describe('files across a restart', () => {
  it('with the same --db and --files-dir, files are still there and served; their lines in the history still carry them', async () => {
    const dir = tempDir();
    const config = { host: '127.0.0.1', port: 0, dbFile: join(dir, 'chat.db'), filesDir: join(dir, 'files'), exemptLoopbackFromIpLimit: false };
    const first = await startChatServer(config);
    let fileId: string;
    try {
      const anna = await ChatClient.connect(chatUrl(first.port, { userName: 'Anna' }), { localAddress: VICTIM });
      fileId = String((await upload(first.port, tokenOf(anna), PNG_1X1, 'kept.png')).json!.fileId);
      anna.send({ action: 'Message', text: '', toUserId: 0, file: { fileId } });
      await anna.waitFor((m) => m.action === 'PublicMessage' && m.file?.fileId === fileId);
      anna.terminate();
    } finally {
      await first.close();
    }
    const second = await startChatServer(config);
    try {
      const bob = await ChatClient.connect(chatUrl(second.port, { userName: 'Bob' }), { localAddress: VICTIM });
      const history = await bob.waitFor((m) => m.action === 'History');
      expect(history.action === 'History' && history.messages.some((m) => m.file?.fileId === fileId)).toBe(true);
      const got = await download(second.port, `/files/${fileId}`, tokenOf(bob));
      expect(got.status).toBe(200);
      expect(got.body.equals(PNG_1X1)).toBe(true);
      expect(got.headers['content-disposition']).toMatch(/filename="kept.png"/);
      bob.terminate();
    } finally {
      await second.close();
    }
  });
});
