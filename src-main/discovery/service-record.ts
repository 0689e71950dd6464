import type { FoundRoom } from '../../src-shared/bridge/found-room';
import { MAX_FOUND_NAME_LENGTH, MAX_FOUND_PATH_LENGTH } from '../../src-shared/bridge/found-room';
import { urlHost } from '../server/addresses';

/*
 * What a SimpleChat room says about itself over DNS-SD, and how a received record is
 * read back: type `_simplechat._tcp`, a TXT record with the protocol version, the
 * room's name, locked=1|0, tls=1|0 and the web path. Never the key, never the users.
 */

export const SERVICE_TYPE = '_simplechat._tcp.local';
/** Bumped when what a room announces changes meaning. */
export const DISCOVERY_VERSION = 1;
/** What a room announces; the records live this long in others' caches unless renewed. */
export const RECORD_TTL_S = 120;

export interface AdvertisedRoom {
  name: string;
  port: number;
  locked: boolean;
  tls: boolean;
  /** Where the web UI is served ("/"), or null when the room serves none. */
  webPath: string | null;
}

/** Control, format (bidi overrides, zero-width) and separator characters: never shown. */
const UNSHOWABLE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Co}\p{Cn}]/gu;

/** Text from the network made fit to show: printable, one line, at most `max` characters. */
export function showableText(raw: string, max: number): string {
  const flat = raw.normalize('NFC').replace(/[\s\u0085]+/gu, ' ').replace(UNSHOWABLE, '').replace(/ {2,}/g, ' ').trim();
  const chars = Array.from(flat);
  return chars.length > max ? chars.slice(0, max).join('').trimEnd() : flat;
}

const SAFE_PATH = /^\/[A-Za-z0-9/_.~-]*$/;

export function txtEntries(room: AdvertisedRoom): string[] {
  return [
    `v=${DISCOVERY_VERSION}`,
    `name=${showableText(room.name, MAX_FOUND_NAME_LENGTH)}`,
    `locked=${room.locked ? 1 : 0}`,
    `tls=${room.tls ? 1 : 0}`,
    `path=${room.webPath ?? ''}`,
  ];
}

/** TXT strings considered per record: a legitimate room sends five. */
const MAX_TXT_ENTRIES = 16;

/** key → value from a TXT record's strings (first of each key wins), or null when it is not a TXT payload. */
export function readTxt(data: unknown): Map<string, string> | null {
  const strings = Array.isArray(data) ? data : [data];
  const fields = new Map<string, string>();
  for (const item of strings.slice(0, MAX_TXT_ENTRIES)) {
    let text: string;
    if (item instanceof Uint8Array) text = Buffer.from(item.buffer, item.byteOffset, Math.min(item.byteLength, 512)).toString('utf8');
    else if (typeof item === 'string') text = item.slice(0, 512);
    else continue;
    const at = text.indexOf('=');
    if (at <= 0) continue;
    const key = text.slice(0, at).toLowerCase();
    if (!fields.has(key)) fields.set(key, text.slice(at + 1));
  }
  return fields;
}

/** A room from a TXT record's fields, the sender's address and the SRV port. */
export function foundRoom(fields: Map<string, string>, host: string, port: number): Omit<FoundRoom, 'lookAlike'> {
  const name = showableText(fields.get('name') ?? '', MAX_FOUND_NAME_LENGTH);
  const path = fields.get('path') ?? '';
  return {
    id: `${urlHost(host)}:${port}`,
    name: name === '' ? urlHost(host) : name,
    host,
    port,
    locked: fields.get('locked') === '1',
    tls: fields.get('tls') === '1',
    webPath: path.length <= MAX_FOUND_PATH_LENGTH && SAFE_PATH.test(path) ? path : null,
  };
}
