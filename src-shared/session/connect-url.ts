import type { Gender } from '../protocol/messages';

/** What a login needs: where, and as whom. The bridge's `connect` command carries it. */
export interface ConnectRequest {
  /** Host name, IPv4, IPv6 (bracketed or not) or a full ws:// / wss:// URL. */
  server: string;
  port: number;
  userName: string;
  userColor: string;
  gender: Gender;
  /** Room key, when the room has one. */
  roomKey?: string;
  /** Ours: this client's lasting identity secret (lasting-identity.ts); the server then knows it again. */
  identity?: string;
}

/*
 * The login URL. What the user typed into "server" is user input: anything we
 * cannot join becomes a reason to show, never an exception (except from
 * `buildConnectUrl`, whose callers have checked the address already).
 *
 * Accepted server values:
 *   - a host name (`chat.example.org`, `чат.рф`, `my-pc`) or IPv4 address, optionally
 *     with `:port`, which then wins over the port field;
 *   - an IPv6 address, bracketed (`[::1]`, `[::1]:27800`) or bare (`::1`, no port);
 *   - a full `ws://` or `wss://` URL, used as written: its own port, or the scheme's
 *     default (80/443) when it names none — the port field is ignored, because a full
 *     URL is what a share link or a reverse proxy gives and its port is part of it.
 *     Its path and query are kept; our login parameters replace any of the same name
 *     (a `key` in the URL is kept unless the request has a room key). A `#fragment`
 *     means nothing to a WebSocket and is dropped;
 *   - the `http://` or `https://` address of a room's page (the link people share): the
 *     same room, joined over `ws://` or `wss://` with the same host, port, path and query
 *     (its `?key=` included), as the page itself would.
 * Every login parameter is percent-encoded (the Qt client left `&`, `+`, `#` raw).
 */

export type ConnectUrlResult = { ok: true; url: string } | { ok: false; reason: string };

/** Extra login parameters the session adds on its own (issue 6: the session token). */
export interface LoginExtras {
  sessionToken?: string;
}

const NOT_AN_ADDRESS = (server: string): string =>
  `“${shorten(server)}” is not a server address: enter a host name, an IP address, or a ws:// or wss:// URL.`;

function shorten(text: string): string {
  const chars = Array.from(text);
  return chars.length > 80 ? `${chars.slice(0, 80).join('')}…` : text;
}

// ---- encoding -------------------------------------------------------------------

// A lone surrogate would make encodeURIComponent throw; it becomes U+FFFD instead.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

function wellFormed(text: string): string {
  return text.replace(LONE_SURROGATE, '\uFFFD');
}

/** Encodes everything but RFC 3986's unreserved characters: the strictest form. */
export function encodeQueryValue(value: string): string {
  return encodeURIComponent(wellFormed(value)).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

// Characters that may stay as they are in a path or query the user wrote; a `%`
// must start an escape, and anything else (spaces, `\`, non-ASCII) is encoded.
const URL_TEXT_KEEP = /^[A-Za-z0-9\-._~!$&'()*+,;=:@/?]$/;
const HEX2 = /^[0-9A-Fa-f]{2}$/;

function encodeUrlText(text: string): string {
  let out = '';
  const chars = Array.from(wellFormed(text));
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i]!;
    if (c === '%') out += HEX2.test(chars.slice(i + 1, i + 3).join('')) ? '%' : '%25';
    else out += URL_TEXT_KEEP.test(c) ? c : encodeURIComponent(c);
  }
  return out;
}

function decodeQueryName(raw: string): string {
  try {
    return decodeURIComponent(raw.replace(/\+/g, ' '));
  } catch {
    return raw;
  }
}

// ---- hosts ----------------------------------------------------------------------

type HostCheck = { ok: true; host: string } | { ok: false; reason: string };

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
const HOST_LABEL = /^[\p{L}\p{M}\p{N}_](?:[\p{L}\p{M}\p{N}_-]*[\p{L}\p{M}\p{N}_])?$/u;
// URL parsers read a host whose last label is numeric (or 0x…) as IPv4, octal and hex
// included: `010.1` would quietly become 8.0.0.1. Such a host must be a plain dotted quad.
const NUMERIC_LABEL = /^(?:0x[0-9a-f]*|\d+)$/i;
const HEX_GROUP = /^[0-9a-f]{1,4}$/i;

