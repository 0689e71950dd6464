import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { rename, unlink } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { FileErrorCode, UploadAnswer } from '../../../src-shared/protocol';
import type { ServerConfig } from '../config';
import type { Member } from '../member';
import { freshRateState, takeToken } from '../rate-limit';
import type { RateState } from '../rate-limit';
import { answerJson, refuseFile } from './file-answer';
import { ownerKey } from './file-access';
import type { FileCatalog } from './file-catalog';
import { cleanFileName } from './file-name';
import type { FileRecord } from './file-records';
import { sniffFile } from './sniff';

/*
 * POST /files: the raw body streamed to a temporary file in the files folder with its
 * SHA-256 taken on the way, and renamed to the id the server made only once it is
 * whole and sniffed; anything cut off (the client gone, too large, too slow, a disk
 * error) is deleted. Every limit is checked before a byte is read when the headers
 * tell (Content-Length), and again as the bytes arrive.
 */

/** Temporary files start with this; a start of the server deletes any a crash left. */
export const PARTIAL_PREFIX = '.upload-';

export type UploadLimits = Pick<
  ServerConfig,
  'maxFileSize' | 'filesQuotaPerUser' | 'filesMaxTotal' | 'uploadBurst' | 'uploadsPerMinute' | 'maxParallelUploads' | 'uploadIdleTimeoutMs' | 'uploadTimeoutMs'
>;

type Outcome =
  | { kind: 'complete' }
  | { kind: 'refused'; status: number; error: FileErrorCode; message: string }
  | { kind: 'gone' };

export function newFileId(): string {
  return randomBytes(16).toString('base64url');
}

export class Uploads {
  /** Uploads under way, by owner. */
  private readonly running = new Map<string, number>();
  private readonly rates = new Map<string, RateState>();
  private readonly rate: { burst: number; perSecond: number };
  private ratesSweptAt = performance.now();

  constructor(
    private readonly limits: UploadLimits,
    private readonly dir: string,
    private readonly catalog: FileCatalog,
    private readonly log: (line: string) => void,
  ) {
    this.rate = { burst: limits.uploadBurst, perSecond: limits.uploadsPerMinute / 60 };
  }

  /** Takes the upload of an authenticated member; answers it in every case. */
  async receive(req: IncomingMessage, res: ServerResponse, member: Member): Promise<void> {
    const owner = ownerKey(member);
    const declared = this.declaredLength(req);
    if (declared !== null && typeof declared === 'object') return refuseFile(res, 400, declared.error, declared.message, { close: true });
    const limits = this.limits;
    if (declared !== null && declared > limits.maxFileSize) {
      return refuseFile(res, 413, 'file-too-large', `The file is larger than ${limits.maxFileSize} bytes.`, { close: true });
    }
    const refusal = this.refusalBeforeStart(owner, declared ?? 0);
    if (refusal !== null) return refuseFile(res, refusal.status, refusal.error, refusal.message, { close: true, headers: refusal.headers });
    const name = cleanFileName(headerValue(req.headers['x-file-name']));
    if (name === null) return refuseFile(res, 400, 'invalid-file-name', 'X-File-Name must be percent-encoded UTF-8.', { close: true });

    this.running.set(owner, (this.running.get(owner) ?? 0) + 1);
    if (/^100-continue$/i.test(headerValue(req.headers.expect) ?? '')) res.writeContinue();
    const fileId = newFileId();
    const partial = join(this.dir, `${PARTIAL_PREFIX}${fileId}`);
    let taken = 0;
    // The answer goes out only once the partial file is gone: whoever is told "refused" finds nothing left.
    let reply = (): void => {};
    try {
      const streamed = await this.stream(req, partial, owner, (bytes) => (taken += bytes));
      const outcome = streamed.outcome;
      if (outcome.kind === 'refused') {
        reply = () => refuseFile(res, outcome.status, outcome.error, outcome.message, { close: true });
      } else if (outcome.kind === 'complete' && streamed.size === 0) {
        reply = () => refuseFile(res, 400, 'empty-file', 'The file is empty: there is nothing to send.');
      } else if (outcome.kind === 'complete') {
        const sniffed = await sniffFile(partial);
        await rename(partial, join(this.dir, fileId));
        const record: FileRecord = {
          fileId,
          name,
          size: streamed.size,
          ...sniffed,
          sha256: streamed.sha256,
          owner,
          uploadedAt: Date.now(),
          scope: null,
        };
        this.catalog.add(record);
        this.log(`file ${fileId} uploaded by ${member.describe()}: ${streamed.size} bytes, ${sniffed.type}`);
        reply = () => answerJson(res, 201, uploadAnswer(record));
      }
    } catch (error) {
      this.log(`error: upload by ${member.describe()}: ${(error as Error).message}`);
      reply = () => refuseFile(res, 500, 'server-error', 'The file could not be stored.', { close: true });
    } finally {
      this.catalog.reserve(owner, -taken);
      const left = (this.running.get(owner) ?? 1) - 1;
      if (left > 0) this.running.set(owner, left);
      else this.running.delete(owner);
      // Gone once it was renamed; otherwise it is what is left of a cut-off upload.
      await unlink(partial).catch(() => {});
    }
    reply();
  }

