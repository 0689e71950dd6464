import { BlockList, isIP } from 'node:net';

/** Remote addresses as the limits and the log see them. */

/** `::ffff:1.2.3.4` (an IPv4 client on a dual-stack socket) is `1.2.3.4`. */
export function normalizeIp(address: string | undefined): string {
  if (address === undefined) return 'unknown';
  return address.startsWith('::ffff:') && address.includes('.') ? address.slice(7) : address;
}

/** A host as it goes into a URL: an IPv6 address in brackets. */
export function urlHost(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

export function isLoopback(ip: string): boolean {
  return ip === '::1' || ip.startsWith('127.');
}

/** The eight 16-bit groups of an IPv6 address (no zone, no embedded IPv4), or null. */
function ipv6Groups(ip: string): number[] | null {
  const bare = ip.split('%')[0]!;
  if (isIP(bare) !== 6) return null;
  const [head, tail] = bare.includes('::') ? bare.split('::') : [bare, undefined];
  const parse = (part: string | undefined): string[] => (part === undefined || part === '' ? [] : part.split(':'));
  const front = parse(head);
  const back = parse(tail);
  // An embedded IPv4 tail (::ffff:1.2.3.4 was mapped already; others are rare) counts as two groups.
  const expand = (parts: string[]): number[] =>
    parts.flatMap((part) => {
      if (!part.includes('.')) return [Number.parseInt(part, 16)];
      const [a, b, c, d] = part.split('.').map(Number) as [number, number, number, number];
      return [(a << 8) | b, (c << 8) | d];
    });
  const frontGroups = expand(front);
  const backGroups = expand(back);
  const zeros = tail === undefined ? 0 : 8 - frontGroups.length - backGroups.length;
  return [...frontGroups, ...new Array<number>(zeros).fill(0), ...backGroups];
}

/**
 * The key per-address limits count under. An IPv6 host is usually given a whole /64
 * and can pick any address in it, so IPv6 counts by /64 (`2001:db8:1:2::/64`); loopback
 * and IPv4 by the address itself.
 */
export function addressKey(ip: string): string {
  if (isLoopback(ip) || isIP(ip) !== 6) return ip;
  const groups = ipv6Groups(ip);
  if (groups === null) return ip;
  return `${groups
    .slice(0, 4)
    .map((group) => group.toString(16))
    .join(':')}::/64`;
}

/*
 * The local network: loopback, the private IPv4 ranges, link-local, and IPv6 unique-local.
 * Not CGNAT (100.64.0.0/10): that space is the ISP's, shared with its other customers,
 * so it is not "this network" (a Tailscale user lists it with --allow-peers).
 */
const LOCAL_NETWORK = new BlockList();
for (const [network, prefix] of [['127.0.0.0', 8], ['10.0.0.0', 8], ['172.16.0.0', 12], ['192.168.0.0', 16], ['169.254.0.0', 16]] as const) {
  LOCAL_NETWORK.addSubnet(network, prefix, 'ipv4');
}
for (const [network, prefix] of [['::1', 128], ['fe80::', 10], ['fc00::', 7]] as const) LOCAL_NETWORK.addSubnet(network, prefix, 'ipv6');

/** IPv4 or IPv6 (IPv4-mapped forms and zone ids included) on the local network; junk is not. */
export function isLocalNetworkAddress(ip: string): boolean {
  return inBlockList(LOCAL_NETWORK, ip);
}

/** `ip` (IPv4-mapped forms and zone ids included) is in `list`; junk is not. */
export function inBlockList(list: BlockList, ip: string): boolean {
  const bare = ip.split('%')[0]!;
  const family = isIP(bare);
  if (family === 0) return false;
  return list.check(bare, family === 4 ? 'ipv4' : 'ipv6');
}

/** One address in a comparable form: IPv6 fully expanded (zone kept), IPv4 mapped to itself. */
function comparable(ip: string): string {
  const groups = ipv6Groups(ip);
  if (groups === null) return ip;
  const zone = ip.includes('%') ? ip.slice(ip.indexOf('%')) : '';
  if (groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff) {
    return `${groups[6]! >> 8}.${groups[6]! & 0xff}.${groups[7]! >> 8}.${groups[7]! & 0xff}`;
  }
  return groups.map((g) => g.toString(16)).join(':') + zone;
}

/** Is the TCP peer one of the reverse proxies the server was told to trust? */
export function isTrustedProxy(peerIp: string, trustProxy: readonly string[]): boolean {
  if (trustProxy.length === 0) return false;
  const peer = comparable(peerIp);
  return trustProxy.some((proxy) => comparable(proxy) === peer);
}

/**
 * One `X-Forwarded-For` entry as an address: `1.2.3.4`, `2001:db8::1`, and the forms
 * some proxies write with a port (`1.2.3.4:5678`, `[2001:db8::1]:5678`). null: not one.
 */
function forwardedEntry(entry: string): string | null {
  let text = entry.trim();
  if (text.startsWith('[')) {
    const end = text.indexOf(']');
    if (end === -1) return null;
    text = text.slice(1, end);
  } else if (/^[\d.]+:\d+$/.test(text)) {
    text = text.slice(0, text.indexOf(':'));
  }
  return isIP(text.split('%')[0]!) === 0 ? null : normalizeIp(text);
}

/**
 * The client's address. Only when the TCP peer is a trusted proxy is `X-Forwarded-For`
 * read: each proxy appends the address it heard from, so the right-most entry that is
 * not itself a trusted proxy is the client (entries left of it are whatever the client
 * chose to send). Anything unreadable on the way falls back to the peer: a header is
 * the peer's word, never a reason to throw.
 */
export function clientAddress(
  peerIp: string,
  forwardedFor: string | readonly string[] | undefined,
  trustProxy: readonly string[],
): string {
  if (forwardedFor === undefined || !isTrustedProxy(peerIp, trustProxy)) return peerIp;
  const entries = (typeof forwardedFor === 'string' ? forwardedFor : forwardedFor.join(',')).split(',');
  let client = peerIp;
  for (let i = entries.length - 1; i >= 0; i--) {
    const address = forwardedEntry(entries[i]!);
    if (address === null) return peerIp;
    client = address;
    if (!isTrustedProxy(address, trustProxy)) return address;
  }
  return client;
}
