import { isIP } from 'node:net';
import type { FoundRoom } from '../../src-shared/bridge/found-room';
import { MAX_FOUND_ROOMS } from '../../src-shared/bridge/found-room';
import { normalizeIp } from '../server/addresses';
import { nameKeys } from '../server/name-skeleton';
import { SERVICE_TYPE, foundRoom, readTxt } from './service-record';

/*
 * The list of rooms seen on the network, fed one decoded mDNS response at a time.
 * Anyone on the LAN can send anything, so: records of unexpected shapes are skipped,
 * a packet's records are looked at up to a cap, the list holds at most MAX_FOUND_ROOMS
 * entries (one per address and port: an imitator cannot replace a real room, only sit
 * beside it, marked as a look-alike), cached entries expire, and goodbyes (TTL 0)
 * remove only what the same address announced.
 */

/** Records read per packet; a legitimate announcement has a handful. */
export const MAX_RECORDS_PER_PACKET = 64;
/** Longest a record may keep a room listed without being renewed, whatever its TTL says. */
export const MAX_KEEP_S = 75 * 60;

interface Entry {
  room: Omit<FoundRoom, 'lookAlike'>;
  /** Full DNS-SD instance name, lower case, for goodbyes. */
  instance: string;
  expiresAt: number;
}

interface DnsRecord {
  name: string;
  type: string;
  ttl: number;
  data: unknown;
}

function asRecord(value: unknown): DnsRecord | null {
  if (typeof value !== 'object' || value === null) return null;
  const { name, type, ttl, data } = value as Record<string, unknown>;
  if (typeof name !== 'string' || name.length > 255 || typeof type !== 'string') return null;
  return { name: name.toLowerCase(), type, ttl: typeof ttl === 'number' && ttl >= 0 ? ttl : 0, data };
}

function records(packet: unknown): DnsRecord[] {
  if (typeof packet !== 'object' || packet === null) return [];
  const { answers, additionals } = packet as Record<string, unknown>;
  const all = [...(Array.isArray(answers) ? answers : []), ...(Array.isArray(additionals) ? additionals : [])];
  const found: DnsRecord[] = [];
  for (const item of all.slice(0, MAX_RECORDS_PER_PACKET)) {
    const record = asRecord(item);
    if (record !== null) found.push(record);
  }
  return found;
}

function srvPort(data: unknown): number | null {
  if (typeof data !== 'object' || data === null) return null;
  const port = (data as Record<string, unknown>).port;
  return typeof port === 'number' && Number.isInteger(port) && port >= 1 && port <= 65535 ? port : null;
}

export class RoomBrowser {
  readonly #entries = new Map<string, Entry>();
  readonly #now: () => number;
  readonly #isOwn: (instance: string) => boolean;

  /** `isOwn(instance)`: an instance (lower case) this app announces; kept (a look-alike of it is still marked) but not listed. */
  constructor(now: () => number = Date.now, isOwn: (instance: string) => boolean = () => false) {
    this.#now = now;
    this.#isOwn = isOwn;
  }

  /** The rooms now listed, oldest first. */
  get rooms(): FoundRoom[] {
    this.#expire();
    const owners = new Map<string, Set<string>>();
    for (const { room } of this.#entries.values()) {
      for (const key of nameKeys(room.name)) {
        const hosts = owners.get(key) ?? new Set<string>();
        hosts.add(room.host);
        owners.set(key, hosts);
      }
    }
    return [...this.#entries.values()].filter(({ instance }) => !this.#isOwn(instance)).map(({ room }) => ({
      ...room,
      lookAlike: nameKeys(room.name).some((key) => (owners.get(key)?.size ?? 0) > 1),
    }));
  }

  /** Reads one decoded response from `from`; true when the list changed. */
  handleResponse(packet: unknown, from: { address: string }): boolean {
    const address = normalizeIp(from.address);
    if (isIP(address) === 0) return false;
    let changed = this.#expire();
    const list = records(packet);
    const instances = new Map<string, number>();
    for (const record of list) {
      if (record.type === 'PTR' && record.name === SERVICE_TYPE && typeof record.data === 'string' && record.data.length <= 255) {
        instances.set(record.data.toLowerCase(), record.ttl);
      }
    }
    for (const [instance, ptrTtl] of instances) {
      const srv = list.find((r) => r.type === 'SRV' && r.name === instance);
      if (ptrTtl === 0 || srv?.ttl === 0) {
        changed = this.#forget(instance, address) || changed;
        continue;
      }
      const port = srv === undefined ? null : srvPort(srv.data);
      const txt = list.find((r) => r.type === 'TXT' && r.name === instance);
      const fields = txt === undefined ? null : readTxt(txt.data);
      if (port === null || srv === undefined || fields === null) continue;
      changed = this.#keep(instance, foundRoom(fields, address, port), Math.min(ptrTtl, srv.ttl)) || changed;
    }
    return changed;
  }

  /** Drops expired entries; true when some went. */
  #expire(): boolean {
    const now = this.#now();
    let changed = false;
    for (const [id, entry] of this.#entries) {
      if (entry.expiresAt <= now) {
        this.#entries.delete(id);
        changed = true;
      }
    }
    return changed;
  }

  #forget(instance: string, host: string): boolean {
    let changed = false;
    for (const [id, entry] of this.#entries) {
      if (entry.instance === instance && entry.room.host === host) {
        this.#entries.delete(id);
        changed = true;
      }
    }
    return changed;
  }

  #keep(instance: string, room: Omit<FoundRoom, 'lookAlike'>, ttlS: number): boolean {
    const expiresAt = this.#now() + Math.min(ttlS, MAX_KEEP_S) * 1000;
    const old = this.#entries.get(room.id);
    if (old === undefined && this.#entries.size >= MAX_FOUND_ROOMS) return false;
    this.#entries.set(room.id, { room, instance, expiresAt });
    return old === undefined || JSON.stringify(old.room) !== JSON.stringify(room);
  }
}