  /** Uploads under way now, all owners together. */
  get active(): number {
    let n = 0;
    for (const count of this.running.values()) n += count;
    return n;
  }

  /** The declared length (null: chunked), or why the request cannot be an upload. */
  private declaredLength(req: IncomingMessage): number | null | { error: FileErrorCode; message: string } {
    const length = req.headers['content-length'];
    if (length === undefined) {
      if (req.headers['transfer-encoding'] === undefined) return { error: 'no-body', message: 'An upload needs the file as its body.' };
      return null;
    }
    if (!/^\d{1,16}$/.test(length)) return { error: 'invalid-length', message: 'Content-Length must be a number of bytes.' };
    const value = Number(length);
    if (value === 0) return { error: 'no-body', message: 'An upload needs the file as its body (a file of zero bytes is not sent).' };
    return value;
  }

  private refusalBeforeStart(
    owner: string,
    declared: number,
  ): { status: number; error: FileErrorCode; message: string; headers?: Record<string, string> } | null {
    const limits = this.limits;
    if ((this.running.get(owner) ?? 0) >= limits.maxParallelUploads) {
      return { status: 429, error: 'too-many-uploads', message: `At most ${limits.maxParallelUploads} uploads at once: wait for one to finish.` };
    }
    if (this.catalog.usageOf(owner) + declared > limits.filesQuotaPerUser) {
      return { status: 413, error: 'quota-exceeded', message: `Your files would take more than your ${limits.filesQuotaPerUser} bytes on this server.` };
    }
    if (this.catalog.totalBytes + declared > limits.filesMaxTotal) {
      return { status: 507, error: 'storage-full', message: 'The server has no room for more files now.' };
    }
    const now = performance.now();
    this.sweepRates(now);
    let state = this.rates.get(owner);
    if (state === undefined) this.rates.set(owner, (state = freshRateState(this.rate, now)));
    if (takeToken(state, this.rate, now) !== 'ok') {
      const seconds = Math.max(1, Math.ceil((1 - state.tokens) / this.rate.perSecond));
      return { status: 429, error: 'too-many-uploads', message: 'Too many uploads: slow down.', headers: { 'Retry-After': String(seconds) } };
    }
    return null;
  }

  /** Buckets that have refilled are forgotten (a fresh one is the same), so the map holds only the busy. */
  private sweepRates(now: number): void {
    if (now - this.ratesSweptAt < 60_000) return;
    this.ratesSweptAt = now;
    const full = (this.rate.burst / this.rate.perSecond) * 1000;
    for (const [owner, state] of this.rates) if (now - state.refilledAt > full) this.rates.delete(owner);
  }

