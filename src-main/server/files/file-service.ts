import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { readdir, unlink } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { isAllowedOrigin } from '../admission';
import type { ServerConfig } from '../config';
import { Downloads } from './downloads';
import { refuseFile } from './file-answer';
import { bearerToken } from './file-access';
import type { FileAudience } from './file-access';
import { FILE_ID_PATTERN, FileCatalog } from './file-catalog';
import type { FileRecordStore } from './file-records';
import { LinkSigner } from './signed-link';
import { PARTIAL_PREFIX, Uploads } from './uploads';

/*
 * The files endpoints on the room's port: `POST /files` (upload), `GET /files/<id>`
 * (download), `GET /files/<id>/link` (a signed link), and the files folder they share:
 * `--files-dir`, else `<db>.files` beside the database, else a temporary folder for the
 * run, removed when the server stops (the history it belongs to is in memory too).
 */

/** How often files past their retention are looked for. */
const SWEEP_INTERVAL_MS = 60_000;

export class FileService {
  readonly catalog: FileCatalog;
  readonly dir: string;
  /** Set once the room exists: who a token is, and what it may see. */
  audience: FileAudience | null = null;
  private readonly uploads: Uploads;
  private readonly signer = new LinkSigner();
  private downloads: Downloads | null = null;
  private readonly temporary: boolean;
  private readonly sweeper: NodeJS.Timeout;

  /** Creates the files folder (once, at start: the only synchronous disk work here). */
  constructor(
    private readonly config: ServerConfig,
    records: FileRecordStore,
  ) {
    this.catalog = new FileCatalog(records);
    this.temporary = config.filesDir === null && config.dbFile === null;
    if (this.temporary) {
      this.dir = mkdtempSync(join(tmpdir(), 'simplechat-files-'));
    } else {
      this.dir = resolve(config.filesDir ?? `${config.dbFile}.files`);
      mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    }
    const dir = this.dir;
    this.catalog.onRemove = (record) => void unlink(join(dir, record.fileId)).catch(() => {});
    this.uploads = new Uploads(config, this.dir, this.catalog, config.log);
    void this.removeLeftovers();
    this.sweeper = setInterval(() => this.sweep(), SWEEP_INTERVAL_MS);
    this.sweeper.unref();
  }

  static handles(url: string): boolean {
    return url === '/files' || url.startsWith('/files/') || url.startsWith('/files?');
  }

  handle(req: IncomingMessage, res: ServerResponse): void {
    void this.route(req, res).catch((error: unknown) => {
      this.config.log(`error: files: ${(error as Error).message}`);
      refuseFile(res, 500, 'server-error', 'Something went wrong.', { close: true });
    });
  }

  private async route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const audience = this.audience;
    if (audience === null) throw new Error('FileService.handle: no audience yet (chat-server sets it before listening)');
    this.downloads ??= new Downloads(this.dir, this.catalog, audience, this.signer, this.config.fileLinkTtlMs);
    if (!this.crossOrigin(req, res)) return;
    const url = new URL(req.url ?? '/', 'http://files.invalid');
    const parts = url.pathname.split('/').filter((p) => p !== '');
    const token = bearerToken(req.headers.authorization);
    if (parts.length === 1) {
      if (req.method !== 'POST') return refuseFile(res, 405, 'method-not-allowed', 'Upload with POST.', { headers: { Allow: 'POST' }, close: true });
      const member = token === null ? null : audience.sessionMember(token);
      if (member === null) {
        return refuseFile(res, 401, 'unauthorized', 'An upload needs the token of a live session.', { close: true, headers: { 'WWW-Authenticate': 'Bearer' } });
      }
      return this.uploads.receive(req, res, member);
    }
    const fileId = parts[1]!;
    const isLink = parts.length === 3 && parts[2] === 'link';
    if (parts.length > 3 || (parts.length === 3 && !isLink) || !FILE_ID_PATTERN.test(fileId)) {
      return refuseFile(res, 404, 'not-found', 'There is no such file.');
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      return refuseFile(res, 405, 'method-not-allowed', 'Files are fetched with GET.', { headers: { Allow: 'GET, HEAD' }, close: true });
    }
    if (isLink) {
      const member = token === null ? null : audience.sessionMember(token);
      if (member === null) return refuseFile(res, 401, 'unauthorized', 'A link needs the token of a live session.', { headers: { 'WWW-Authenticate': 'Bearer' } });
      return this.downloads.link(res, member, fileId);
    }
    const member = this.downloads.who(res, fileId, token, url.searchParams);
    if (member === null) return;
    return this.downloads.serve(req, res, member, fileId);
  }

  /**
   * A browser page of another origin may use the endpoints only if it is one the chat
   * accepts too (`--allow-origin`, as for the WebSocket): it gets the CORS headers, and
   * its preflight is answered here. Any other Origin gets 403. False once answered.
   */
  private crossOrigin(req: IncomingMessage, res: ServerResponse): boolean {
    const origin = req.headers.origin;
    if (!isAllowedOrigin(origin, req.headers.host, this.config.tls !== null, this.config.allowedOrigins)) {
      refuseFile(res, 403, 'forbidden', 'This web page may not use this chat room’s files.', { close: true });
      return false;
    }
    if (origin !== undefined) {
      res.setHeader('Access-Control-Allow-Origin', origin);
      res.setHeader('Vary', 'Origin');
      res.setHeader('Access-Control-Expose-Headers', 'Content-Disposition, Content-Range, ETag, Retry-After');
    }
    if (req.method !== 'OPTIONS') return true;
    res.writeHead(204, {
      'Access-Control-Allow-Methods': 'POST, GET, HEAD',
      'Access-Control-Allow-Headers': 'Authorization, Content-Type, X-File-Name, Range, If-None-Match, If-Range',
      'Access-Control-Max-Age': '600',
      'Content-Length': '0',
    });
    res.end();
    return false;
  }

  /** Uploads under way now. */
  get activeUploads(): number {
    return this.uploads.active;
  }

  /** Deletes files past their retention (see FileCatalog.expired). */
  sweep(now = Date.now()): number {
    const expired = this.catalog.expired(now, this.config.filesMaxDays * 86_400_000);
    for (const record of expired) this.catalog.remove(record.fileId);
    return expired.length;
  }

  close(): void {
    clearInterval(this.sweeper);
    if (this.temporary) rmSync(this.dir, { recursive: true, force: true });
  }

  /** Partial uploads a crash left behind, and files no record names any more. */
  private async removeLeftovers(): Promise<void> {
    const names = await readdir(this.dir).catch(() => [] as string[]);
    for (const name of names) {
      if (name.startsWith(PARTIAL_PREFIX) || (FILE_ID_PATTERN.test(name) && this.catalog.get(name) === undefined)) {
        await unlink(join(this.dir, name)).catch(() => {});
      }
    }
  }
}
