import { describe, expect, it } from 'vitest';
import { MAX_FOUND_NAME_LENGTH, MAX_FOUND_ROOMS } from '../../../src-shared/bridge/found-room';
import { MAX_RECORDS_PER_PACKET, RoomBrowser } from '../../../src-main/discovery/room-browser';
import { SERVICE_TYPE, txtEntries } from '../../../src-main/discovery/service-record';
import { parseCliArgs } from '../../../src-main/server/cli-args';

/*
 * Hostile networks (issue 16 §4): crafted responses fed straight to the browse code.
 * mDNS is unauthenticated, so whatever a neighbour sends must leave a sane list.
 */

interface Fake {
  instance?: string;
  name?: string;
  port?: number;
  ttl?: number;
  txt?: unknown;
}

function announcement({ instance = 'SimpleChat-1', name = 'Room', port = 4000, ttl = 120, txt }: Fake = {}): unknown {
  const full = `${instance}.${SERVICE_TYPE}`;
  return {
    type: 'response',
    answers: [{ name: SERVICE_TYPE, type: 'PTR', ttl, data: full }],
    additionals: [
      { name: full, type: 'SRV', ttl, data: { port, target: 'x.local' } },
      { name: full, type: 'TXT', ttl, data: txt ?? txtEntries({ name, port, locked: false, tls: false, webPath: '/' }).map((s) => Buffer.from(s)) },
    ],
  };
}

const from = (address: string) => ({ address, port: 5353, family: 'IPv4' as const, size: 0 });

