/*
 * The user's name for a file, from its `X-File-Name` header (percent-encoded UTF-8).
 * It is metadata only (the file on disk has a name the server made), but it is shown
 * to others and offered as the download's name, so it keeps no path, no `..`, no
 * control or bidirectional characters, and at most 255 bytes of UTF-8.
 */

export const MAX_FILE_NAME_BYTES = 255;
export const FALLBACK_FILE_NAME = 'file';

// Cc (NUL and the rest), bidi embeddings, overrides and isolates, marks, and the default-ignorables that hide text.
const UNWANTED = /[\p{Cc}\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff\ufff9-\ufffb]/gu;

/** The cleaned name, or null when the header is not percent-encoded UTF-8. */
export function cleanFileName(header: string | undefined): string | null {
  if (header === undefined || header === '') return FALLBACK_FILE_NAME;
  let decoded: string;
  try {
    decoded = decodeURIComponent(header);
  } catch {
    return null;
  }
  // Only the last segment of anything that looks like a path, Windows' included (`C:\x`).
  const last = decoded.normalize('NFC').replace(UNWANTED, '').split(/[/\\]/).pop() ?? '';
  // Leading dots would make `..` or a hidden file; trailing dots and spaces Windows drops.
  const name = last.replace(/^[\s.]+/u, '').replace(/[\s.]+$/u, '').replace(/^[A-Za-z]:/, '').replace(/\s+/gu, ' ');
  if (name === '') return FALLBACK_FILE_NAME;
  return cutToBytes(name, MAX_FILE_NAME_BYTES);
}

/** Cuts at a code point, keeping a short extension (`….pdf`) when there is one. */
function cutToBytes(name: string, max: number): string {
  if (Buffer.byteLength(name) <= max) return name;
  const dot = name.lastIndexOf('.');
  const extension = dot > 0 && name.length - dot <= 16 ? name.slice(dot) : '';
  let budget = max - Buffer.byteLength(extension);
  let kept = '';
  for (const char of extension === '' ? name : name.slice(0, dot)) {
    const bytes = Buffer.byteLength(char);
    if (bytes > budget) break;
    budget -= bytes;
    kept += char;
  }
  return kept + extension;
}
