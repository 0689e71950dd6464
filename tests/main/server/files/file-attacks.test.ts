import { readdirSync } from 'node:fs';
import { connect } from 'node:net';
import { dirname } from 'node:path';
import { describe, expect, it } from 'vitest';
import { expectCanaryPairChats, withTimeout } from '../../../support/chat-client';
import { ATTACKER, PNG_1X1, VICTIM, download, openUpload, startFilesServer, tokenOf, until, untilOnDisk, upload } from './file-helpers';

/*
 * Issue 14 §4 over real HTTP: every bad upload gets a clear refusal (JSON) to the one
 * who sent it, nothing is left on disk but whole files under the server's ids inside
 * --files-dir, and the others keep chatting.
 */

const HTML = '<!doctype html><html><body><script>alert(document.cookie)</script></body></html>';
const SVG = '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script><rect width="10" height="10"/></svg>';
// A GIF header a browser would render, followed by script: a GIF/JS polyglot.
const GIF_POLYGLOT = Buffer.concat([Buffer.from('GIF89a'), Buffer.from([0x2f, 0x2a, 0x01, 0x00, 0x80, 0x00, 0x00]), Buffer.from('*/=1;alert(1)//<script>alert(2)</script>')]);

describe('names that play tricks', () => {
  it('keeps only a clean last segment of ../../etc/passwd, C:\\x, a NUL, an HTML name and 10 000 characters; on disk only the server’s ids', async () => {
    const t = await startFilesServer();
    const anna = await t.join('Anna', { localAddress: ATTACKER });
    const names: Array<[string, string | ((name: string) => boolean)]> = [
      ['../../etc/passwd', 'passwd'],
      ['C:\\x', 'x'],
      ['..\\..\\windows\\win.ini', 'win.ini'],
      ['a\u0000b.txt', 'ab.txt'],
      ['evil\u202Etxt.exe', 'eviltxt.exe'],
      ['..', 'file'],
      ['<img src=x onerror=alert(1)>.html', (name) => !name.includes('/') && name.endsWith('.html')],
      ['a'.repeat(10_000), (name) => name === 'a'.repeat(255)],
      ['я'.repeat(1_000) + '.txt', (name) => Buffer.byteLength(name) <= 255 && name.endsWith('.txt') && /^я+\.txt$/.test(name)],
    ];
    const ids: string[] = [];
    for (const [name, want] of names) {
      const answer = await upload(t.port, tokenOf(anna), 'hello', name, { from: ATTACKER });
      expect(answer.status, name).toBe(201);
      const stored = String(answer.json!.name);
      if (typeof want === 'string') expect(stored).toBe(want);
      else expect(want(stored), stored).toBe(true);
      ids.push(String(answer.json!.fileId));
    }
    const badEncoding = await upload(t.port, tokenOf(anna), 'hello', 'x', { from: ATTACKER, headers: { 'X-File-Name': '%E0%A4%A' } });
    expect(badEncoding.status).toBe(400);
    expect(badEncoding.json).toMatchObject({ error: 'invalid-file-name' });
    expect(t.onDisk()).toEqual([...ids].sort());
    // Nothing beside the files folder either.
    expect(readdirSync(dirname(t.filesDir))).toEqual(['files']);
  });
});

