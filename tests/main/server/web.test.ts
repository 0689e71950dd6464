import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTENT_SECURITY_POLICY } from '../../../src-main/server/static-files';
import { expectCanaryPairChats } from '../../support/chat-client';
import { RawWebSocket } from '../../support/raw-websocket';
import { startTestServer } from './helpers';

const CSP =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self' ws: wss:; " +
  "object-src 'none'; base-uri 'none'; frame-ancestors 'none'";

let root: string;
let outside: string;

beforeAll(() => {
  const base = mkdtempSync(join(tmpdir(), 'simplechat-web-'));
  root = join(base, 'renderer');
  outside = join(base, 'secret.txt');
  mkdirSync(join(root, 'assets'), { recursive: true });
  writeFileSync(join(root, 'index.html'), '<!doctype html><title>SimpleChat</title>');
  writeFileSync(join(root, 'app.js'), 'console.log(1);');
  writeFileSync(join(root, 'styles.css'), 'body{}');
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
