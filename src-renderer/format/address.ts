/**
 * `host:port` of a ws:// URL for people: no path, no query (the query carries the
 * name and the room key, which do not belong in the log).
 */
export function displayAddress(url: string): string {
  try {
    const parsed = new URL(url);
    return parsed.port === '' ? parsed.hostname : `${parsed.hostname}:${parsed.port}`;
  } catch {
    return url.split('?')[0] ?? url;
  }
}

const HOST_NAME = /^[\p{L}\p{N}](?:[\p{L}\p{N}\-.]*[\p{L}\p{N}])?\.?$/u;
const IPV6 = /^\[?[0-9a-fA-F:.]+(?:%[\w.-]+)?\]?$/;

/** Accepts a host name, IPv4, IPv6 (bracketed or not), a full ws:// / wss:// URL, or a room page's http(s):// address. */
export function isValidServer(server: string): boolean {
  const s = server.trim();
  if (s === '' || s.length > 2048) return false;
  if (/^(wss?|https?):\/\//i.test(s)) {
    try {
      return new URL(s).hostname !== '';
    } catch {
      return false;
    }
  }
  if (s.includes(':')) return IPV6.test(s) && s.split(':').length >= 3;
  return HOST_NAME.test(s);
}

/** A port typed by a person: an integer from 1 to 65535, or null. */
export function parsePort(text: string): number | null {
  if (!/^\s*\d{1,5}\s*$/.test(text)) return null;
  const port = Number(text);
  return port >= 1 && port <= 65535 ? port : null;
}
