import { createReadStream } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, isAbsolute, relative, resolve, sep } from 'node:path';

/*
 * The web UI over plain HTTP, on the chat port: the built renderer's files, nothing
 * else. Only known file types, no directory listings, no dotfiles, nothing outside
 * the root (checked after resolving symlinks), and a strict CSP on every answer.
 *
 * A guest on a phone pays for every byte, so text files go out compressed: the build
 * writes `app.js.br` and `app.js.gz` beside `app.js` (scripts/build.mjs), and a client
 * that accepts one gets it, never compressed on the fly. Every answer has an ETag, so a
 * reload costs a 304 per file.
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

/** Precompressed siblings, best first: `<file>.br`, `<file>.gz`. */
const ENCODINGS: ReadonlyArray<{ readonly name: 'br' | 'gzip'; readonly suffix: string }> = [
  { name: 'br', suffix: '.br' },
  { name: 'gzip', suffix: '.gz' },
];

/** Whether an Accept-Encoding header takes `encoding` (listed, or `*`, with a q above 0). */
export function acceptsEncoding(header: string | undefined, encoding: string): boolean {
  if (header === undefined) return false;
  let star = false;
  for (const part of header.split(',')) {
    const [token = '', ...params] = part.trim().toLowerCase().split(';');
    const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    const accepted = q === undefined || Number(q.slice(2)) > 0;
    if (token.trim() === encoding) return accepted;
    if (token.trim() === '*') star = accepted;
  }
  return star;
}

/** Whether If-None-Match names `etag` (weak comparison, as RFC 9110 asks for GET). */
function matchesEtag(header: string | undefined, etag: string): boolean {
  if (header === undefined) return false;
  if (header.trim() === '*') return true;
  const bare = (tag: string) => tag.trim().replace(/^W\//, '');
  return header.split(',').some((tag) => bare(tag) === bare(etag));
}

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

function isInside(path: string, rootPath: string): boolean {
  return path.startsWith(rootPath.endsWith(sep) ? rootPath : rootPath + sep);
}

interface Precompressed {
  readonly name: 'br' | 'gzip';
  readonly path: string;
  readonly info: Stats;
}

/** The best precompressed sibling the client takes: a file in the root, no older than the original. */
async function precompressed(real: string, original: Stats, rootPath: string, acceptEncoding: string | undefined): Promise<Precompressed | null> {
  for (const { name, suffix } of ENCODINGS) {
    if (!acceptsEncoding(acceptEncoding, name)) continue;
    try {
      const path = await realpath(real + suffix);
      const info = await stat(path);
      if (isInside(path, rootPath) && info.isFile() && info.mtimeMs >= original.mtimeMs) return { name, path, info };
    } catch {
      // No such sibling: the next encoding, or the file as it is.
    }
  }
  return null;
}

async function serveFile(req: IncomingMessage, res: ServerResponse, file: string, realRoot: Promise<string>): Promise<void> {
  let real: string;
  let info: Stats;
  let rootPath: string;
  try {
    real = await realpath(file);
    rootPath = await realRoot;
    if (!isInside(real, rootPath)) throw new Error('outside the web root');
    info = await stat(real);
    if (!info.isFile()) throw new Error('not a file');
  } catch {
    if (!res.headersSent) answer(res, 404, 'Not found.');
    return;
  }
  const encoded = await precompressed(real, info, rootPath, req.headers['accept-encoding']);
  const sent = encoded?.info ?? info;
  const etag = `"${sent.size.toString(36)}-${Math.floor(sent.mtimeMs).toString(36)}${encoded === null ? '' : `-${encoded.name}`}"`;
  const headers: Record<string, string> = {
    ...SECURITY_HEADERS,
    'Content-Type': CONTENT_TYPES[extname(real).toLowerCase()] ?? 'application/octet-stream',
    ETag: etag,
    Vary: 'Accept-Encoding',
  };
  if (encoded !== null) headers['Content-Encoding'] = encoded.name;
  if (matchesEtag(req.headers['if-none-match'], etag)) {
    res.writeHead(304, headers);
    res.end();
    return;
  }
  res.writeHead(200, { ...headers, 'Content-Length': String(sent.size) });
  if (req.method === 'HEAD') {
    res.end();
    return;
  }
  const stream = createReadStream(encoded?.path ?? real);
  stream.on('error', () => res.destroy());
  stream.pipe(res);
}
