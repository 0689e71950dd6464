import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ConnectRequest } from '../../../src-shared/bridge';
import { buildConnectUrl, encodeQueryValue, isIPv6, tryBuildConnectUrl } from '../../../src-shared/session';

const base: ConnectRequest = { server: '127.0.0.1', port: 27800, userName: 'Аня', userColor: '#16a085', gender: 2 };

function url(overrides: Partial<ConnectRequest>, extras = {}): string {
  return buildConnectUrl({ ...base, ...overrides }, extras);
}

function reason(overrides: Partial<ConnectRequest>): string {
  const result = tryBuildConnectUrl({ ...base, ...overrides });
  if (result.ok) throw new Error(`expected a refusal, got ${result.url}`);
  return result.reason;
}

/** What a server's query parser (WHATWG, as Node's http + URL) reads back. */
function readBack(built: string): URLSearchParams {
  return new URL(built).searchParams;
}

describe('buildConnectUrl: the login parameters', () => {
  it('builds the Qt client\'s parameters, in its order, with a path', () => {
    expect(url({})).toBe('ws://127.0.0.1:27800/?userName=%D0%90%D0%BD%D1%8F&userColor=%2316a085&gender=2');
  });

  it.each([
    ['&', '%26'],
    ['+', '%2B'],
    ['#', '%23'],
    ['=', '%3D'],
    ['?', '%3F'],
    ['%', '%25'],
    [' ', '%20'],
    ["'", '%27'],
    ['(', '%28'],
    ['/', '%2F'],
  ])('percent-encodes %j in a name as %s, and the server reads the name back', (char, encoded) => {
    const name = `a${char}b`;
    const built = url({ userName: name });
    expect(built).toContain(`userName=a${encoded}b&`);
    expect(readBack(built).get('userName')).toBe(name);
    expect([...readBack(built).keys()]).toEqual(['userName', 'userColor', 'gender']);
  });

  it('encodes Cyrillic as UTF-8 and a name made only of separators survives', () => {
    const name = 'Ёжик & Co = +100% #1 ?';
    const built = url({ userName: name });
    expect(/userName=([^&]*)&/.exec(built)?.[1]).toMatch(/^(?:[A-Za-z0-9\-._~]|%[0-9A-F]{2})+$/);
    expect(readBack(built).get('userName')).toBe(name);
    expect(url({ userName: 'Ёж' })).toContain('userName=%D0%81%D0%B6&');
  });

  it('adds the room key, encoded, only when there is one', () => {
    expect(readBack(url({ roomKey: 'a&b=c d' })).get('key')).toBe('a&b=c d');
    expect(url({ roomKey: '' })).not.toContain('key=');
    expect(url({})).not.toContain('key=');
  });

  it('adds a session token when the session has one', () => {
    expect(readBack(url({}, { sessionToken: 't+k/=' })).get('sessionToken')).toBe('t+k/=');
    expect(url({}, { sessionToken: '' })).not.toContain('sessionToken');
  });

  it('turns a lone surrogate into U+FFFD instead of throwing', () => {
    expect(readBack(url({ userName: 'a\uD800b' })).get('userName')).toBe('a\uFFFDb');
    expect(encodeQueryValue('\uDC00')).toBe('%EF%BF%BD');
  });

  it('never throws and always round-trips any name, colour and key (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), fc.string(), fc.string(), (userName, userColor, roomKey) => {
        const result = tryBuildConnectUrl({ ...base, userName, userColor, roomKey });
        expect(result.ok).toBe(true);
        if (!result.ok) return;
        const params = readBack(result.url);
        expect(params.get('userName')).toBe(userName);
        expect(params.get('userColor')).toBe(userColor);
        expect(params.get('key')).toBe(roomKey === '' ? null : roomKey);
        expect(result.url).toMatch(/^ws:\/\/127\.0\.0\.1:27800\/\?[A-Za-z0-9%=&\-._~]*$/);
      }),
    );
  });
});

