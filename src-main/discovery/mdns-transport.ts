import makeMdns from 'multicast-dns';
import type { RemoteInfo } from 'node:dgram';

/*
 * The one place that touches the multicast socket: a thin wrapper around
 * `multicast-dns`, so the advertiser and the browser can be handed a fake. Decoding
 * errors of a neighbour's packets are warnings, never exceptions.
 */

export interface MdnsRecord {
  name: string;
  type: 'PTR' | 'SRV' | 'TXT' | 'A' | 'AAAA';
  ttl: number;
  data: string | string[] | { port: number; target: string; priority?: number; weight?: number };
  flush?: boolean;
}

export interface MdnsTransport {
  onQuery(listener: (packet: unknown, from: RemoteInfo) => void): void;
  onResponse(listener: (packet: unknown, from: RemoteInfo) => void): void;
  query(name: string, type: 'PTR' | 'SRV' | 'TXT'): void;
  respond(answers: MdnsRecord[], additionals?: MdnsRecord[]): Promise<void>;
  close(): Promise<void>;
}

export type CreateMdnsTransport = (warn: (message: string) => void) => MdnsTransport;

export const createMdnsTransport: CreateMdnsTransport = (warn) => {
  const mdns = makeMdns();
  mdns.on('warning', (error: Error) => warn(`mdns: ${error.message}`));
  mdns.on('error', (error: Error) => warn(`mdns: ${error.message}`));
  return {
    onQuery(listener) {
      mdns.on('query', (packet, from) => listener(packet, from));
    },
    onResponse(listener) {
      mdns.on('response', (packet, from) => listener(packet, from));
    },
    query(name, type) {
      mdns.query(name, type);
    },
    respond(answers, additionals = []) {
      return new Promise((resolve) => {
        // dns-packet's answer types are a union per record type; ours are a subset of them.
        mdns.respond({ answers, additionals } as unknown as Parameters<typeof mdns.respond>[0], () => resolve());
      });
    },
    close() {
      return new Promise((resolve) => mdns.destroy(() => resolve()));
    },
  };
};