export function isIPv4(text: string): boolean {
  return IPV4.test(text);
}

export function isIPv6(text: string): boolean {
  const lastColon = text.lastIndexOf(':');
  if (lastColon < 0) return false;
  let groupsWanted = 8;
  let body = text;
  const tail = text.slice(lastColon + 1);
  if (tail.includes('.')) {
    // An embedded IPv4 address (`::ffff:192.0.2.1`) stands for the last two groups.
    if (!isIPv4(tail)) return false;
    groupsWanted = 6;
    body = text.slice(0, lastColon + 1);
    if (!body.endsWith('::')) body = body.slice(0, -1);
  }
  const groups = (part: string): number => {
    if (part === '') return 0;
    const list = part.split(':');
    return list.every((g) => HEX_GROUP.test(g)) ? list.length : Infinity;
  };
  const halves = body.split('::');
  if (halves.length === 1) return groups(body) === groupsWanted;
  if (halves.length > 2) return false;
  // `::` stands for at least one group.
  return groups(halves[0]!) + groups(halves[1]!) <= groupsWanted - 1;
}

function checkIPv6(text: string, server: string): HostCheck {
  if (text.includes('%')) {
    return { ok: false, reason: `“${shorten(server)}”: IPv6 zone ids (like %eth0) cannot be used in a WebSocket address.` };
  }
  return isIPv6(text) ? { ok: true, host: `[${text.toLowerCase()}]` } : { ok: false, reason: `“${shorten(text)}” is not a valid IPv6 address.` };
}

function checkHostName(text: string, server: string): HostCheck {
  const name = text.endsWith('.') ? text.slice(0, -1) : text;
  const labels = name.split('.');
  if (name.length === 0 || name.length > 253 || !labels.every((l) => l.length <= 63 && HOST_LABEL.test(l))) {
    return { ok: false, reason: NOT_AN_ADDRESS(server) };
  }
  if (NUMERIC_LABEL.test(labels[labels.length - 1]!) && !isIPv4(name)) {
    return { ok: false, reason: `“${shorten(text)}” is not a valid IPv4 address.` };
  }
  return { ok: true, host: text };
}

function checkPort(text: string): number | undefined {
  if (!/^\d{1,5}$/.test(text)) return undefined;
  const port = Number(text);
  return port >= 1 && port <= 65535 ? port : undefined;
}

const BAD_PORT = (text: string): string => `“${shorten(text)}” is not a port: use a number from 1 to 65535.`;

/** `host`, `host:port`, `[v6]`, `[v6]:port` or a bare IPv6 address. */
function checkAuthority(authority: string, server: string): { ok: true; host: string; port?: number } | { ok: false; reason: string } {
  const bracketed = /^\[([^\]]*)\](?::(.*))?$/.exec(authority);
  let hostPart: string;
  let portPart: string | undefined;
  let host: HostCheck;
  if (bracketed) {
    hostPart = bracketed[1]!;
    portPart = bracketed[2];
    host = checkIPv6(hostPart, server);
  } else {
    const colons = authority.split(':').length - 1;
    if (colons > 1) return checkIPv6(authority, server);
    [hostPart, portPart] = colons === 1 ? (authority.split(':') as [string, string]) : [authority, undefined];
    host = checkHostName(hostPart, server);
  }
  if (!host.ok) return host;
  if (portPart === undefined) return { ok: true, host: host.host };
  // `javascript:alert(1)` has the shape of host:port, but nothing of a port.
  if (!/^\d+$/.test(portPart)) return { ok: false, reason: NOT_AN_ADDRESS(server) };
  const port = checkPort(portPart);
  return port === undefined ? { ok: false, reason: BAD_PORT(portPart) } : { ok: true, host: host.host, port };
}

// ---- the URL --------------------------------------------------------------------------

