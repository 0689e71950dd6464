import type { ConnectLink } from '../../src-shared/bridge';
import { DEFAULT_PORT, MAX_LOGIN_KEY_LENGTH, MAX_NAME_LENGTH, cleanUserName } from '../../src-shared/protocol';

/*
 * `simplechat://host:port?name=…&key=…` links, from the OS (macOS open-url) or the
 * command line (Windows, Linux). A link only ever prefills the connect dialog: whoever
 * wrote it is a stranger, so it is read strictly and anything odd refuses the link.
 */

export const LINK_SCHEME = 'simplechat';
/** Longer links are refused unread. */
export const MAX_LINK_LENGTH = 2048;

const HOST_NAME = /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*\.?$/;
const IPV4 = /^(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;
const IPV6 = /^\[[0-9a-f:.]{2,45}\]$/;
const KNOWN_PARAMS = new Set(['name', 'key']);

export type LinkResult = { ok: true; link: ConnectLink } | { ok: false; reason: string };

/** Reads a link; never throws. */
export function parseConnectLink(raw: unknown): LinkResult {
  if (typeof raw !== 'string') return { ok: false, reason: 'not a string' };
  if (raw.length > MAX_LINK_LENGTH) return { ok: false, reason: 'too long' };
  // No whitespace or control characters anywhere: URL parsing would strip some silently.
  if (/[\u0000-\u0020\u007f-\u009f\u2028\u2029]/.test(raw)) return { ok: false, reason: 'contains spaces or control characters' };
  if (!raw.toLowerCase().startsWith(`${LINK_SCHEME}://`)) return { ok: false, reason: `not a ${LINK_SCHEME}:// link` };
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { ok: false, reason: 'not a valid URL' };
  }
  if (url.username !== '' || url.password !== '') return { ok: false, reason: 'user information is not allowed' };
  if (url.pathname !== '' && url.pathname !== '/') return { ok: false, reason: 'a path is not allowed' };
  if (url.hash !== '') return { ok: false, reason: 'a fragment is not allowed' };

  const host = url.hostname.toLowerCase();
  const server = IPV6.test(host) ? host.slice(1, -1) : host;
  if (!(IPV6.test(host) || IPV4.test(host) || (HOST_NAME.test(host) && !/^[\d.]+$/.test(host)))) {
    return { ok: false, reason: 'not a host name or IP address' };
  }
  let port = DEFAULT_PORT;
  if (url.port !== '') {
    port = Number(url.port);
    if (!Number.isInteger(port) || port < 1 || port > 65535) return { ok: false, reason: 'port out of range' };
  }

  const link: ConnectLink = { server, port };
  const seen = new Set<string>();
  for (const [key, value] of url.searchParams) {
    if (!KNOWN_PARAMS.has(key)) continue; // newer links may carry more; they are not ours to read
    if (seen.has(key)) return { ok: false, reason: `${key} is given twice` };
    seen.add(key);
    if (key === 'name') {
      if (value.length > MAX_NAME_LENGTH * 4) return { ok: false, reason: 'name too long' };
      // As the server will show it; a name that cleans to nothing is no name.
      const userName = cleanUserName(value, '');
      if (userName !== '') link.userName = userName;
    } else {
      if (value.length > MAX_LOGIN_KEY_LENGTH) return { ok: false, reason: 'key too long' };
      if (value !== '') link.roomKey = value;
    }
  }
  return { ok: true, link };
}

/** The first simplechat:// link among command-line arguments (Windows and Linux pass links so). */
export function linkFromArgs(argv: readonly string[]): string | undefined {
  return argv.find((arg) => typeof arg === 'string' && arg.toLowerCase().startsWith(`${LINK_SCHEME}:`));
}
