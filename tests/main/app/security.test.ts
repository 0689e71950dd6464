import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  CONTENT_SECURITY_POLICY,
  RENDERER_ENTRY_URL,
  createRendererFileHandler,
  externalLinkTarget,
  isPermissionAllowed,
  isRendererUrl,
  rendererFilePath,
} from '../../../src-main/app/security';

describe('content security policy', () => {
  const directives = new Map(CONTENT_SECURITY_POLICY.split(';').map((d) => {
    const [name, ...values] = d.trim().split(/\s+/);
    return [name!, values] as const;
  }));

  it('allows scripts only from our origin: no inline script, no eval', () => {
    expect(directives.get('script-src')).toEqual(["'self'"]);
    expect(CONTENT_SECURITY_POLICY).not.toMatch(/unsafe-eval|wasm-unsafe-eval/);
    expect(directives.get('default-src')).toEqual(["'none'"]);
    expect(directives.get('object-src')).toEqual(["'none'"]);
    expect(directives.get('base-uri')).toEqual(["'none'"]);
    // The page never opens a connection: the main process owns it.
    expect(directives.get('connect-src')).toEqual(["'none'"]);
  });
});

describe('external links', () => {
  it('lets plain http and https links through, normalised', () => {
    expect(externalLinkTarget('https://example.com/a b?q=1#x')).toBe('https://example.com/a%20b?q=1#x');
    expect(externalLinkTarget('HTTP://Example.COM')).toBe('http://example.com/');
  });

  it.each([
    'javascript:alert(1)',
    'file:///etc/passwd',
    'smb://server/share',
    'data:text/html,<script>alert(1)</script>',
    'app://simplechat/index.html',
    'ms-msdt:/id PCWDiagnostic',
    'https://bank.example@evil.example/',
    'https://user:pass@example.com/',
    'not a url',
    '//example.com/',
    '',
  ])('refuses %s', (url) => {
    expect(externalLinkTarget(url)).toBeNull();
  });

  it('refuses non-strings and absurdly long URLs', () => {
    expect(externalLinkTarget(42)).toBeNull();
    expect(externalLinkTarget(`https://example.com/${'a'.repeat(10_000)}`)).toBeNull();
  });
});

describe('renderer origin', () => {
  it('knows our page and nothing else', () => {
    expect(isRendererUrl(RENDERER_ENTRY_URL)).toBe(true);
    expect(isRendererUrl('app://simplechat/other.html')).toBe(true);
    expect(isRendererUrl('app://evil/index.html')).toBe(false);
    expect(isRendererUrl('file:///work/dist/renderer/index.html')).toBe(false);
    expect(isRendererUrl('https://simplechat/index.html')).toBe(false);
    expect(isRendererUrl('garbage')).toBe(false);
  });

  it('grants notifications and clipboard writes only', () => {
    expect(isPermissionAllowed('notifications')).toBe(true);
    expect(isPermissionAllowed('clipboard-sanitized-write')).toBe(true);
    for (const p of ['media', 'geolocation', 'clipboard-read', 'openExternal', 'fullscreen', 'hid', 'serial']) expect(isPermissionAllowed(p)).toBe(false);
  });
});

describe('renderer files', () => {
  const root = mkdtempSync(join(tmpdir(), 'simplechat-web-'));
  mkdirSync(join(root, 'assets'));
  writeFileSync(join(root, 'index.html'), '<!doctype html><title>t</title>');
  writeFileSync(join(root, 'app.js'), 'console.log(1)');
  writeFileSync(join(root, 'assets', 'icon.svg'), '<svg/>');
  writeFileSync(join(root, '..', 'simplechat-secret.txt'), 'secret');

  it('maps our URLs inside the root and refuses escapes', () => {
    expect(rendererFilePath(root, 'app://simplechat/index.html')).toBe(join(root, 'index.html'));
    expect(rendererFilePath(root, 'app://simplechat/')).toBe(join(root, 'index.html'));
    expect(rendererFilePath(root, 'app://simplechat/assets/icon.svg')).toBe(join(root, 'assets', 'icon.svg'));
    // The URL parser already folds `..` and `%2e%2e`: those stay inside the root.
    expect(rendererFilePath(root, 'app://simplechat/../simplechat-secret.txt')).toBe(join(root, 'simplechat-secret.txt'));
    expect(rendererFilePath(root, 'app://simplechat/%2e%2e/simplechat-secret.txt')).toBe(join(root, 'simplechat-secret.txt'));
    for (const url of [
      'app://simplechat/assets/%2e%2e%2f%2e%2e%2fsimplechat-secret.txt',
      'app://simplechat/..%5csimplechat-secret.txt',
      'app://simplechat/index.html%00.js',
      'app://simplechat/%E0%A4%A',
      'app://other/index.html',
      'file:///etc/passwd',
    ]) {
      expect(rendererFilePath(root, url), url).toBeNull();
    }
  });

  it('serves files with the CSP header, and 404s for the rest', async () => {
    const handle = createRendererFileHandler(root);
    const page = await handle(new Request('app://simplechat/index.html'));
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(page.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
    expect(page.headers.get('x-content-type-options')).toBe('nosniff');
    expect(await page.text()).toContain('<title>t</title>');

    const script = await handle(new Request('app://simplechat/app.js'));
    expect(script.headers.get('content-type')).toBe('text/javascript; charset=utf-8');

    for (const url of ['app://simplechat/missing.js', 'app://simplechat/%2e%2e/simplechat-secret.txt', 'app://simplechat/assets']) {
      const response = await handle(new Request(url));
      expect(response.status, url).toBe(404);
      expect(response.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
    }
    const post = await handle(new Request('app://simplechat/index.html', { method: 'POST', body: 'x' }));
    expect(post.status).toBe(405);
  });
});
