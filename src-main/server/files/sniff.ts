import { fileTypeFromFile } from 'file-type';
import { imageSizeFromFile } from 'image-size/fromFile';

/*
 * What a file is, read from its bytes (never from the uploader's Content-Type or name).
 * The four picture types are only taken as pictures when their size can be read as
 * well; anything else the sniffer does not know is `application/octet-stream`.
 */

export const UNKNOWN_TYPE = 'application/octet-stream';

/** The types shown inline (as pictures); every other type is a download. */
export const PICTURE_TYPES: ReadonlySet<string> = new Set(['image/png', 'image/jpeg', 'image/gif', 'image/webp']);

const SIZE_TYPE_OF: Readonly<Record<string, string>> = { png: 'image/png', jpg: 'image/jpeg', gif: 'image/gif', webp: 'image/webp' };

export interface Sniffed {
  type: string;
  width?: number;
  height?: number;
}

export async function sniffFile(path: string): Promise<Sniffed> {
  const found = await fileTypeFromFile(path).catch(() => undefined);
  const type = found?.mime ?? UNKNOWN_TYPE;
  if (!PICTURE_TYPES.has(type)) return { type };
  try {
    const size = await imageSizeFromFile(path);
    // Both readers must agree it is this picture type, with a size: otherwise it is a download.
    if (size.type !== undefined && SIZE_TYPE_OF[size.type] === type && size.width > 0 && size.height > 0) {
      return { type, width: size.width, height: size.height };
    }
  } catch {
    // Not a picture image-size can read: a download.
  }
  return { type: UNKNOWN_TYPE };
}