describe('types that lie', () => {
  it('an HTML page sent as image/png is stored as a download, never a page or a picture', async () => {
    const t = await startFilesServer();
    const mallory = await t.join('Mallory', { localAddress: ATTACKER });
    const answer = await upload(t.port, tokenOf(mallory), HTML, 'cat.png', { type: 'image/png', from: ATTACKER });
    expect(answer.status).toBe(201);
    expect(answer.json).toMatchObject({ type: 'application/octet-stream' });
    expect(answer.json).not.toHaveProperty('width');
    const got = await download(t.port, `/files/${String(answer.json!.fileId)}`, tokenOf(mallory), { from: ATTACKER });
    expect(got.headers['content-type']).toBe('application/octet-stream');
    expect(got.headers['content-disposition']).toMatch(/^attachment;/);
    expect(got.headers['x-content-type-options']).toBe('nosniff');
    expect(got.headers['content-security-policy']).toBe("sandbox; default-src 'none'");
  });

  it('an SVG with script is a download (never image/svg+xml, never inline)', async () => {
    const t = await startFilesServer();
    const mallory = await t.join('Mallory', { localAddress: ATTACKER });
    const answer = await upload(t.port, tokenOf(mallory), SVG, 'logo.svg', { type: 'image/svg+xml', from: ATTACKER });
    expect(answer.status).toBe(201);
    expect(answer.json!.type).not.toBe('image/svg+xml');
    const got = await download(t.port, `/files/${String(answer.json!.fileId)}`, tokenOf(mallory), { from: ATTACKER });
    expect(got.headers['content-type']).not.toMatch(/svg|html|xml/);
    expect(got.headers['content-disposition']).toMatch(/^attachment;/);
    expect(got.headers['content-security-policy']).toBe("sandbox; default-src 'none'");
  });

  it('a GIF/script polyglot is at most a GIF: image/gif, nosniff, a sandboxing CSP', async () => {
    const t = await startFilesServer();
    const mallory = await t.join('Mallory', { localAddress: ATTACKER });
    const answer = await upload(t.port, tokenOf(mallory), GIF_POLYGLOT, 'x.html', { type: 'text/html', from: ATTACKER });
    expect(answer.status).toBe(201);
    expect(['image/gif', 'application/octet-stream']).toContain(answer.json!.type);
    const got = await download(t.port, `/files/${String(answer.json!.fileId)}`, tokenOf(mallory), { from: ATTACKER });
    expect(got.headers['content-type']).not.toMatch(/html|javascript|xml/);
    expect(got.headers['x-content-type-options']).toBe('nosniff');
    expect(got.headers['content-security-policy']).toBe("sandbox; default-src 'none'");
    if (got.headers['content-type'] !== 'image/gif') expect(got.headers['content-disposition']).toMatch(/^attachment;/);
  });
});