describe('buildConnectUrl: the server field', () => {
  it.each([
    ['localhost', 'ws://localhost:27800/'],
    ['  chat.example.org  ', 'ws://chat.example.org:27800/'],
    ['my_pc', 'ws://my_pc:27800/'],
    ['192.168.1.20', 'ws://192.168.1.20:27800/'],
    ['192.168.1.20:9000', 'ws://192.168.1.20:9000/'],
    ['чат.рф', 'ws://чат.рф:27800/'],
    ['::1', 'ws://[::1]:27800/'],
    ['[::1]', 'ws://[::1]:27800/'],
    ['[::1]:9000', 'ws://[::1]:9000/'],
    ['FE80::1:2', 'ws://[fe80::1:2]:27800/'],
    ['2001:db8:85a3:0:0:8a2e:370:7334', 'ws://[2001:db8:85a3:0:0:8a2e:370:7334]:27800/'],
    ['::ffff:192.0.2.1', 'ws://[::ffff:192.0.2.1]:27800/'],
  ])('%j joins as %s', (server, expected) => {
    const built = url({ server });
    expect(built.split('?')[0]).toBe(expected);
  });

  it.each([
    ['ws://example.org', 'ws://example.org/'],
    ['WS://Example.org:8080', 'ws://Example.org:8080/'],
    ['wss://chat.example.org/room/1', 'wss://chat.example.org/room/1'],
    ['wss://[2001:db8::1]:8443/chat', 'wss://[2001:db8::1]:8443/chat'],
    ['ws://10.0.0.5:27800/#frag', 'ws://10.0.0.5:27800/'],
    ['ws://host/a path/ü', 'ws://host/a%20path/%C3%BC'],
  ])('the full URL %j is used as written (port field ignored): %s', (server, expected) => {
    const built = url({ server, port: 1234 });
    expect(built.split('?')[0]).toBe(expected);
    expect(built).not.toContain('1234');
    expect(() => new URL(built)).not.toThrow();
  });

  it('keeps a URL\'s own query, replaces our parameters, and keeps its key unless the request has one', () => {
    const built = url({ server: 'wss://h/chat?room=7&userName=Mallory&key=shared&sessionToken=stolen' });
    const params = readBack(built);
    expect(params.get('room')).toBe('7');
    expect(params.getAll('userName')).toEqual(['Аня']);
    expect(params.get('key')).toBe('shared');
    expect(params.get('sessionToken')).toBeNull();
    expect(readBack(url({ server: 'ws://h/?key=shared', roomKey: 'mine' })).getAll('key')).toEqual(['mine']);
  });

  it('joins the room a shared http(s):// page address names: same host, port, path and key (issue 19 §2)', () => {
    const built = url({ server: 'http://192.168.1.5:27805/?key=h0st%26k' });
    expect(built.startsWith('ws://192.168.1.5:27805/?')).toBe(true);
    expect(readBack(built).get('key')).toBe('h0st&k');
    expect(url({ server: 'HTTPS://chat.example.org/room/' }).startsWith('wss://chat.example.org/room/?')).toBe(true);
    expect(url({ server: 'http://[::1]:27800' }).startsWith('ws://[::1]:27800/?')).toBe(true);
  });

  it.each([
    ['', /Enter a server address/],
    ['   ', /Enter a server address/],
    ['ftp://example.org', /only ws:\/\/, wss:\/\/ and a room's http:\/\/ or https:\/\/ page.*ftp:\/\/ cannot/],
    ['javascript:alert(1)', /not a server address/],
    ['file:///etc/passwd', /only ws:\/\/, wss:\/\//],
    ['http://user:pw@host:27800/', /user name or password/],
    ['ws://user:pw@host', /user name or password/],
    ['ws://evil.com\\@good.com', /user name or password/],
    ['ws://', /not a server address/],
    ['ws://host:0', /not a port/],
    ['ws://host:70000', /not a port/],
    ['host:abc', /not a server address/],
    ['host:99999', /not a port/],
    ['host name with spaces', /not a server address/],
    ['<script>', /not a server address/],
    ['999.1.1.1', /not a valid IPv4/],
    ['010.0.0.1', /not a valid IPv4/],
    ['1.2.3', /not a valid IPv4/],
    ['0x7f.1', /not a valid IPv4/],
    ['1::2::3', /not a valid IPv6/],
    ['[::1', /not a valid IPv6/],
    ['[12345::1]', /not a valid IPv6/],
    ['fe80::1%eth0', /zone ids/],
    ['a/b', /not a server address/],
    // A letter, but not one IDNA maps: the platform's URL parser has the last word.
    ['𓑠', /not a server address/],
  ])('refuses %j with a reason and does not throw', (server, expected) => {
    expect(reason({ server })).toMatch(expected);
  });

  it('refuses a port field out of range for a host name', () => {
    expect(reason({ port: 0 })).toMatch(/not a port/);
    expect(reason({ port: 65536 })).toMatch(/not a port/);
  });

  it('buildConnectUrl throws the same reason for callers that skipped the check', () => {
    expect(() => url({ server: 'ftp://x' })).toThrow(RangeError);
  });

  it('never throws on any server string (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), fc.integer(), (server, port) => {
        const result = tryBuildConnectUrl({ ...base, server, port });
        if (result.ok) expect(() => new URL(result.url)).not.toThrow();
        else expect(result.reason.length).toBeGreaterThan(0);
      }),
    );
  });
});

describe('isIPv6', () => {
  it.each(['::', '::1', '1::', '1:2:3:4:5:6:7:8', '1:2:3:4:5:6:7::', '::2:3:4:5:6:7:8', '64:ff9b::192.0.2.33', '1:2:3:4:5:6:1.2.3.4'])(
    'accepts %s',
    (text) => expect(isIPv6(text)).toBe(true),
  );
  it.each(['', ':', ':::', '1:2:3:4:5:6:7', '1:2:3:4:5:6:7:8:9', '1::2::3', 'g::1', '12345::', '::1.2.3', '1:2:3:4:5:6:7:1.2.3.4', ':1::'])(
    'refuses %s',
    (text) => expect(isIPv6(text)).toBe(false),
  );
  it('agrees with the URL parser on what it accepts', () => {
    fc.assert(
      fc.property(fc.ipV6(), (text) => {
        expect(isIPv6(text)).toBe(true);
        expect(() => new URL(`ws://[${text}]/`)).not.toThrow();
      }),
    );
  });
});
