import { isIP } from 'node:net';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { addressKey, clientAddress, isLoopback, isTrustedProxy, normalizeIp } from '../../../src-main/server/addresses';

describe('addressKey', () => {
  it('counts every address of one IPv6 /64 as one', () => {
    expect(addressKey('2001:db8:1:2::1')).toBe('2001:db8:1:2::/64');
    expect(addressKey('2001:db8:1:2:ffff:ffff:ffff:ffff')).toBe('2001:db8:1:2::/64');
    expect(addressKey('2001:0db8:0001:0002:0:0:0:9')).toBe('2001:db8:1:2::/64');
    expect(addressKey('fe80::1%eth0')).toBe('fe80:0:0:0::/64');
  });

  it('tells neighbouring /64s apart', () => {
    expect(addressKey('2001:db8:1:2::1')).not.toBe(addressKey('2001:db8:1:3::1'));
  });

  it('keeps IPv4, loopback and junk as they are', () => {
    expect(addressKey('10.0.0.5')).toBe('10.0.0.5');
    expect(addressKey('::1')).toBe('::1');
    expect(addressKey(normalizeIp('::ffff:192.168.1.7'))).toBe('192.168.1.7');
    expect(addressKey('unknown')).toBe('unknown');
    expect(isLoopback('127.0.0.2')).toBe(true);
  });
});

describe('clientAddress (X-Forwarded-For behind --trust-proxy)', () => {
  const proxies = ['127.0.0.1', '10.0.0.2'];

  it('reads the header only when the peer is a trusted proxy', () => {
    expect(clientAddress('127.0.0.1', '203.0.113.5', proxies)).toBe('203.0.113.5');
    expect(clientAddress('192.0.2.9', '203.0.113.5', proxies)).toBe('192.0.2.9');
    expect(clientAddress('127.0.0.1', '203.0.113.5', [])).toBe('127.0.0.1');
  });

  it('takes the right-most entry that is not itself a trusted proxy (the left is whatever the client sent)', () => {
    expect(clientAddress('127.0.0.1', '1.1.1.1, 203.0.113.5', proxies)).toBe('203.0.113.5');
    expect(clientAddress('127.0.0.1', '1.1.1.1, 203.0.113.5, 10.0.0.2', proxies)).toBe('203.0.113.5');
    expect(clientAddress('127.0.0.1', ['1.1.1.1', '203.0.113.6'], proxies)).toBe('203.0.113.6');
    expect(clientAddress('127.0.0.1', '10.0.0.2', proxies)).toBe('10.0.0.2');
  });

  it('understands IPv6, mapped IPv4 and entries with a port', () => {
    expect(clientAddress('127.0.0.1', '2001:db8::1', proxies)).toBe('2001:db8::1');
    expect(clientAddress('127.0.0.1', '[2001:db8::1]:4711', proxies)).toBe('2001:db8::1');
    expect(clientAddress('127.0.0.1', '203.0.113.5:4711', proxies)).toBe('203.0.113.5');
    expect(clientAddress('127.0.0.1', '::ffff:203.0.113.5', proxies)).toBe('203.0.113.5');
    expect(isTrustedProxy('::ffff:10.0.0.2', proxies)).toBe(true);
    expect(isTrustedProxy('0:0:0:0:0:0:0:1', ['::1'])).toBe(true);
  });

  it('falls back to the peer on anything malformed, and never throws', () => {
    for (const header of ['', ' ', 'unknown', 'evil.example', '203.0.113.5, garbage', '[2001:db8::1', '1.2.3.4.5', ',,,', 'x'.repeat(20_000)]) {
      expect(clientAddress('127.0.0.1', header, proxies)).toBe('127.0.0.1');
    }
    expect(clientAddress('127.0.0.1', 'garbage, 203.0.113.5', proxies)).toBe('203.0.113.5');
  });

  it('whatever the header, gives the peer or a real address, and never throws (property)', () => {
    const entry = fc.oneof(fc.ipV4(), fc.ipV6(), fc.constantFrom('127.0.0.1', '10.0.0.2', '', ' ', '[', ']:1', 'unknown'), fc.string());
    fc.assert(
      fc.property(fc.array(entry, { maxLength: 8 }), fc.constantFrom(', ', ',', ' ,'), (entries, comma) => {
        const found = clientAddress('127.0.0.1', entries.join(comma), proxies);
        expect(found === '127.0.0.1' || isIP(found.split('%')[0]!) !== 0).toBe(true);
      }),
      { numRuns: 500 },
    );
  });
});
