import type { UploadProgress, UploadRequest } from '../../src-shared/bridge';
import { FILES_PATH, FILE_NAME_HEADER, fileLinkPath, readLinkAnswer, readUploadAnswer } from '../../src-shared/protocol';
import type { FileLinkOutcome, UploadOutcome } from '../../src-shared/protocol';
import type { FileAccess } from '../../src-shared/session';

/*
 * The files endpoints from the page itself: an upload with XMLHttpRequest, whose upload
 * progress events fetch does not give, and abort() to cancel it (the server deletes the
 * part it got); a link request with fetch. Both as the session's user (its token).
 */

/** Progress is told at most this often per upload (and always at the end). */
const PROGRESS_INTERVAL_MS = 100;

const NOT_CONNECTED = { ok: false, error: 'not-connected', message: 'Not logged in to a server that takes files.' } as const;

export class BrowserFiles {
  readonly #running = new Map<string, XMLHttpRequest>();

  constructor(
    private readonly access: () => FileAccess | undefined,
    private readonly progress: (progress: UploadProgress) => void,
  ) {}

  upload(request: UploadRequest): Promise<UploadOutcome> {
    const access = this.access();
    if (access === undefined) return Promise.resolve(NOT_CONNECTED);
    if (this.#running.has(request.uploadId)) return Promise.resolve({ ok: false, error: 'server-error', message: 'That upload is under way already.' });
    return new Promise((resolve) => {
      const xhr = new XMLHttpRequest();
      this.#running.set(request.uploadId, xhr);
      const done = (outcome: UploadOutcome): void => {
        this.#running.delete(request.uploadId);
        resolve(outcome);
      };
      let toldAt = 0;
      xhr.upload.addEventListener('progress', (event) => {
        const now = performance.now();
        if (now - toldAt < PROGRESS_INTERVAL_MS && event.loaded < event.total) return;
        toldAt = now;
        this.progress({ uploadId: request.uploadId, sent: event.loaded, total: event.lengthComputable ? event.total : request.bytes.length });
      });
      xhr.addEventListener('load', () => done(readUploadAnswer(xhr.status, xhr.responseText)));
      xhr.addEventListener('abort', () => done({ ok: false, error: 'cancelled', message: 'Cancelled.' }));
      xhr.addEventListener('error', () => done({ ok: false, error: 'network', message: 'The connection to the server was lost.' }));
      xhr.addEventListener('timeout', () => done({ ok: false, error: 'network', message: 'The server did not answer.' }));
      xhr.open('POST', `${access.origin}${FILES_PATH}`);
      xhr.setRequestHeader('Authorization', `Bearer ${access.sessionToken}`);
      xhr.setRequestHeader(FILE_NAME_HEADER, encodeURIComponent(request.name));
      xhr.setRequestHeader('Content-Type', 'application/octet-stream');
      // A view the page made from a File: never a SharedArrayBuffer.
      xhr.send(request.bytes as Uint8Array<ArrayBuffer>);
    });
  }

  cancel(uploadId: string): boolean {
    const xhr = this.#running.get(uploadId);
    if (xhr === undefined) return false;
    xhr.abort();
    return true;
  }

  async link(fileId: string): Promise<FileLinkOutcome> {
    const access = this.access();
    if (access === undefined) return NOT_CONNECTED;
    try {
      const response = await fetch(`${access.origin}${fileLinkPath(fileId)}`, {
        headers: { Authorization: `Bearer ${access.sessionToken}` },
        credentials: 'omit',
        cache: 'no-store',
      });
      return readLinkAnswer(response.status, await response.text(), access.origin);
    } catch {
      return { ok: false, error: 'network', message: 'The connection to the server was lost.' };
    }
  }
}