describe('bodies that never end well', () => {
  it('a Content-Length past --max-file-size gets 413 at once, before a byte of the body', async () => {
    const t = await startFilesServer({ maxFileSize: 1000 });
    const mallory = await t.join('Mallory', { localAddress: ATTACKER });
    const { req, answer } = openUpload(t.port, tokenOf(mallory), { 'Content-Length': String(50 * 1024 * 1024 * 1024) }, ATTACKER);
    const got = await answer;
    req.destroy();
    expect(got).not.toBe('closed');
    expect((got as { status: number }).status).toBe(413);
    expect((got as { json: unknown }).json).toMatchObject({ error: 'file-too-large' });
    expect(t.onDisk()).toEqual([]);
  });

  it('a chunked body that passes --max-file-size gets 413 as it passes, and leaves nothing', async () => {
    const t = await startFilesServer({ maxFileSize: 64 * 1024 });
    const mallory = await t.join('Mallory', { localAddress: ATTACKER });
    const { req, answer } = openUpload(t.port, tokenOf(mallory), { 'Transfer-Encoding': 'chunked' }, ATTACKER);
    req.on('error', () => {});
    const chunk = Buffer.alloc(16 * 1024, 1);
    for (let i = 0; i < 8; i++) req.write(chunk);
    const got = await answer;
    req.destroy();
    expect(got).not.toBe('closed');
    expect((got as { status: number }).status).toBe(413);
    await untilOnDisk(t, []);
    await expectCanaryPairChats(t.port);
  });

  it('a huge Content-Length with a short body, then the client gone: nothing left, the others chat on', async () => {
    const t = await startFilesServer();
    const victim = await t.join('Victim', { localAddress: VICTIM });
    const mallory = await t.join('Mallory', { localAddress: ATTACKER });
    const { req } = openUpload(t.port, tokenOf(mallory), { 'Content-Length': String(20 * 1024 * 1024) }, ATTACKER);
    req.on('error', () => {});
    req.write(Buffer.alloc(1000, 7));
    await until(() => t.onDisk().length === 1);
    req.destroy();
    await untilOnDisk(t, []);
    const at = victim.mark();
    const bob = await t.join('Bob', { localAddress: VICTIM });
    bob.say('still here');
    await victim.waitFor((m) => m.action === 'PublicMessage' && m.text === 'still here', undefined, 'the line', at);
  });

  it('a slow upload (slowloris) is cut off after --upload-idle-timeout-ms with 408, and leaves nothing', async () => {
    const t = await startFilesServer({ uploadIdleTimeoutMs: 200 });
    const mallory = await t.join('Mallory', { localAddress: ATTACKER });
    const { req, answer } = openUpload(t.port, tokenOf(mallory), { 'Content-Length': '100000' }, ATTACKER);
    req.on('error', () => {});
    req.write('a few bytes');
    const got = await answer;
    req.destroy();
    if (got !== 'closed') {
      expect(got.status).toBe(408);
      expect(got.json).toMatchObject({ error: 'upload-timeout' });
    }
    await untilOnDisk(t, []);
    expect(t.logs.join('\n')).not.toMatch(/uploaded by/);
    await expectCanaryPairChats(t.port);
  });

  it('an upload that takes longer than --handshake-timeout-ms but keeps sending is taken whole', async () => {
    const t = await startFilesServer({ handshakeTimeoutMs: 300, uploadIdleTimeoutMs: 1_000 });
    const anna = await t.join('Anna', { localAddress: VICTIM });
    const { req, answer } = openUpload(t.port, tokenOf(anna), { 'Content-Length': '10' });
    // Past Node's own request timeout check (once a second), which would cut it at the handshake deadline.
    for (let i = 0; i < 9; i++) {
      req.write('x');
      await new Promise((r) => setTimeout(r, 250));
    }
    req.end('y');
    expect(await answer).toMatchObject({ status: 201, json: { size: 10 } });
  });

  it('a GET of a file whose body trickles is cut off after --handshake-timeout-ms, as any request', async () => {
    const t = await startFilesServer({ handshakeTimeoutMs: 300 });
    const mallory = await t.join('Mallory', { localAddress: ATTACKER });
    const socket = connect({ host: '127.0.0.1', port: t.port, localAddress: ATTACKER });
    await new Promise((r) => socket.once('connect', r));
    socket.write(`GET /files/${'A'.repeat(22)} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${tokenOf(mallory)}\r\nContent-Length: 100000\r\n\r\nabc`);
    socket.on('data', () => {});
    socket.on('error', () => {});
    const closed = new Promise((r) => socket.once('close', r));
    const trickle = setInterval(() => socket.writable && socket.write('x'), 50);
    try {
      await withTimeout(closed, 5_000, 'the server to close the trickling request');
    } finally {
      clearInterval(trickle);
      socket.destroy();
    }
  });

  it('many parallel uploads from one user: past --max-parallel-uploads each further one gets 429; the first finish', async () => {
    const t = await startFilesServer({ maxParallelUploads: 2 });
    const mallory = await t.join('Mallory', { localAddress: ATTACKER });
    const held = [0, 1].map(() => openUpload(t.port, tokenOf(mallory), { 'Content-Length': '10' }, ATTACKER));
    for (const { req } of held) req.write('12345');
    // Each has reached the server once its first bytes are in a partial file.
    await until(() => t.onDisk().length === 2);
    const extra = await Promise.all([0, 1, 2].map(() => upload(t.port, tokenOf(mallory), 'third', 'c.txt', { from: ATTACKER })));
    for (const answer of extra) {
      expect(answer.status).toBe(429);
      expect(answer.json).toMatchObject({ error: 'too-many-uploads' });
    }
    for (const { req } of held) req.end('67890');
    const done = await Promise.all(held.map((h) => h.answer));
    for (const answer of done) expect(answer).toMatchObject({ status: 201 });
    // Another user is not held back by Mallory's uploads.
    const victim = await t.join('Victim', { localAddress: VICTIM });
    expect((await upload(t.port, tokenOf(victim), PNG_1X1, 'a.png')).status).toBe(201);
  });

  it('uploads past --upload-burst get 429 with Retry-After; past the quota 413; past --files-max-total 507', async () => {
    const t = await startFilesServer({ uploadBurst: 2, uploadsPerMinute: 1, filesQuotaPerUser: 2500, filesMaxTotal: 3500 });
    const mallory = await t.join('Mallory', { localAddress: ATTACKER });
    const victim = await t.join('Victim', { localAddress: VICTIM });
    const kilobyte = Buffer.alloc(1000, 3);
    expect((await upload(t.port, tokenOf(mallory), kilobyte, 'a', { from: ATTACKER })).status).toBe(201);
    expect((await upload(t.port, tokenOf(mallory), kilobyte, 'b', { from: ATTACKER })).status).toBe(201);
    const overQuota = await upload(t.port, tokenOf(mallory), kilobyte, 'c', { from: ATTACKER });
    expect(overQuota.status).toBe(413);
    expect(overQuota.json).toMatchObject({ error: 'quota-exceeded' });
    const tooMany = await upload(t.port, tokenOf(mallory), 'x', 'd', { from: ATTACKER });
    expect(tooMany.status).toBe(429);
    expect(tooMany.headers['retry-after']).toMatch(/^\d+$/);
    expect((await upload(t.port, tokenOf(victim), kilobyte, 'e')).status).toBe(201);
    const full = await upload(t.port, tokenOf(victim), kilobyte, 'f');
    expect(full.status).toBe(507);
    expect(full.json).toMatchObject({ error: 'storage-full' });
    expect(t.onDisk()).toHaveLength(3);
  });
});
