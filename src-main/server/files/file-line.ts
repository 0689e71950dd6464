import { formatChatText } from '../../../src-shared/protocol';
import { fileUrl } from './downloads';
import type { FileRecord } from './file-records';
import { uploadAnswer } from './uploads';

/*
 * A chat line that carries a file: its `"file":{…}` field, made from the server's
 * record (never from what the client sent), and its text for those who read only the
 * text (the original Qt client; and the stored text when the user typed none): the
 * file's name, size and address.
 */

/** What a line needs of the file it carries. */
export interface SentFile {
  /** `,"file":{…}`, ready to go into the payload. */
  readonly field: string;
  /** The file's line for people (not escaped): `📎 name (size) /files/…`. */
  readonly line: string;
}

export function sentFile(record: FileRecord): SentFile {
  const file = { ...uploadAnswer(record), url: fileUrl(record.fileId) };
  return { field: `,"file":${JSON.stringify(file)}`, line: `📎 ${record.name} (${humanSize(record.size)}) ${file.url}` };
}

/**
 * The text of a line (already formatted) with its file: ours get the user's text (or
 * the file's line when there is none); the Qt client, which shows only text, the file's
 * line under the user's text.
 */
export function textsWithFile(formatted: string, file: SentFile | null): { text: string; legacyText: string } {
  if (file === null) return { text: formatted, legacyText: formatted };
  const line = formatChatText(file.line);
  if (formatted === '') return { text: line, legacyText: line };
  return { text: formatted, legacyText: `${formatted}<br>${line}` };
}

/** The id of the file a stored line carries, or null. The payload is the server's own JSON: a text cannot fake the field (its quotes are escaped). */
export function fileIdIn(payload: string): string | null {
  const match = /,"file":\{"fileId":"([A-Za-z0-9_-]{22})"/.exec(payload);
  return match === null ? null : match[1]!;
}

export function humanSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KiB', 'MiB', 'GiB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value < 10 ? value.toFixed(1) : Math.round(value)} ${units[unit]}`;
}