  /** Streams the body to `partial`; resolves once it is whole on disk, or refused, or the client is gone. */
  private stream(
    req: IncomingMessage,
    partial: string,
    owner: string,
    took: (bytes: number) => void,
  ): Promise<{ outcome: Outcome; size: number; sha256: string }> {
    const limits = this.limits;
    const catalog = this.catalog;
    // A deep buffer: the socket is paused less often (each pause and drain costs a round trip through the loop).
    const sink = createWriteStream(partial, { flags: 'wx', highWaterMark: 1024 * 1024 });
    const hash = createHash('sha256');
    let size = 0;
    return new Promise((resolve) => {
      let settled = false;
      const settle = (outcome: Outcome): void => {
        if (settled) return;
        settled = true;
        clearTimeout(idle);
        clearTimeout(deadline);
        req.off('data', onData);
        const done = (): void => resolve({ outcome, size, sha256: outcome.kind === 'complete' ? hash.digest('hex') : '' });
        if (outcome.kind === 'complete') {
          sink.end((error?: Error | null) => {
            // The last write failed (a full disk): the file is not whole, so it is not kept.
            const finished = (): void =>
              error ? resolve({ outcome: diskError(error), size, sha256: '' }) : done();
            if (sink.closed) finished();
            else sink.once('close', finished);
          });
          return;
        }
        // What is still coming is read and dropped until the answer is out and the connection closes.
        req.resume();
        sink.destroy();
        if (sink.closed) done();
        else sink.once('close', done);
      };
      const tooSlow = (): void => {
        settle({ kind: 'refused', status: 408, error: 'upload-timeout', message: 'The upload was too slow and was cut off.' });
        // A client that stalls may not read the answer either.
        setTimeout(() => req.socket.destroy(), 1_000).unref();
      };
      const idle = setTimeout(tooSlow, limits.uploadIdleTimeoutMs);
      const deadline = setTimeout(tooSlow, limits.uploadTimeoutMs);
      const onData = (chunk: Buffer): void => {
        size += chunk.length;
        if (size > limits.maxFileSize) {
          settle({ kind: 'refused', status: 413, error: 'file-too-large', message: `The file is larger than ${limits.maxFileSize} bytes.` });
          return;
        }
        if (catalog.usageOf(owner) + chunk.length > limits.filesQuotaPerUser) {
          settle({ kind: 'refused', status: 413, error: 'quota-exceeded', message: `Your files would take more than your ${limits.filesQuotaPerUser} bytes on this server.` });
          return;
        }
        if (catalog.totalBytes + chunk.length > limits.filesMaxTotal) {
          settle({ kind: 'refused', status: 507, error: 'storage-full', message: 'The server has no room for more files now.' });
          return;
        }
        catalog.reserve(owner, chunk.length);
        took(chunk.length);
        hash.update(chunk);
        idle.refresh();
        if (!sink.write(chunk)) {
          req.pause();
          sink.once('drain', () => {
            if (!settled) req.resume();
          });
        }
      };
      req.on('data', onData);
      req.once('end', () => settle({ kind: 'complete' }));
      req.once('close', () => {
        if (!req.complete) settle({ kind: 'gone' });
      });
      sink.on('error', (error) => {
        if (!settled) settle(diskError(error));
      });
    });
  }
}

function diskError(error: Error): Outcome {
  return { kind: 'refused', status: 500, error: 'server-error', message: `The file could not be stored (${(error as NodeJS.ErrnoException).code ?? 'error'}).` };
}

/** The answer to an upload, and the fields a chat line's `file` carries (with its url). */
export function uploadAnswer(record: FileRecord): UploadAnswer {
  const answer: UploadAnswer = {
    fileId: record.fileId,
    name: record.name,
    size: record.size,
    type: record.type,
  };
  if (record.width !== undefined && record.height !== undefined) {
    answer.width = record.width;
    answer.height = record.height;
  }
  return answer;
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
