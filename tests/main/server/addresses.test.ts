import { describe, expect, it } from 'vitest';
import { addressKey, isLoopback, normalizeIp } from '../../../src-main/server/addresses';

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
