import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { get } from 'node:http';
import type { IncomingHttpHeaders } from 'node:http';
import { tmpdir } from 'node:os';
import { extname, join, resolve } from 'node:path';
import { brotliCompressSync, brotliDecompressSync, gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTENT_SECURITY_POLICY } from '../../../src-main/server/static-files';
import { expectCanaryPairChats } from '../../support/chat-client';
import { RawWebSocket } from '../../support/raw-websocket';
import { ensureBuilt } from '../../support/build';
import { startTestServer } from './helpers';

const CSP =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self' ws: wss:; " +
  "object-src 'none'; base-uri 'none'; frame-ancestors 'none'";

let root: string;
let outside: string;
const BIG_JS = 'export const greeting = "hello";\n'.repeat(500);

interface RawAnswer {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** A GET that leaves the body as sent (fetch would decompress it) with the given headers. */
function getRaw(port: number, path: string, headers: Record<string, string> = {}): Promise<RawAnswer> {
  return new Promise((resolveAnswer, reject) => {
    // A connection of its own each time (no keep-alive reuse between requests).
    const request = get({ host: '127.0.0.1', port, path, headers, agent: false }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolveAnswer({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks) }));
      response.on('error', reject);
    });
    request.on('error', reject);
  });
}

beforeAll(() => {
  const base = mkdtempSync(join(tmpdir(), 'simplechat-web-'));
  root = join(base, 'renderer');
  outside = join(base, 'secret.txt');
  mkdirSync(join(root, 'assets'), { recursive: true });
  writeFileSync(join(root, 'index.html'), '<!doctype html><title>SimpleChat</title>');
  writeFileSync(join(root, 'app.js'), 'console.log(1);');
  writeFileSync(join(root, 'styles.css'), 'body{}');
  writeFileSync(join(root, 'big.js'), BIG_JS);
  writeFileSync(join(root, 'big.js.br'), brotliCompressSync(BIG_JS));
  writeFileSync(join(root, 'big.js.gz'), gzipSync(BIG_JS));
  // A sibling left over from an older build: older than its file, so never served.
  writeFileSync(join(root, 'stale.css'), 'body{color:red}'.repeat(100));
  writeFileSync(join(root, 'stale.css.br'), brotliCompressSync('body{color:blue}'.repeat(100)));
  const past = new Date(Date.now() - 60_000);
  utimesSync(join(root, 'stale.css.br'), past, past);
  writeFileSync(join(root, 'assets', 'icon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
  writeFileSync(join(root, '.env'), 'SECRET=1');
  writeFileSync(join(root, 'notes.unknownext'), 'x');
  writeFileSync(outside, 'top secret');
  symlinkSync(outside, join(root, 'leak.txt'));
});

afterAll(() => rmSync(join(root, '..'), { recursive: true, force: true }));

/** A request sent byte for byte (fetch would normalise `..` away); resolves with the response head. */
async function rawGet(port: number, target: string): Promise<{ status: number; head: string }> {
  const raw = await RawWebSocket.open(port, Buffer.from(`GET ${target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`));
  await raw.waitForEnd();
  return { status: raw.status, head: raw.responseHead };
}

describe('the web UI on the chat port', () => {
  it('serves index.html at / with the strict CSP and the right content type', async () => {
    const t = await startTestServer({ webRoot: root });
    const response = await fetch(`http://127.0.0.1:${t.port}/`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(response.headers.get('content-security-policy')).toBe(CSP);
    expect(CONTENT_SECURITY_POLICY).toBe(CSP);
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(await response.text()).toContain('<title>SimpleChat</title>');
  });

  it.each([
    ['/app.js', 'text/javascript; charset=utf-8'],
    ['/styles.css', 'text/css; charset=utf-8'],
    ['/assets/icon.svg', 'image/svg+xml'],
  ])('serves %s as %s', async (path, type) => {
    const t = await startTestServer({ webRoot: root });
    const response = await fetch(`http://127.0.0.1:${t.port}${path}`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe(type);
    expect(response.headers.get('content-security-policy')).toBe(CSP);
  });

  it.each(['/../secret.txt', '/assets/../../secret.txt', '/%2e%2e/secret.txt', '/..%2fsecret.txt', '/.env', '/notes.unknownext', '/nope.js', '/assets/', '/leak.txt'])(
    '404s %s',
    async (target) => {
      const t = await startTestServer({ webRoot: root });
      const response = await rawGet(t.port, target);
      expect(response.status).toBe(404);
      expect(response.head).toContain(`Content-Security-Policy: ${CSP}`);
    },
  );

  it('answers HEAD without a body and refuses other methods with 405', async () => {
    const t = await startTestServer({ webRoot: root });
    const head = await fetch(`http://127.0.0.1:${t.port}/app.js`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
    const post = await fetch(`http://127.0.0.1:${t.port}/`, { method: 'POST', body: 'x' });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, HEAD');
  });

  it('serves the web UI and the chat on one port at once', async () => {
    const t = await startTestServer({ webRoot: root });
    const [response] = await Promise.all([fetch(`http://127.0.0.1:${t.port}/app.js`), expectCanaryPairChats(t.port)]);
    expect(response.status).toBe(200);
  });

  it('without a web root, says to use WebSocket (426)', async () => {
    const t = await startTestServer({ webRoot: null });
    const response = await fetch(`http://127.0.0.1:${t.port}/`);
    expect(response.status).toBe(426);
    expect(response.headers.get('content-security-policy')).toBe(CSP);
  });
});

describe('the web UI over the wire: compression and revalidation', () => {
  it('sends the Brotli sibling to a client that takes br, gzip to one that takes only gzip, the file itself otherwise', async () => {
    const t = await startTestServer({ webRoot: root });
    const br = await getRaw(t.port, '/big.js', { 'Accept-Encoding': 'gzip, deflate, br' });
    expect(br.status).toBe(200);
    expect(br.headers['content-encoding']).toBe('br');
    expect(br.headers['vary']).toBe('Accept-Encoding');
    expect(br.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(Number(br.headers['content-length'])).toBe(br.body.length);
    expect(br.body.length).toBeLessThan(BIG_JS.length / 10);
    expect(brotliDecompressSync(br.body).toString()).toBe(BIG_JS);

    const gz = await getRaw(t.port, '/big.js', { 'Accept-Encoding': 'br;q=0, gzip' });
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(gz.body).toString()).toBe(BIG_JS);

    const plain = await getRaw(t.port, '/big.js');
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.body.toString()).toBe(BIG_JS);
  });

  it('never sends a sibling older than its file', async () => {
    const t = await startTestServer({ webRoot: root });
    const answer = await getRaw(t.port, '/stale.css', { 'Accept-Encoding': 'br' });
    expect(answer.headers['content-encoding']).toBeUndefined();
    expect(answer.body.toString()).toBe('body{color:red}'.repeat(100));
  });

  it('answers a reload with 304 and no body while the file is the same, one ETag per encoding', async () => {
    const t = await startTestServer({ webRoot: root });
    const first = await getRaw(t.port, '/big.js', { 'Accept-Encoding': 'br' });
    const etag = first.headers['etag'];
    expect(etag).toMatch(/^".+"$/);
    const again = await getRaw(t.port, '/big.js', { 'Accept-Encoding': 'br', 'If-None-Match': etag ?? '' });
    expect(again.status).toBe(304);
    expect(again.body.length).toBe(0);
    expect(again.headers['etag']).toBe(etag);

    const plain = await getRaw(t.port, '/big.js', { 'If-None-Match': etag ?? '' });
    expect(plain.status).toBe(200);
    expect(plain.headers['etag']).not.toBe(etag);
    expect(plain.body.toString()).toBe(BIG_JS);
  });

  it('answers 200 again once the file has changed', async () => {
    const t = await startTestServer({ webRoot: root });
    writeFileSync(join(root, 'changing.css'), 'a{}');
    const first = await getRaw(t.port, '/changing.css');
    writeFileSync(join(root, 'changing.css'), 'a{color:green}');
    const later = new Date(Date.now() + 5_000);
    utimesSync(join(root, 'changing.css'), later, later);
    const second = await getRaw(t.port, '/changing.css', { 'If-None-Match': first.headers['etag'] ?? '' });
    expect(second.status).toBe(200);
    expect(second.body.toString()).toBe('a{color:green}');
  });
});

describe('the built web UI', () => {
  const built = resolve(import.meta.dirname, '../../../dist/renderer');

  function textFiles(dir: string): string[] {
    return readdirSync(dir).flatMap((name) => {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) return textFiles(path);
      return ['.js', '.css', '.html', '.svg'].includes(extname(name)) ? [path] : [];
    });
  }

  it('has a Brotli and a gzip sibling beside every text file, each the same bytes', () => {
    ensureBuilt('renderer');
    const files = textFiles(built);
    expect(files.map((file) => file.slice(built.length))).toEqual(expect.arrayContaining(['/app.js', '/index.html', '/styles.css']));
    for (const file of files) {
      const bytes = readFileSync(file);
      expect(existsSync(`${file}.br`), `${file}.br`).toBe(true);
      expect(brotliDecompressSync(readFileSync(`${file}.br`)).equals(bytes), `${file}.br`).toBe(true);
      expect(gunzipSync(readFileSync(`${file}.gz`)).equals(bytes), `${file}.gz`).toBe(true);
    }
  });

  it('keeps the QR encoder out of the first load, as a chunk of its own', () => {
    ensureBuilt('renderer');
    const app = readFileSync(join(built, 'app.js'), 'utf8');
    const chunks = readdirSync(join(built, 'chunks')).filter((name) => name.endsWith('.js'));
    // One of the encoder's own error messages marks where its code went.
    const marker = 'The amount of data is too big';
    const encoder = chunks.filter((name) => readFileSync(join(built, 'chunks', name), 'utf8').includes(marker));
    expect(encoder).toHaveLength(1);
    expect(app).not.toContain(marker);
  });

  it('names in index.html every chunk app.js imports, so the browser fetches them at once', () => {
    ensureBuilt('renderer');
    const app = readFileSync(join(built, 'app.js'), 'utf8');
    const html = readFileSync(join(built, 'index.html'), 'utf8');
    const imported = [...app.matchAll(/(?:^|[;}])import[^"(]*?from"(\.\/chunks\/[^"]+)"/g)].map((m) => m[1]);
    const preloaded = [...html.matchAll(/<link rel="modulepreload" href="([^"]+)"/g)].map((m) => m[1]);
    expect(imported.length).toBeGreaterThan(0);
    expect(preloaded.sort()).toEqual(imported.sort());
    for (const href of preloaded) expect(existsSync(join(built, href ?? ''))).toBe(true);
  });
});
