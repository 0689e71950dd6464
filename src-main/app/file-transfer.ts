import { request as httpRequest } from 'node:http';
import type { ClientRequest, IncomingMessage, RequestOptions } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { UploadProgress, UploadRequest } from '../../src-shared/bridge';
import { FILES_PATH, FILE_NAME_HEADER, fileLinkPath, readLinkAnswer, readUploadAnswer } from '../../src-shared/protocol';
import type { FileLinkOutcome, UploadOutcome } from '../../src-shared/protocol';
import type { FileAccess } from '../../src-shared/session';

/*
 * The desktop app's side of the files endpoints: the renderer hands the bytes over the
 * bridge and main posts them to the server of the session, with its token, so the page
 * never holds the token and its CSP keeps every network address out (connect-src 'none').
 */

/** Bytes written per chunk: progress moves by these, and a cancel stops between them. */
const CHUNK_BYTES = 64 * 1024;
/** Progress is told at most this often per upload (and always at the end). */
const PROGRESS_INTERVAL_MS = 100;
/** An answer (link, or the upload's once the body is out) not come in this long is given up. */
const ANSWER_TIMEOUT_MS = 30_000;
/** Largest answer body read: the server's are a few hundred bytes. */
const MAX_ANSWER_BYTES = 64 * 1024;

const NOT_CONNECTED = { ok: false, error: 'not-connected', message: 'Not logged in to a server that takes files.' } as const;
const LOST = { ok: false, error: 'network', message: 'The connection to the server was lost.' } as const;

export interface FilesPort {
  upload(request: UploadRequest): Promise<UploadOutcome>;
  cancel(uploadId: string): boolean;
  link(fileId: string): Promise<FileLinkOutcome>;
  fetchFile(fileId: string, range: string | null, method: 'GET' | 'HEAD'): Promise<Response>;
}

/** What of the server's answer to a file's GET goes on to the page: its type, size, range and the headers that keep it safe. */
const PASSED_HEADERS = [
  'content-type',
  'content-length',
  'content-range',
  'content-disposition',
  'content-security-policy',
  'x-content-type-options',
  'accept-ranges',
  'etag',
  'cache-control',
];

function open(access: FileAccess, path: string, options: RequestOptions): ClientRequest {
  const url = new URL(path, access.origin);
  const headers = { ...options.headers, Authorization: `Bearer ${access.sessionToken}` };
  return (url.protocol === 'https:' ? httpsRequest : httpRequest)(url, { ...options, headers });
}

/** The answer's status and body text (cut at MAX_ANSWER_BYTES). */
function readAnswer(response: IncomingMessage): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    response.on('data', (chunk: Buffer) => {
      if (size >= MAX_ANSWER_BYTES) return;
      chunks.push(chunk);
      size += chunk.length;
    });
    response.on('end', () => resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8').slice(0, MAX_ANSWER_BYTES) }));
    response.on('error', reject);
  });
}

export class FileTransfer implements FilesPort {
  readonly #running = new Map<string, () => void>();

  constructor(
    private readonly access: () => FileAccess | undefined,
    private readonly progress: (progress: UploadProgress) => void,
  ) {}

  upload(request: UploadRequest): Promise<UploadOutcome> {
    const access = this.access();
    if (access === undefined) return Promise.resolve(NOT_CONNECTED);
    if (this.#running.has(request.uploadId)) return Promise.resolve({ ok: false, error: 'server-error', message: 'That upload is under way already.' });
    const bytes = request.bytes;
    return new Promise<UploadOutcome>((resolve) => {
      let settled = false;
      const done = (outcome: UploadOutcome): void => {
        if (settled) return;
        settled = true;
        this.#running.delete(request.uploadId);
        resolve(outcome);
      };
      const req = open(access, FILES_PATH, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/octet-stream',
          'Content-Length': String(bytes.length),
          [FILE_NAME_HEADER]: encodeURIComponent(request.name),
        },
      });
      this.#running.set(request.uploadId, () => {
        done({ ok: false, error: 'cancelled', message: 'Cancelled.' });
        // The server sees the body cut off and keeps nothing of it.
        req.destroy();
      });
      req.on('response', (response) => {
        readAnswer(response).then(
          ({ status, body }) => done(readUploadAnswer(status, body)),
          () => done(LOST),
        );
      });
      req.on('error', () => done(LOST));
      let offset = 0;
      let toldAt = 0;
      const tell = (): void => {
        const now = Date.now();
        if (now - toldAt < PROGRESS_INTERVAL_MS && offset < bytes.length) return;
        toldAt = now;
        this.progress({ uploadId: request.uploadId, sent: offset, total: bytes.length });
      };
      // Chunk by chunk, waiting for the socket to drain: progress follows what the network takes, not what was read.
      const write = (): void => {
        while (!settled && offset < bytes.length) {
          const end = Math.min(bytes.length, offset + CHUNK_BYTES);
          const more = req.write(bytes.subarray(offset, end));
          offset = end;
          tell();
          if (!more) {
            req.once('drain', write);
            return;
          }
        }
        if (settled) return;
        req.end();
        req.setTimeout(ANSWER_TIMEOUT_MS, () => {
          done({ ok: false, error: 'network', message: 'The server did not answer.' });
          req.destroy();
        });
      };
      write();
    });
  }

  cancel(uploadId: string): boolean {
    const stop = this.#running.get(uploadId);
    if (stop === undefined) return false;
    stop();
    return true;
  }

  /** A file of a line, fetched as the session's user with its token: the server's answer, streamed on. */
  async fetchFile(fileId: string, range: string | null, method: 'GET' | 'HEAD'): Promise<Response> {
    const access = this.access();
    if (access === undefined) return new Response(null, { status: 503 });
    const headers: Record<string, string> = { Authorization: `Bearer ${access.sessionToken}` };
    if (range !== null) headers.Range = range;
    try {
      const answer = await fetch(new URL(`${FILES_PATH}/${encodeURIComponent(fileId)}`, access.origin), { method, headers, redirect: 'error' });
      const passed = new Headers();
      for (const name of PASSED_HEADERS) {
        const value = answer.headers.get(name);
        if (value !== null) passed.set(name, value);
      }
      return new Response(method === 'HEAD' ? null : answer.body, { status: answer.status, headers: passed });
    } catch {
      return new Response(null, { status: 502 });
    }
  }

  link(fileId: string): Promise<FileLinkOutcome> {
    const access = this.access();
    if (access === undefined) return Promise.resolve(NOT_CONNECTED);
    return new Promise<FileLinkOutcome>((resolve) => {
      const req = open(access, fileLinkPath(fileId), { method: 'GET', timeout: ANSWER_TIMEOUT_MS });
      req.on('response', (response) => {
        readAnswer(response).then(
          ({ status, body }) => resolve(readLinkAnswer(status, body, access.origin)),
          () => resolve(LOST),
        );
      });
      req.on('timeout', () => req.destroy());
      req.on('error', () => resolve(LOST));
      req.end();
    });
  }
}
