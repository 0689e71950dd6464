import type { RemoteInfo } from 'node:dgram';
import { describe, expect, it } from 'vitest';
import { startAdvertiser } from '../../../src-main/discovery/advertiser';
import type { MdnsRecord, MdnsTransport } from '../../../src-main/discovery/mdns-transport';
import { SERVICE_TYPE } from '../../../src-main/discovery/service-record';

/*
 * The advertiser against a fake socket: what it sends, and that a neighbour's query
 * flood does not turn it into a packet cannon.
 */

function fakeTransport() {
  const sent: MdnsRecord[][] = [];
  let onQuery: (packet: unknown, from: RemoteInfo) => void = () => {};
  let closed = false;
  const transport: MdnsTransport = {
    onQuery: (listener) => void (onQuery = listener),
    onResponse: () => {},
    query: () => {},
    respond: async (answers, additionals = []) => void sent.push([...answers, ...additionals]),
    close: async () => void (closed = true),
  };
  const from: RemoteInfo = { address: '10.0.0.66', family: 'IPv4', port: 5353, size: 0 };
  return { transport, sent, ask: (packet: unknown) => onQuery(packet, from), closed: () => closed };
}

describe('the advertiser', () => {
  it('announces PTR, SRV and a TXT record without the key, and says goodbye with TTL 0 on stop', async () => {
    const fake = fakeTransport();
    const advertiser = startAdvertiser({ name: 'Ann\u0000<b>room</b>', port: 4444, locked: true, tls: false, webPath: '/' }, fake.transport, () => ['10.0.0.2']);
    expect(fake.sent).toHaveLength(1);
    const [ptr, srv, txt, a] = fake.sent[0]!;
    expect(ptr).toMatchObject({ name: SERVICE_TYPE, type: 'PTR', data: advertiser.instance });
    expect(srv).toMatchObject({ name: advertiser.instance, type: 'SRV', data: { port: 4444 } });
    expect(txt).toMatchObject({ type: 'TXT', data: ['v=1', 'name=Ann<b>room</b>', 'locked=1', 'tls=0', 'path=/'] });
    expect(a).toMatchObject({ type: 'A', data: '10.0.0.2' });
    await advertiser.stop();
    expect(fake.sent.at(-1)!.every((record) => record.ttl === 0)).toBe(true);
    expect(fake.closed()).toBe(true);
  });

  it('answers a flood of queries at most once a second, and ignores queries for others and junk', async () => {
    const fake = fakeTransport();
    const advertiser = startAdvertiser({ name: 'Room', port: 4444, locked: false, tls: false, webPath: null }, fake.transport, () => []);
    for (const junk of [null, 5, { questions: 'x' }, { questions: [{ name: '_other._tcp.local' }] }]) fake.ask(junk);
    for (let i = 0; i < 10_000; i++) fake.ask({ questions: [{ name: SERVICE_TYPE, type: 'PTR' }] });
    // The announcement at start only: the flood waits for its one answer, a second later.
    expect(fake.sent).toHaveLength(1);
    await advertiser.stop();
  });
});
