import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { FILES_PATH } from '../../../src-shared/protocol';
import type { Member } from '../member';
import { answerJson, refuseFile } from './file-answer';
import { ownerKey } from './file-access';
import type { FileAudience } from './file-access';
import type { FileCatalog } from './file-catalog';
import type { FileRecord } from './file-records';
import { LinkSigner } from './signed-link';
import { PICTURE_TYPES } from './sniff';

/*
 * GET (and HEAD) of a file's url: only for a session that can see where the file was
 * sent (or its owner), shown by `Authorization: Bearer <sessionToken>` or by a signed
 * link (signed-link.ts). An unknown file and one the session may not see get the same
 * 404. Every answer carries headers that keep it from ever running as a page: nosniff,
 * a sandboxing CSP, and `attachment` for everything but the four picture types.
 */

export const FILE_CSP = "sandbox; default-src 'none'";

const NOT_FOUND = 'There is no such file.';

export class Downloads {
  constructor(
    private readonly dir: string,
    private readonly catalog: FileCatalog,
    private readonly audience: FileAudience,
    private readonly signer: LinkSigner,
    private readonly linkTtlMs: number,
  ) {}

  /** `GET /files/<fileId>/link` with a Bearer token: a signed url for <img> and download links. */
  link(res: ServerResponse, member: Member, fileId: string): void {
    const record = this.visible(member, fileId);
    if (record === null) return refuseFile(res, 404, 'not-found', NOT_FOUND);
    const expiresAt = Date.now() + this.linkTtlMs;
    const url = `${fileUrl(fileId)}?${this.signer.query(fileId, member.userId, member.sessionToken, expiresAt)}`;
    answerJson(res, 200, { url, expiresAt });
  }

  /** The member the request shows (header or signed link); null once the refusal is sent. */
  who(res: ServerResponse, fileId: string, token: string | null, query: URLSearchParams): Member | null {
    if (token !== null) {
      const member = this.audience.sessionMember(token);
      if (member === null) refuseFile(res, 401, 'unauthorized', 'This needs the token of a live session.');
      return member;
    }
    const claim = LinkSigner.claimOf(query);
    if (claim === null) {
      refuseFile(res, 401, 'unauthorized', 'This needs the token of a live session, or a signed link.', { headers: { 'WWW-Authenticate': 'Bearer' } });
      return null;
    }
    const member = this.audience.memberById(claim.userId);
    if (member === null || !this.signer.verify(fileId, claim, member.sessionToken, Date.now())) {
      refuseFile(res, 403, 'forbidden', 'This link is not valid (any more).');
      return null;
    }
    return member;
  }

  async serve(req: IncomingMessage, res: ServerResponse, member: Member, fileId: string): Promise<void> {
    const record = this.visible(member, fileId);
    if (record === null) return refuseFile(res, 404, 'not-found', NOT_FOUND);
    const path = join(this.dir, record.fileId);
    const found = await stat(path).catch(() => null);
    if (found === null || !found.isFile()) return refuseFile(res, 404, 'not-found', NOT_FOUND);
    const size = found.size;
    const etag = `"${record.sha256}"`;
    const headers: Record<string, string> = {
      'Content-Type': record.type,
      'X-Content-Type-Options': 'nosniff',
      'Content-Security-Policy': FILE_CSP,
      'Content-Disposition': contentDisposition(record),
      'Cache-Control': 'private',
      ETag: etag,
      'Accept-Ranges': 'bytes',
      'Referrer-Policy': 'no-referrer',
      'Cross-Origin-Resource-Policy': 'same-site',
    };
    if (matchesEtag(req.headers['if-none-match'], etag)) {
      res.writeHead(304, headers);
      res.end();
      return;
    }
    const range = readRange(req.headers.range, size, headerOnce(req.headers['if-range']), etag);
    if (range === 'unsatisfiable') {
      return refuseFile(res, 416, 'range-not-satisfiable', 'The range is not within the file.', { headers: { 'Content-Range': `bytes */${size}` } });
    }
    const [start, end] = range ?? [0, size - 1];
    if (range !== null) headers['Content-Range'] = `bytes ${start}-${end}/${size}`;
    headers['Content-Length'] = String(end - start + 1);
    res.writeHead(range === null ? 200 : 206, headers);
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    await pipeline(createReadStream(path, { start, end }), res).catch(() => {
      // The client went away mid-download: nothing to do.
    });
  }

  /** The record, if the member owns it or can see where it was sent. */
  private visible(member: Member, fileId: string): FileRecord | null {
    const record = this.catalog.get(fileId);
    if (record === undefined) return null;
    if (record.owner === ownerKey(member)) return record;
    return record.scope !== null && this.audience.canSee(member, record.scope) ? record : null;
  }
}

export function fileUrl(fileId: string): string {
  return `${FILES_PATH}/${fileId}`;
}

/** `inline` for the four picture types, `attachment` for all else; the name both as ASCII and as UTF-8. */
export function contentDisposition(record: FileRecord): string {
  const kind = PICTURE_TYPES.has(record.type) ? 'inline' : 'attachment';
  const ascii = record.name.replace(/[^\x20-\x7e]|["\\%]/g, '_');
  return `${kind}; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(record.name).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)}`;
}

function headerOnce(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function matchesEtag(header: string | undefined, etag: string): boolean {
  if (header === undefined) return false;
  return header.split(',').some((tag) => {
    const t = tag.trim();
    return t === '*' || t === etag || t === `W/${etag}`;
  });
}

/** One byte range `[start, end]` (inclusive), null for the whole file, or 'unsatisfiable'. Several ranges: the whole file. */
function readRange(header: string | undefined, size: number, ifRange: string | undefined, etag: string): [number, number] | null | 'unsatisfiable' {
  if (header === undefined || (ifRange !== undefined && ifRange !== etag)) return null;
  const match = /^bytes=(\d{0,16})-(\d{0,16})$/.exec(header.trim());
  if (match === null) return null;
  const [, from, to] = match;
  if (from === '' && to === '') return null;
  if (from === '') {
    const suffix = Number(to);
    if (suffix === 0) return 'unsatisfiable';
    return [Math.max(0, size - suffix), size - 1];
  }
  const start = Number(from);
  const end = to === '' ? size - 1 : Math.min(Number(to), size - 1);
  if (start >= size || end < start) return 'unsatisfiable';
  return [start, end];
}