const SCHEME = /^([a-z][a-z0-9+.-]*):\/\//i;
const WS_URL = /^(wss?|https?):\/\/([^/?#]*)([^?#]*)(?:\?([^#]*))?/i;
/** A room's page and its chat share the address: its scheme says which WebSocket scheme. */
const SOCKET_SCHEME: Readonly<Record<string, string>> = { ws: 'ws', wss: 'wss', http: 'ws', https: 'wss' };

function loginQuery(request: ConnectRequest, extras: LoginExtras): Map<string, string> {
  const params = new Map<string, string>([
    ['userName', request.userName],
    ['userColor', request.userColor],
    ['gender', String(request.gender)],
  ]);
  if (typeof request.roomKey === 'string' && request.roomKey !== '') params.set('key', request.roomKey);
  if (typeof request.identity === 'string' && request.identity !== '') params.set('identity', request.identity);
  if (typeof extras.sessionToken === 'string' && extras.sessionToken !== '') params.set('sessionToken', extras.sessionToken);
  return params;
}

/** Parameters a pasted URL may not carry into our login: ours, or another login's token. */
const ALWAYS_REPLACED = new Set(['userName', 'userColor', 'gender', 'sessionToken', 'identity']);

function joinQuery(ownQuery: string | undefined, params: Map<string, string>): string {
  const kept = (ownQuery ?? '')
    .split('&')
    .filter((pair) => {
      if (pair === '') return false;
      const name = decodeQueryName(pair.split('=')[0]!);
      return !ALWAYS_REPLACED.has(name) && !params.has(name);
    })
    .map(encodeUrlText);
  const ours = [...params].map(([name, value]) => `${name}=${encodeQueryValue(value)}`);
  return [...kept, ...ours].join('&');
}

type UrlConstructor = new (url: string) => unknown;

/**
 * The platform's own URL parser (Node, browsers and Electron all have one) has the
 * last word: a host name of letters it will not map (IDNA) is refused here, with a
 * reason, rather than by the socket.
 */
function platformAccepts(url: string): boolean {
  const Url = (globalThis as { URL?: UrlConstructor }).URL;
  if (Url === undefined) return true;
  try {
    new Url(url);
    return true;
  } catch {
    return false;
  }
}

/** The login URL for `request`, or the reason the address cannot be joined. Never throws. */
export function tryBuildConnectUrl(request: ConnectRequest, extras: LoginExtras = {}): ConnectUrlResult {
  const result = buildUnchecked(request, extras);
  if (result.ok && !platformAccepts(result.url)) return { ok: false, reason: NOT_AN_ADDRESS(request.server.trim()) };
  return result;
}

function buildUnchecked(request: ConnectRequest, extras: LoginExtras): ConnectUrlResult {
  const server = typeof request.server === 'string' ? request.server.trim() : '';
  if (server === '') return { ok: false, reason: 'Enter a server address.' };
  const params = loginQuery(request, extras);

  const scheme = SCHEME.exec(server);
  if (scheme) {
    const url = WS_URL.exec(server);
    if (!url) {
      return {
        ok: false,
        reason: `“${shorten(server)}” is not a chat server address: only ws://, wss:// and a room's http:// or https:// page can be joined (${scheme[1]!.toLowerCase()}:// cannot).`,
      };
    }
    const [, protocol, authority, path, query] = url as unknown as [string, string, string, string, string | undefined];
    if (authority.includes('@')) return { ok: false, reason: `“${shorten(server)}”: addresses with a user name or password (user@host) are not supported.` };
    const where = checkAuthority(authority, server);
    if (!where.ok) return where;
    const port = where.port === undefined ? '' : `:${where.port}`;
    return {
      ok: true,
      url: `${SOCKET_SCHEME[protocol.toLowerCase()]!}://${where.host}${port}${encodeUrlText(path || '/')}?${joinQuery(query, params)}`,
    };
  }

  const where = checkAuthority(server, server);
  if (!where.ok) return where;
  const port = where.port ?? request.port;
  if (!Number.isInteger(port) || port < 1 || port > 65535) return { ok: false, reason: BAD_PORT(String(port)) };
  return { ok: true, url: `ws://${where.host}:${port}/?${joinQuery(undefined, params)}` };
}

/**
 * The login URL for an address already checked (e.g. by `tryBuildConnectUrl`).
 * Throws a RangeError with the user-facing reason otherwise: user input goes through
 * `tryBuildConnectUrl` or `ClientSession.connect`, which never throw.
 */
export function buildConnectUrl(request: ConnectRequest, extras: LoginExtras = {}): string {
  const result = tryBuildConnectUrl(request, extras);
  if (!result.ok) throw new RangeError(result.reason);
  return result.url;
}
