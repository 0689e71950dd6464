/*
 * The files endpoints' contract (HTTP on the chat port, beside the WebSocket): what an
 * upload and a link request answer, and the refusal codes a client shows as messages.
 * The chat line's side (`file` on a line) is in messages.ts.
 */

/** POST here: `Authorization: Bearer <sessionToken>`, the raw bytes, the name in FILE_NAME_HEADER. */
export const FILES_PATH = '/files';

/** The file's name, percent-encoded UTF-8 (`encodeURIComponent`). */
export const FILE_NAME_HEADER = 'X-File-Name';

/** 201 to an upload; `fileId` goes into a chat line as `"file":{"fileId":…}`. */
export interface UploadAnswer {
  fileId: string;
  name: string;
  size: number;
  /** Sniffed from the bytes; `application/octet-stream` when unknown. */
  type: string;
  /** Pictures (PNG, JPEG, GIF, WebP) only. */
  width?: number;
  height?: number;
}

/** `GET /files/<fileId>/link` with a Bearer token: a url that works without a header until `expiresAt` (ms). */
export interface FileLinkAnswer {
  url: string;
  expiresAt: number;
}

/** The `error` of a refused request: `{"error":<code>,"message":"…"}`. */
export type FileErrorCode =
  | 'unauthorized'
  | 'method-not-allowed'
  | 'no-body'
  | 'empty-file'
  | 'invalid-file-name'
  | 'invalid-length'
  | 'file-too-large'
  | 'quota-exceeded'
  | 'storage-full'
  | 'too-many-uploads'
  | 'upload-timeout'
  | 'forbidden'
  | 'not-found'
  | 'range-not-satisfiable'
  | 'server-error';

export interface FileRefusal {
  error: FileErrorCode;
  message: string;
}

/** The url of a file's signed-link request. */
export function fileLinkPath(fileId: string): string {
  return `${FILES_PATH}/${encodeURIComponent(fileId)}/link`;
}

// ---- what a client makes of the answers -----------------------------------------

/** Why an upload did not end in a file: the server's refusal, or what happened on our side. */
export type UploadFailure = FileErrorCode | 'cancelled' | 'network' | 'not-connected';

export type UploadOutcome = { ok: true; file: UploadAnswer } | { ok: false; error: UploadFailure; message: string };

/** A signed link's answer, its `url` made absolute (the page or the app loads it as it is). */
export type FileLinkOutcome = { ok: true; link: FileLinkAnswer } | { ok: false; error: UploadFailure; message: string };

const FILE_ERROR_CODES: ReadonlySet<string> = new Set<FileErrorCode>([
  'unauthorized',
  'method-not-allowed',
  'no-body',
  'empty-file',
  'invalid-file-name',
  'invalid-length',
  'file-too-large',
  'quota-exceeded',
  'storage-full',
  'too-many-uploads',
  'upload-timeout',
  'forbidden',
  'not-found',
  'range-not-satisfiable',
  'server-error',
]);

function parseJson(body: string): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(body);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/** A refusal's code and message; a status with no readable body still says what it means. */
function refusal(status: number, body: Record<string, unknown> | null): { ok: false; error: UploadFailure; message: string } {
  const code = body?.error;
  const message = typeof body?.message === 'string' ? body.message.slice(0, 300) : `HTTP ${status}`;
  if (typeof code === 'string' && FILE_ERROR_CODES.has(code)) return { ok: false, error: code as FileErrorCode, message };
  if (status === 413) return { ok: false, error: 'file-too-large', message };
  if (status === 401) return { ok: false, error: 'unauthorized', message };
  return { ok: false, error: 'server-error', message };
}

const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;

/** What an upload's answer (status and body text) says, checked field by field. */
export function readUploadAnswer(status: number, bodyText: string): UploadOutcome {
  const body = parseJson(bodyText);
  if (status !== 201 && status !== 200) return refusal(status, body);
  const { fileId, name, size, type, width, height } = body ?? {};
  if (typeof fileId !== 'string' || typeof name !== 'string' || typeof type !== 'string' || !isCount(size)) {
    return { ok: false, error: 'server-error', message: 'The server answered the upload with something else than a file.' };
  }
  const file: UploadAnswer = { fileId, name, size, type };
  if (isCount(width) && isCount(height)) {
    file.width = width;
    file.height = height;
  }
  return { ok: true, file };
}

/** What a link request's answer says; `origin` (`http://host:port`) makes its url absolute: only a path of the files endpoint is taken. */
export function readLinkAnswer(status: number, bodyText: string, origin: string): FileLinkOutcome {
  const body = parseJson(bodyText);
  if (status !== 200) return refusal(status, body);
  const { url, expiresAt } = body ?? {};
  // The server's own path, never another place: `/files/…`, not `//elsewhere` or `https://…`.
  if (typeof url !== 'string' || !url.startsWith(`${FILES_PATH}/`) || !isCount(expiresAt)) {
    return { ok: false, error: 'server-error', message: 'The server answered the link request with something else than a link.' };
  }
  return { ok: true, link: { url: `${origin}${url}`, expiresAt } };
}
