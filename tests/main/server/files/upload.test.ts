import { request } from 'node:http';
import { describe, expect, it } from 'vitest';
import { ATTACKER, PNG_1X1, VICTIM, download, httpCall, startFilesServer, tokenOf, upload } from './file-helpers';

describe('POST /files', () => {
  it('stores a picture under an id the server made, sniffs its type and size, and answers with JSON', async () => {
    const t = await startFilesServer();
    const anna = await t.join('Anna', { localAddress: VICTIM });
    const answer = await upload(t.port, tokenOf(anna), PNG_1X1, 'screenshot.png', { type: 'image/png' });
    expect(answer.status).toBe(201);
    expect(answer.json).toEqual({ fileId: expect.stringMatching(/^[A-Za-z0-9_-]{22}$/), name: 'screenshot.png', size: PNG_1X1.length, type: 'image/png', width: 1, height: 1 });
    expect(t.onDisk()).toEqual([answer.json!.fileId]);
    const back = await download(t.port, `/files/${String(answer.json!.fileId)}`, tokenOf(anna));
    expect(back.status).toBe(200);
    expect(back.body.equals(PNG_1X1)).toBe(true);
  });

  it('refuses without a token, with a wrong one, with a gone session’s (401), other methods (405), no body and zero bytes (400): JSON each, nothing on disk', async () => {
    const t = await startFilesServer();
    const anna = await t.join('Anna', { localAddress: VICTIM });
    const gone = await t.join('Gone', { localAddress: ATTACKER });
    const goneToken = tokenOf(gone);
    await gone.close();
    const cases = [
      await upload(t.port, null, 'x', 'a.txt', { from: ATTACKER }),
      await upload(t.port, 'not-a-token', 'x', 'a.txt', { from: ATTACKER }),
      await upload(t.port, goneToken, 'x', 'a.txt', { from: ATTACKER }),
    ];
    for (const answer of cases) {
      expect(answer.status).toBe(401);
      expect(answer.json).toMatchObject({ error: 'unauthorized' });
      expect(answer.headers['content-type']).toMatch(/^application\/json/);
    }
    const get = await httpCall(t.port, '/files', { headers: { Authorization: `Bearer ${tokenOf(anna)}` } });
    expect(get.status).toBe(405);
    expect(get.json).toMatchObject({ error: 'method-not-allowed' });
    const noBody = await httpCall(t.port, '/files', { method: 'POST', headers: { Authorization: `Bearer ${tokenOf(anna)}` } });
    expect(noBody.status).toBe(400);
    expect(noBody.json).toMatchObject({ error: 'no-body' });
    const zeroLength = await upload(t.port, tokenOf(anna), Buffer.alloc(0), 'empty.txt');
    expect(zeroLength.status).toBe(400);
    expect(zeroLength.json).toMatchObject({ error: 'no-body' });
    const empty = await upload(t.port, tokenOf(anna), Buffer.alloc(0), 'empty.txt', { headers: { 'Transfer-Encoding': 'chunked' } });
    expect(empty.status).toBe(400);
    expect(empty.json).toMatchObject({ error: 'empty-file' });
    expect(t.onDisk()).toEqual([]);
  });
});

describe('POST /files with Expect: 100-continue', () => {
  it('is told to go on only once its headers pass: a refusal comes before any byte of the body, an accepted upload completes', async () => {
    const t = await startFilesServer({ maxFileSize: 1000 });
    const anna = await t.join('Anna', { localAddress: VICTIM });
    const refused = await expectContinue(t.port, tokenOf(anna), 5000);
    expect(refused).toEqual({ continued: false, status: 413 });
    const unauthorized = await expectContinue(t.port, 'nobody', 10);
    expect(unauthorized).toEqual({ continued: false, status: 401 });
    const accepted = await expectContinue(t.port, tokenOf(anna), 10);
    expect(accepted).toEqual({ continued: true, status: 201 });
  });
});

/** An upload that sends its body only after a 100 Continue; says whether one came and the final status. */
function expectContinue(port: number, token: string, length: number): Promise<{ continued: boolean; status: number }> {
  return new Promise((resolve, reject) => {
    let continued = false;
    const req = request({
      host: '127.0.0.1',
      port,
      path: '/files',
      method: 'POST',
      localAddress: VICTIM,
      agent: false,
      headers: { Authorization: `Bearer ${token}`, 'Content-Length': String(length), Expect: '100-continue', 'X-File-Name': 'a.bin' },
    });
    req.on('continue', () => {
      continued = true;
      req.end(Buffer.alloc(length, 1));
    });
    req.on('response', (res) => {
      res.resume();
      res.on('end', () => resolve({ continued, status: res.statusCode ?? 0 }));
      if (!continued) req.destroy();
    });
    req.on('error', (error) => (continued ? reject(error) : undefined));
    req.flushHeaders();
  });
}

describe('the files endpoints and the peer scope', () => {
  it('refuse a peer outside --allow-peers with 403 before the token is looked at, even a valid one', async () => {
    const t = await startFilesServer({ peerScope: ['127.0.0.2/32'] });
    const anna = await t.join('Anna', { localAddress: VICTIM });
    const fileId = String((await upload(t.port, tokenOf(anna), PNG_1X1, 'a.png')).json!.fileId);
    expect((await upload(t.port, tokenOf(anna), PNG_1X1, 'b.png', { from: ATTACKER })).status).toBe(403);
    expect((await download(t.port, `/files/${fileId}`, tokenOf(anna), { from: ATTACKER })).status).toBe(403);
    expect(t.onDisk()).toEqual([fileId]);
  });
});

describe('the files endpoints and other origins', () => {
  it('serve a page of an --allow-origin origin with CORS (its preflight answered); any other Origin gets 403', async () => {
    const t = await startFilesServer({ allowedOrigins: ['https://chat.example.com'] });
    const anna = await t.join('Anna', { localAddress: VICTIM });
    const preflight = await httpCall(t.port, '/files', {
      method: 'OPTIONS',
      headers: { Origin: 'https://chat.example.com', 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'authorization,x-file-name' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers['access-control-allow-origin']).toBe('https://chat.example.com');
    expect(preflight.headers['access-control-allow-headers']).toMatch(/Authorization/);
    const allowed = await upload(t.port, tokenOf(anna), PNG_1X1, 'a.png', { headers: { Origin: 'https://chat.example.com' } });
    expect(allowed.status).toBe(201);
    expect(allowed.headers['access-control-allow-origin']).toBe('https://chat.example.com');
    const fileId = String(allowed.json!.fileId);
    for (const answer of [
      await httpCall(t.port, '/files', { method: 'OPTIONS', headers: { Origin: 'https://evil.example', 'Access-Control-Request-Method': 'POST' } }),
      await upload(t.port, tokenOf(anna), PNG_1X1, 'b.png', { headers: { Origin: 'https://evil.example' } }),
      await download(t.port, `/files/${fileId}`, tokenOf(anna), { headers: { Origin: 'https://evil.example' } }),
    ]) {
      expect(answer.status).toBe(403);
      expect(answer.headers['access-control-allow-origin']).toBeUndefined();
    }
    // The server's own page (same origin) and native clients (no Origin) are served as always.
    const own = await download(t.port, `/files/${fileId}`, tokenOf(anna), { headers: { Origin: `http://127.0.0.1:${t.port}`, Host: `127.0.0.1:${t.port}` } });
    expect(own.status).toBe(200);
    expect(t.onDisk()).toEqual([fileId]);
  });
});
