import { readFile } from 'node:fs/promises';
import { extname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { isFileId } from '../../src-shared/protocol';

/*
 * The renderer's trust boundary, as plain functions: which URL is ours, which links may
 * leave for the system browser, and how the renderer's files are served.
 *
 * Why a custom protocol (app://simplechat/…) rather than file://: a file:// page shares
 * its origin with every file on the disk, so one injected script could read them; our
 * scheme serves only dist/renderer, path-checked, and every response carries the CSP as
 * a header (a meta tag alone can be dropped by a page that was tampered with before
 * parsing). It also lets the packaged app turn off the GrantFileProtocolExtraPrivileges
 * fuse. session.webRequest could add the header to file:// responses too, but would keep
 * the whole-disk origin.
 */

export const RENDERER_SCHEME = 'app';
export const RENDERER_HOST = 'simplechat';
export const RENDERER_ORIGIN = `${RENDERER_SCHEME}://${RENDERER_HOST}`;
export const RENDERER_ENTRY_URL = `${RENDERER_ORIGIN}/index.html`;

/**
 * Sent as a header with every renderer response. The renderer's own meta tag applies on
 * top (a page obeys both), so this one pins what must never loosen — scripts only from
 * our origin, no inline script, no eval, no plugins, no frames, no network from the
 * page (the main process owns the connection) — and leaves finer style/image choices
 * to the meta tag.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'none'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
  "frame-src 'none'",
  "worker-src 'none'",
].join('; ');

/**
 * A file of a chat line, on our own origin: main fetches it from the session's server with
 * the session's token and streams it back. So `<img>` and downloads work under `img-src
 * 'self'` and `connect-src 'none'`, and the page never holds the token or a server address.
 */
export const SERVER_FILES_PATH = '/server-files/';

export function appFileUrl(fileId: string): string {
  return `${RENDERER_ORIGIN}${SERVER_FILES_PATH}${encodeURIComponent(fileId)}`;
}

/** Fetches a line's file for the page (see SERVER_FILES_PATH). */
export type ServerFileSource = (fileId: string, range: string | null, method: 'GET' | 'HEAD') => Promise<Response>;

/** Whether a frame URL is our renderer page (any path on our origin, no other). */
export function isRendererUrl(url: string): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  return parsed.protocol === `${RENDERER_SCHEME}:` && parsed.host === RENDERER_HOST;
}

/**
 * A link the user may open in the system browser: http or https only, parsed and
 * re-serialised, with no user:password part (`https://bank.com@evil.example` reads as
 * a bank to people). Anything else is refused (null).
 */
export function externalLinkTarget(url: unknown): string | null {
  if (typeof url !== 'string' || url.length > 8192) return null;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return null;
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return null;
  if (parsed.username !== '' || parsed.password !== '' || parsed.hostname === '') return null;
  return parsed.href;
}

/**
 * The only permissions the renderer may get: notifications, and writing text to the
 * clipboard (the hosting bar's "Copy link"; Chromium asks for it on every
 * `navigator.clipboard.writeText`, in a user gesture only). Reading the clipboard,
 * camera, geolocation, … are refused.
 */
export function isPermissionAllowed(permission: string): boolean {
  return permission === 'notifications' || permission === 'clipboard-sanitized-write';
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.map': 'application/json; charset=utf-8',
};

/** Maps a renderer URL to a file under `root`, or null when it points anywhere else. */
export function rendererFilePath(root: string, url: string): string | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return null;
  }
  if (parsed.protocol !== `${RENDERER_SCHEME}:` || parsed.host !== RENDERER_HOST) return null;
  let pathname: string;
  try {
    pathname = decodeURIComponent(parsed.pathname);
  } catch {
    return null;
  }
  if (pathname.includes('\0') || pathname.includes('\\')) return null;
  if (pathname === '/' || pathname === '') pathname = '/index.html';
  const base = resolve(root);
  const file = resolve(join(base, pathname));
  const inside = relative(base, file);
  if (inside === '' || inside === '..' || inside.startsWith(`..${sep}`) || isAbsolute(inside)) return null;
  return file;
}

/** The file id of an `app://simplechat/server-files/<id>` URL, or null for every other URL. */
export function serverFileId(url: string): string | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return null;
  }
  if (parsed.protocol !== `${RENDERER_SCHEME}:` || parsed.host !== RENDERER_HOST || !parsed.pathname.startsWith(SERVER_FILES_PATH)) return null;
  const id = parsed.pathname.slice(SERVER_FILES_PATH.length);
  return isFileId(id) ? id : null;
}

/** The handler for `protocol.handle(RENDERER_SCHEME, …)`: files from `root` only, read-only, with the CSP. */
export function createRendererFileHandler(root: string, serverFile?: ServerFileSource): (request: Request) => Promise<Response> {
  const headers = (type: string): Record<string, string> => ({
    'Content-Type': type,
    'Content-Security-Policy': CONTENT_SECURITY_POLICY,
    'X-Content-Type-Options': 'nosniff',
    'Cache-Control': 'no-cache',
  });
  return async (request) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      return new Response('method not allowed', { status: 405, headers: headers('text/plain; charset=utf-8') });
    }
    const fileId = serverFileId(request.url);
    if (fileId !== null) {
      return serverFile === undefined
        ? new Response('not found', { status: 404, headers: headers('text/plain; charset=utf-8') })
        : serverFile(fileId, request.headers.get('range'), request.method === 'HEAD' ? 'HEAD' : 'GET');
    }
    const file = rendererFilePath(root, request.url);
    const type = file === null ? undefined : CONTENT_TYPES[extname(file).toLowerCase()];
    if (file === null || type === undefined) {
      return new Response('not found', { status: 404, headers: headers('text/plain; charset=utf-8') });
    }
    try {
      const body = await readFile(file);
      return new Response(request.method === 'HEAD' ? null : body, { status: 200, headers: headers(type) });
    } catch {
      return new Response('not found', { status: 404, headers: headers('text/plain; charset=utf-8') });
    }
  };
}
