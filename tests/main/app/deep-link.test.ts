import { describe, expect, it } from 'vitest';
import { LINK_SCHEME, MAX_LINK_LENGTH, linkFromArgs, parseConnectLink } from '../../../src-main/app/deep-link';

describe('simplechat:// links', () => {
  it.each([
    ['simplechat://chat.example:27900?name=Ann', { server: 'chat.example', port: 27900, userName: 'Ann' }],
    ['simplechat://chat.example', { server: 'chat.example', port: 27800 }],
    ['simplechat://chat.example/', { server: 'chat.example', port: 27800 }],
    ['SIMPLECHAT://Chat.Example:1', { server: 'chat.example', port: 1 }],
    ['simplechat://192.168.1.20:27800?name=%D0%90%D0%BD%D1%8F', { server: '192.168.1.20', port: 27800, userName: 'Аня' }],
    ['simplechat://[2001:db8::20]:27800', { server: '2001:db8::20', port: 27800 }],
    ['simplechat://[::1]', { server: '::1', port: 27800 }],
    ['simplechat://office.local:27800?name=Ann&key=s3cr%26t', { server: 'office.local', port: 27800, userName: 'Ann', roomKey: 's3cr&t' }],
    ['simplechat://h.example?name=A%3Cb%3Enn%3C%2Fb%3E', { server: 'h.example', port: 27800, userName: 'Abnnb' }],
    ['simplechat://h.example?name=&key=', { server: 'h.example', port: 27800 }],
    ['simplechat://h.example?name=Ann&future=1', { server: 'h.example', port: 27800, userName: 'Ann' }],
    ['simplechat://xn--80ak6aa92e.example', { server: 'xn--80ak6aa92e.example', port: 27800 }],
  ])('reads %s', (raw, link) => {
    expect(parseConnectLink(raw)).toEqual({ ok: true, link });
  });

  it.each([
    ['https://chat.example', /not a simplechat/],
    ['simplechat:chat.example', /not a simplechat/],
    ['simplechat://', /not a host|not a valid URL/],
    ['simplechat://chat.example:0', /port/],
    ['simplechat://chat.example:65536', /not a valid URL|port/],
    ['simplechat://chat.example:port', /not a valid URL/],
    ['simplechat://chat.example/room', /path/],
    ['simplechat://chat.example#x', /fragment/],
    ['simplechat://user:pw@chat.example', /user information/],
    ['simplechat://evil.example@chat.example', /user information/],
    ['simplechat://chat.example?name=a&name=b', /twice/],
    ['simplechat://999.1.1.1', /not a host/],
    ['simplechat://1.2.3', /not a host/],
    ['simplechat://-bad-.example', /not a host/],
    ['simplechat://under_score.example', /not a host/],
    ['simplechat://%00evil', /not a host|not a valid URL/],
    ['simplechat://chat.example%2F..%2F', /not a host|not a valid URL/],
    ['simplechat://chat.example?name=' + 'x'.repeat(200), /name too long/],
    ['simplechat://chat.example?key=' + 'k'.repeat(200), /key too long/],
    ['simplechat://chat.example\n?name=x', /control/],
    ['simplechat://chat .example', /spaces/],
    ['simplechat://chat.example\u202e', /not a host|not a valid URL/],
    ['simplechat://' + 'a'.repeat(MAX_LINK_LENGTH), /too long/],
    ['javascript:alert(1)//simplechat://x', /not a simplechat/],
  ])('refuses %s', (raw, reason) => {
    const result = parseConnectLink(raw);
    expect(result.ok).toBe(false);
    expect(result.ok === false && result.reason).toMatch(reason);
  });

  it('refuses anything that is not a string, without throwing', () => {
    for (const raw of [undefined, null, 42, {}, ['simplechat://x']]) expect(parseConnectLink(raw).ok).toBe(false);
  });

  it('finds the link among command-line arguments', () => {
    expect(linkFromArgs(['/usr/bin/simplechat', '--no-sandbox', 'simplechat://chat.example'])).toBe('simplechat://chat.example');
    expect(linkFromArgs(['C:\\SimpleChat.exe', 'SimpleChat://x'])).toBe('SimpleChat://x');
    expect(linkFromArgs(['simplechat', '--flag'])).toBeUndefined();
    expect(LINK_SCHEME).toBe('simplechat');
  });
});
