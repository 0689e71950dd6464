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