describe('the room list under hostile packets', () => {
  it('ignores malformed packets and records of the wrong shape without throwing', () => {
    const browser = new RoomBrowser();
    const junk: unknown[] = [
      null,
      42,
      'x',
      {},
      { answers: 'no' },
      { answers: [null, 1, { name: 5 }, { name: SERVICE_TYPE, type: 'PTR', data: { evil: true } }] },
      { answers: [{ name: SERVICE_TYPE, type: 'PTR', ttl: 120, data: `a.${SERVICE_TYPE}` }], additionals: [{ name: `a.${SERVICE_TYPE}`, type: 'SRV', ttl: 120, data: { port: 70_000 } }] },
      { answers: [{ name: SERVICE_TYPE, type: 'PTR', ttl: 120, data: `b.${SERVICE_TYPE}` }], additionals: [{ name: `b.${SERVICE_TYPE}`, type: 'SRV', ttl: 120, data: null }] },
      announcement({ txt: { not: 'a buffer' } }),
      announcement({ txt: [null, 7, Buffer.from('=x'), Buffer.from('noequals')] }),
    ];
    for (const packet of junk) expect(() => browser.handleResponse(packet, from('10.0.0.9'))).not.toThrow();
    expect(() => browser.handleResponse(announcement(), { address: 'not an address' })).not.toThrow();
    const list = browser.rooms;
    // The announcement whose TXT is junk is listed under its address, with the fields it could read; nothing else got in.
    expect(list).toEqual([expect.objectContaining({ host: '10.0.0.9', port: 4000 })]);
  });

  it('caps the list at MAX_FOUND_ROOMS however many services are announced, keeping the first ones', () => {
    const browser = new RoomBrowser();
    for (let i = 0; i < 5_000; i++) {
      browser.handleResponse(announcement({ instance: `fake-${i}`, name: `Fake ${i}`, port: 1024 + i }), from('10.0.0.66'));
    }
    const list = browser.rooms;
    expect(list).toHaveLength(MAX_FOUND_ROOMS);
    expect(list[0]?.name).toBe('Fake 0');
  });

  it('reads at most MAX_RECORDS_PER_PACKET records of one packet', () => {
    const browser = new RoomBrowser();
    const answers = Array.from({ length: 10_000 }, (_, i) => ({ name: SERVICE_TYPE, type: 'PTR', ttl: 120, data: `i${i}.${SERVICE_TYPE}` }));
    const additionals = answers.flatMap((ptr, i) => [
      { name: ptr.data, type: 'SRV', ttl: 120, data: { port: 2000 + i, target: 'x.local' } },
      { name: ptr.data, type: 'TXT', ttl: 120, data: [Buffer.from(`name=n${i}`)] },
    ]);
    browser.handleResponse({ answers, additionals }, from('10.0.0.66'));
    // Every record read is a PTR: no SRV came within the cap, so nothing is listed.
    expect(browser.rooms.length).toBeLessThanOrEqual(MAX_RECORDS_PER_PACKET);
    expect(browser.rooms).toHaveLength(0);
  });

  it('de-duplicates: one entry per address and port, whatever the instance names', () => {
    const browser = new RoomBrowser();
    for (let i = 0; i < 50; i++) browser.handleResponse(announcement({ instance: `dup-${i}`, name: `Dup ${i}` }), from('10.0.0.5'));
    expect(browser.rooms).toHaveLength(1);
    expect(browser.rooms[0]).toMatchObject({ id: '10.0.0.5:4000', name: 'Dup 49' });
  });

  it('cuts huge TXT records and names, drops control and bidi characters, keeps markup as plain text', () => {
    const browser = new RoomBrowser();
    const huge = Buffer.from(`name=${'A'.repeat(100_000)}`);
    browser.handleResponse(announcement({ port: 1, txt: [huge, ...Array.from({ length: 5_000 }, () => Buffer.alloc(255, 0x41))] }), from('10.0.0.1'));
    browser.handleResponse(announcement({ port: 2, name: '<img src=x onerror=alert(1)>\u0000\u001b[31m\u202eevil\u200b\nroom\u0085' }), from('10.0.0.1'));
    browser.handleResponse(
      announcement({ port: 3, txt: [Buffer.from('name=Ok'), Buffer.from('path=javascript:alert(1)'), Buffer.from('locked=yes')] }),
      from('10.0.0.1'),
    );
    const [big, markup, odd] = browser.rooms;
    expect(Array.from(big?.name ?? '')).toHaveLength(MAX_FOUND_NAME_LENGTH);
    expect(markup?.name).toBe('<img src=x onerror=alert(1)>[31mevil room');
    expect(odd).toMatchObject({ name: 'Ok', webPath: null, locked: false });
    for (const room of browser.rooms) expect(room.name).not.toMatch(/[\p{Cc}\p{Cf}]/u);
  });

  it('marks look-alike names on other addresses, and an imitator never replaces the real room', () => {
    const browser = new RoomBrowser();
    browser.handleResponse(announcement({ name: 'Office' }), from('10.0.0.2'));
    // Cyrillic О, same port, same instance name, another address.
    browser.handleResponse(announcement({ name: 'Оffice' }), from('10.0.0.66'));
    const list = browser.rooms;
    expect(list.map((room) => [room.host, room.name, room.lookAlike])).toEqual([
      ['10.0.0.2', 'Office', true],
      ['10.0.0.66', 'Оffice', true],
    ]);
  });

  it('a goodbye removes only what the same address announced', () => {
    const browser = new RoomBrowser();
    browser.handleResponse(announcement({ name: 'Real' }), from('10.0.0.2'));
    browser.handleResponse(announcement({ ttl: 0 }), from('10.0.0.66'));
    expect(browser.rooms).toHaveLength(1);
    browser.handleResponse(announcement({ ttl: 0 }), from('10.0.0.2'));
    expect(browser.rooms).toHaveLength(0);
  });

  it('forgets a room whose records expired, however long a TTL it claimed', () => {
    let now = 0;
    const browser = new RoomBrowser(() => now);
    browser.handleResponse(announcement({ ttl: 2 ** 31 }), from('10.0.0.2'));
    expect(browser.rooms).toHaveLength(1);
    now += 24 * 3600 * 1000;
    expect(browser.rooms).toHaveLength(0);
  });
});

describe('--advertise', () => {
  it('announces under the given name, or the default one', () => {
    expect(parseCliArgs(['--advertise'])).toMatchObject({ kind: 'run', advertiseName: 'SimpleChat room' });
    expect(parseCliArgs(['--advertise-name', ' Office '])).toMatchObject({ kind: 'run', advertiseName: 'Office' });
    expect(parseCliArgs([])).not.toHaveProperty('advertiseName');
    expect(parseCliArgs(['--advertise-name', ' '])).toMatchObject({ kind: 'usage-error' });
  });
});
