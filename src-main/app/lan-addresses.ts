import type { NetworkInterfaceInfo } from 'node:os';
import { encodeQueryValue } from '../../src-shared/session/connect-url';
import { urlHost } from '../server/addresses';

/*
 * Which addresses of this computer others on the LAN can use to join a hosted room:
 * every non-internal IPv4 and (when the room listens on IPv6) every IPv6 address that
 * is not link-local. Link-local ones (fe80::/10, 169.254/16) need a zone id or mean
 * "no network yet", so they would only confuse whoever types them.
 */

export type NetworkInterfaces = NodeJS.Dict<NetworkInterfaceInfo[]>;

const isIpv4LinkLocal = (address: string): boolean => address.startsWith('169.254.');
const isIpv6LinkLocal = (address: string): boolean => {
  const first = Number.parseInt(address.split(':', 1)[0] ?? '', 16);
  return Number.isFinite(first) && (first & 0xffc0) === 0xfe80;
};

/** The host literals, IPv4 first, each once, in interface order. */
export function lanHosts(interfaces: NetworkInterfaces, includeIpv6: boolean): string[] {
  const v4: string[] = [];
  const v6: string[] = [];
  for (const infos of Object.values(interfaces)) {
    for (const info of infos ?? []) {
      if (info.internal) continue;
      const family = String(info.family);
      if ((family === 'IPv4' || family === '4') && !isIpv4LinkLocal(info.address)) v4.push(info.address);
      else if (includeIpv6 && (family === 'IPv6' || family === '6') && !isIpv6LinkLocal(info.address)) v6.push(info.address);
    }
  }
  return [...new Set([...v4, ...v6])];
}


/**
 * The ws:// addresses to join and the http:// pages that open the same room in a
 * browser. A room with a key carries it in every URL (`?key=…`, percent-encoded):
 * the first web URL is the share link the host copies, and whoever opens it needs
 * nothing else. Our client keeps a `key` it finds in a ws:// URL; the page reads it
 * from its own address.
 */
export function roomUrls(hosts: readonly string[], port: number, roomKey?: string): { addresses: string[]; webUrls: string[] } {
  const query = roomKey === undefined || roomKey === '' ? '' : `?key=${encodeQueryValue(roomKey)}`;
  return {
    addresses: hosts.map((host) => (query === '' ? `ws://${urlHost(host)}:${port}` : `ws://${urlHost(host)}:${port}/${query}`)),
    webUrls: hosts.map((host) => `http://${urlHost(host)}:${port}/${query}`),
  };
}
