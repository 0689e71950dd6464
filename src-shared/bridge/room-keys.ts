import { tryBuildConnectUrl } from '../session/connect-url';

/*
 * Room keys are kept per server, so a key is only ever sent to the server it was saved
 * for: a link or a typed address naming another host finds no key (issue 18, hole 4).
 * A server is named by its normalised address: `host:port`, lowercased, the default
 * port filled in (the port field, or 80/443 for a ws:// / wss:// URL without one).
 */

/** Servers remembered at most; the oldest entry goes first. */
export const MAX_SAVED_ROOM_KEYS = 64;

export type RoomKeys = Readonly<Record<string, string>>;

const AUTHORITY = /^(wss?):\/\/(\[[^\]]*\]|[^/:?#]*)(?::(\d+))?/;

/** `host:port` for what the user typed (or a link named), or null for no valid address. */
export function serverAddressKey(server: string, port: number): string | null {
  const built = tryBuildConnectUrl({ server, port, userName: '', userColor: '#000', gender: 0 });
  if (!built.ok) return null;
  const match = AUTHORITY.exec(built.url);
  if (match === null) return null;
  const [, scheme, host, ownPort] = match as unknown as [string, string, string, string | undefined];
  const filled = ownPort ?? (scheme === 'wss' ? '443' : '80');
  return `${host.toLowerCase().replace(/\.$/, '')}:${Number(filled)}`;
}

/** The key saved for this server, or '' when none is. */
export function savedKeyFor(keys: RoomKeys, server: string, port: number): string {
  const address = serverAddressKey(server, port);
  if (address === null || !Object.prototype.hasOwnProperty.call(keys, address)) return '';
  return keys[address] ?? '';
}

/** The map with this server's key set (or, for '', removed); the newest entry last. */
export function withSavedKey(keys: RoomKeys, server: string, port: number, key: string): Record<string, string> {
  const address = serverAddressKey(server, port);
  const next: Record<string, string> = {};
  for (const [name, value] of Object.entries(keys)) if (name !== address) next[name] = value;
  if (address === null) return next;
  if (key !== '') next[address] = key;
  const names = Object.keys(next);
  for (const name of names.slice(0, Math.max(0, names.length - MAX_SAVED_ROOM_KEYS))) delete next[name];
  return next;
}

/** The map with this server's last conversation set (or, for '' — the lobby — removed); the newest entry last. */
export function withSavedConversation(saved: RoomKeys, address: string, conversation: string, max = MAX_SAVED_ROOM_KEYS): Record<string, string> {
  const next: Record<string, string> = {};
  for (const [name, value] of Object.entries(saved)) if (name !== address) next[name] = value;
  if (conversation !== '') next[address] = conversation;
  const names = Object.keys(next);
  for (const name of names.slice(0, Math.max(0, names.length - max))) delete next[name];
  return next;
}
