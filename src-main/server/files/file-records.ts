/*
 * What the server knows of each uploaded file, and where that is kept: SQLite with
 * `--db` (the `files` table), memory otherwise. The bytes are on disk in the files
 * folder under the file's id; the user's name for a file is only this metadata.
 */

export interface FileRecord {
  /** Random, made by the server; also the file's name on disk. */
  readonly fileId: string;
  /** The uploader's name for it, cleaned (file-name.ts). */
  readonly name: string;
  readonly size: number;
  /** Sniffed from the bytes (never the client's Content-Type); `application/octet-stream` when unknown. */
  readonly type: string;
  /** Pictures only (PNG, JPEG, GIF, WebP), read from the bytes. */
  readonly width?: number;
  readonly height?: number;
  /** SHA-256 of the bytes, hex (the ETag). */
  readonly sha256: string;
  /** Whose it is: `i:<userId>` for a lasting identity, `s:<sessionToken>` for a session (uploads.ts ownerKey). */
  readonly owner: string;
  /** ms since the epoch. */
  readonly uploadedAt: number;
  /**
   * Where it was sent (who may fetch it): a room key (the lobby's `''`, a room's canonical
   * name, a dialog's `@a:b`) or `@@<token> <token>` for a private line of two sessions.
   * null: not sent yet (only its owner may fetch it).
   */
  readonly scope: string | null;
}

export interface FileRecordStore {
  /** What the last run left, read once at start. */
  readonly saved: readonly FileRecord[];
  /** A new or changed record: written with the next flush. */
  put(record: FileRecord): void;
  remove(fileId: string): void;
}

/** Records for this run only. */
export class MemoryFileRecords implements FileRecordStore {
  readonly saved: readonly FileRecord[] = [];

  put(): void {}

  remove(): void {}
}
