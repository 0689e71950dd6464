import { createReadStream } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, isAbsolute, relative, resolve, sep } from 'node:path';

/*
 * The web UI over plain HTTP, on the chat port: the built renderer's files, nothing
 * else. Only known file types, no directory listings, no dotfiles, nothing outside
 * the root (checked after resolving symlinks), and a strict CSP on every answer.
 */

export const CONTENT_SECURITY_POLICY =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
  "connect-src 'self' ws: wss:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'";

const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'Content-Security-Policy': CONTENT_SECURITY_POLICY,
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cache-Control': 'no-cache',
};

export const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.webmanifest': 'application/manifest+json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.wav': 'audio/wav',
  '.mp3': 'audio/mpeg',
  '.ogg': 'audio/ogg',
};

function answer(res: ServerResponse, status: number, text: string, extra: Record<string, string> = {}): void {
  const body = Buffer.from(`${text}\n`, 'utf8');
  res.writeHead(status, {
    ...SECURITY_HEADERS,
    'Content-Type': 'text/plain; charset=utf-8',
    'Content-Length': String(body.length),
    ...extra,
  });
  res.end(res.req.method === 'HEAD' ? undefined : body);
}

/**
 * Maps a request target to a path under `root`, or null when it names nothing we
 * would serve (traversal, dotfiles, NUL, bad escapes, unknown file types).
 */
export function resolveWebPath(root: string, target: string): string | null {
  const pathEnd = target.search(/[?#]/);
  let path = pathEnd === -1 ? target : target.slice(0, pathEnd);
  if (!path.startsWith('/')) return null;
  try {
    path = decodeURIComponent(path);
  } catch {
    return null;
  }
  if (path.includes('\0') || path.includes('\\')) return null;
  if (path.endsWith('/')) path += 'index.html';
  const segments = path.split('/').filter((segment) => segment !== '');
  if (segments.some((segment) => segment.startsWith('.'))) return null;
  if (!(extname(path).toLowerCase() in CONTENT_TYPES)) return null;
  const full = resolve(root, ...segments);
  const inside = relative(root, full);
  if (inside === '' || inside.startsWith('..') || isAbsolute(inside)) return null;
  return full;
}

export type RequestHandler = (req: IncomingMessage, res: ServerResponse) => void;

/** Serves `webRoot`; with no web root, every plain HTTP request is told to use WebSocket. */
export function createWebHandler(webRoot: string | null): RequestHandler {
  if (webRoot === null) {
    return (_req, res) =>
      answer(res, 426, 'This is a SimpleChat server: connect with a SimpleChat client over WebSocket.', {
        Upgrade: 'websocket',
        Connection: 'Upgrade',
      });
  }
  const root = resolve(webRoot);
  const realRoot = realpath(root).catch(() => root);
  return (req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      answer(res, 405, 'Method not allowed.', { Allow: 'GET, HEAD' });
      return;
    }
    const file = resolveWebPath(root, req.url ?? '/');
    if (file === null) {
      answer(res, 404, 'Not found.');
      return;
    }
    void serveFile(req, res, file, realRoot);
  };
}

async function serveFile(req: IncomingMessage, res: ServerResponse, file: string, realRoot: Promise<string>): Promise<void> {
  let real: string;
  let size: number;
  try {
    real = await realpath(file);
    const rootPath = await realRoot;
    if (!real.startsWith(rootPath.endsWith(sep) ? rootPath : rootPath + sep)) throw new Error('outside the web root');
    const info = await stat(real);
    if (!info.isFile()) throw new Error('not a file');
    size = info.size;
  } catch {
    if (!res.headersSent) answer(res, 404, 'Not found.');
    return;
  }
  res.writeHead(200, {
    ...SECURITY_HEADERS,
    'Content-Type': CONTENT_TYPES[extname(real).toLowerCase()] ?? 'application/octet-stream',
    'Content-Length': String(size),
  });
  if (req.method === 'HEAD') {
    res.end();
    return;
  }
  const stream = createReadStream(real);
  stream.on('error', () => res.destroy());
  stream.pipe(res);
}
