import { BlockList, isIP } from 'node:net';
import type { ServerResponse } from 'node:http';
import { CloseCode, LOCAL_NETWORK_ONLY_REASON } from '../../src-shared/protocol';
import { inBlockList, isLocalNetworkAddress } from './addresses';
import type { Refusal } from './refusal';

/*
 * Which peers may talk to the room at all, checked before anything else (origin, key,
 * limits): a peer outside is refused whatever it sends. `any` lets everyone in (the
 * standalone server's default); `local-network` only loopback, private and link-local
 * addresses (the desktop app's hosted room); a list names CIDRs, and may name
 * `local-network` among them.
 */

export const LOCAL_NETWORK = 'local-network';
export type PeerScope = 'any' | typeof LOCAL_NETWORK | readonly string[];

/** `10.0.0.0/8`, `fd00::/8`, or a bare address (a /32 or /128). */
const CIDR = /^([0-9a-fA-F:.]+)(?:\/(\d{1,3}))?$/;

/** Why an entry of a scope list is not one, or null when it is. */
export function peerScopeEntryProblem(entry: string): string | null {
  if (entry === LOCAL_NETWORK) return null;
  const match = CIDR.exec(entry);
  const family = match ? isIP(match[1]!) : 0;
  if (match === null || family === 0) return `"${entry.slice(0, 60)}" is not an address or CIDR block (like 10.0.0.0/8 or fd00::/8)`;
  const prefix = match[2] === undefined ? undefined : Number(match[2]);
  if (prefix !== undefined && prefix > (family === 4 ? 32 : 128)) return `"${entry.slice(0, 60)}" has a prefix longer than the address`;
  return null;
}

/** The predicate for a scope. A bad scope is a programmer's (or the CLI's) mistake: it throws. */
export function peerScopeFilter(scope: PeerScope): (ip: string) => boolean {
  if (scope === 'any') return () => true;
  if (scope === LOCAL_NETWORK) return isLocalNetworkAddress;
  if (!Array.isArray(scope)) throw new TypeError(`peerScope must be 'any', '${LOCAL_NETWORK}' or a list of CIDR blocks`);
  const list = new BlockList();
  let local = false;
  for (const entry of scope as readonly unknown[]) {
    if (typeof entry !== 'string') throw new TypeError('peerScope entries must be strings');
    const problem = peerScopeEntryProblem(entry);
    if (problem !== null) throw new RangeError(`peerScope: ${problem}`);
    if (entry === LOCAL_NETWORK) {
      local = true;
      continue;
    }
    const [address, prefix] = entry.split('/') as [string, string | undefined];
    const family = isIP(address) === 4 ? 'ipv4' : 'ipv6';
    list.addSubnet(address, prefix === undefined ? (family === 'ipv4' ? 32 : 128) : Number(prefix), family);
  }
  return (ip) => (local && isLocalNetworkAddress(ip)) || inBlockList(list, ip);
}

/** The close a WebSocket from outside the scope gets: a browser shows a close reason, never an HTTP status. */
export const OUT_OF_SCOPE: Refusal = { code: CloseCode.forbidden, reason: LOCAL_NETWORK_ONLY_REASON };

const OUT_OF_SCOPE_TEXT = `${LOCAL_NETWORK_ONLY_REASON}.`;

/** A plain HTTP request (the web UI) from outside the scope: 403, and the connection closes once it is sent. */
export function refuseRequestOutOfScope(res: ServerResponse): void {
  res.writeHead(403, {
    Connection: 'close',
    'Content-Type': 'text/plain; charset=utf-8',
    'Content-Length': Buffer.byteLength(OUT_OF_SCOPE_TEXT),
  });
  res.end(OUT_OF_SCOPE_TEXT);
}
