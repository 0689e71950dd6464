/** Remote addresses as the limits and the log see them. */

/** `::ffff:1.2.3.4` (an IPv4 client on a dual-stack socket) is `1.2.3.4`. */
export function normalizeIp(address: string | undefined): string {
  if (address === undefined) return 'unknown';
  return address.startsWith('::ffff:') && address.includes('.') ? address.slice(7) : address;
}

export function isLoopback(ip: string): boolean {
  return ip === '::1' || ip.startsWith('127.');
}
