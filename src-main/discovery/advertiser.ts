import { randomBytes } from 'node:crypto';
import type { RemoteInfo } from 'node:dgram';
import { networkInterfaces } from 'node:os';
import { isLoopback, normalizeIp } from '../server/addresses';
import type { MdnsRecord, MdnsTransport } from './mdns-transport';
import { RECORD_TTL_S, SERVICE_TYPE, txtEntries } from './service-record';
import type { AdvertisedRoom } from './service-record';

/*
 * Announces one room as `_simplechat._tcp`: at start (twice, as RFC 6762 asks), in
 * answer to queries for the service or our instance, and with TTL 0 on stop (the
 * goodbye, so it leaves others' lists at once). The instance and host labels are random:
 * the room's name travels in the TXT record, not in a DNS label.
 */

const REANNOUNCE_MS = 1_000;
/** RFC 6762 §6: a record is multicast at most once a second, however many ask. */
export const MIN_ANSWER_INTERVAL_MS = 1_000;

export interface Advertiser {
  readonly instance: string;
  /** Sends the goodbye and closes the socket. */
  stop(): Promise<void>;
}

/** A server bound to loopback only cannot be reached from the network: it is not announced. */
export function isLoopbackOnly(host: string): boolean {
  return host === 'localhost' || isLoopback(normalizeIp(host));
}

function ownIpv4Addresses(): string[] {
  try {
    return Object.values(networkInterfaces()).flatMap((infos) =>
      (infos ?? []).filter((info) => info.family === 'IPv4' && !info.internal).map((info) => info.address),
    );
  } catch {
    return [];
  }
}

function asksForUs(packet: unknown, names: readonly string[]): boolean {
  if (typeof packet !== 'object' || packet === null) return false;
  const questions = (packet as { questions?: unknown }).questions;
  if (!Array.isArray(questions)) return false;
  return questions.slice(0, 32).some((question: unknown) => {
    const name = (question as { name?: unknown } | null)?.name;
    return typeof name === 'string' && names.includes(name.toLowerCase());
  });
}

/** A random label for `startAdvertiser`: an app keeps one per run, so it knows its own room when it sees it. */
export function newInstanceId(): string {
  return randomBytes(4).toString('hex');
}

/** The DNS-SD instance name an advertiser with this id announces, lower case as a browser reads it. */
export function instanceName(id: string): string {
  return `simplechat-${id}.${SERVICE_TYPE}`;
}

export function startAdvertiser(
  room: AdvertisedRoom,
  transport: MdnsTransport,
  addresses: () => string[] = ownIpv4Addresses,
  id: string = newInstanceId(),
): Advertiser {
  const instance = `SimpleChat-${id}.${SERVICE_TYPE}`;
  const target = `simplechat-${id}.local`;
  const records = (ttl: number): { answers: MdnsRecord[]; additionals: MdnsRecord[] } => ({
    answers: [{ name: SERVICE_TYPE, type: 'PTR', ttl, data: instance }],
    additionals: [
      { name: instance, type: 'SRV', ttl, data: { port: room.port, target, priority: 0, weight: 0 } },
      { name: instance, type: 'TXT', ttl, data: txtEntries(room) },
      ...addresses().map((address): MdnsRecord => ({ name: target, type: 'A', ttl, data: address })),
    ],
  });
  let stopped = false;
  let lastAnswer = -Infinity;
  let answerLater: ReturnType<typeof setTimeout> | null = null;
  const announce = (): Promise<void> => {
    if (stopped) return Promise.resolve();
    lastAnswer = Date.now();
    const { answers, additionals } = records(RECORD_TTL_S);
    return transport.respond(answers, additionals);
  };
  const ours = [SERVICE_TYPE, instance.toLowerCase()];
  transport.onQuery((packet: unknown, _from: RemoteInfo) => {
    if (stopped || answerLater !== null || !asksForUs(packet, ours)) return;
    const wait = lastAnswer + MIN_ANSWER_INTERVAL_MS - Date.now();
    if (wait <= 0) {
      void announce();
      return;
    }
    // A flood of queries gets one answer a second, not one each.
    answerLater = setTimeout(() => {
      answerLater = null;
      void announce();
    }, wait);
    answerLater.unref();
  });
  void announce();
  const again = setTimeout(() => void announce(), REANNOUNCE_MS);
  again.unref();
  return {
    instance,
    async stop() {
      if (stopped) return;
      stopped = true;
      clearTimeout(again);
      if (answerLater !== null) clearTimeout(answerLater);
      const { answers, additionals } = records(0);
      await transport.respond(answers, additionals);
      await transport.close();
    },
  };
}
