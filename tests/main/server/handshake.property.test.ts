import { sep } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isAllowedOrigin, isTrustworthyHost, roomKeyMatches } from '../../../src-main/server/admission';
import { mendRequestStart } from '../../../src-main/server/front-door';
import { readHandshake } from '../../../src-main/server/handshake';
import { resolveWebPath } from '../../../src-main/server/static-files';
import { MAX_NAME_LENGTH, cleanUserName, isValidColor } from '../../../src-shared/protocol';

/*
 * Property tests of what the server reads from a connection before it is a user: the
 * request line mending, the handshake query, the Origin and Host checks, the room key
 * comparison and the web UI's path mapping. No input throws, and every result is safe.
 */

const RUNS = { numRuns: 1000 };
const DEFAULT = 'Guest';
const NAMES = ['userName', 'userColor', 'gender', 'sessionToken', 'key'];

/** Query parameters as a hostile client would write them: known and unknown keys, PHP arrays, raw escapes. */
const queryKey = fc.oneof(
  fc.constantFrom(...NAMES),
  fc.constantFrom(...NAMES).map((name) => `${name}[]`),
  fc.tuple(fc.constantFrom(...NAMES), fc.string()).map(([name, inner]) => `${name}[${inner}]`),
  fc.string(),
);
const queryValue = fc.oneof(fc.string(), fc.string({ unit: 'binary' }), fc.string({ unit: fc.constantFrom('%', 'F', 'E', '0', '+', '&', '=', '#', '[', ']') }));
const target = fc.oneof(
  fc.string({ unit: 'binary' }),
  fc.array(fc.tuple(queryKey, queryValue), { maxLength: 8 }).map((pairs) => `/?${pairs.map(([k, v]) => `${k}=${v}`).join('&')}`),
  fc.array(fc.tuple(queryKey, queryValue), { maxLength: 8 }).map((pairs) => `/?${new URLSearchParams(pairs).toString()}`),
);

describe('readHandshake (the handshake query)', () => {
  it('never throws, and everything it returns is clean', () => {
    fc.assert(
      fc.property(target, (raw) => {
        const request = readHandshake(raw, DEFAULT);
        expect(request.userName === DEFAULT || /^[\p{L}\p{Nd}\-_ ]+$/u.test(request.userName)).toBe(true);
        expect(Array.from(request.userName).length).toBeLessThanOrEqual(MAX_NAME_LENGTH);
        expect(cleanUserName(request.userName, DEFAULT)).toBe(request.userName);
        expect(isValidColor(request.userColor)).toBe(true);
        expect([0, 1, 2]).toContain(request.gender);
        for (const value of [request.sessionToken, request.roomKey]) {
          expect(value === null || (typeof value === 'string' && value.length <= 1024)).toBe(true);
        }
        expect(Array.isArray(request.problems)).toBe(true);
      }),
      RUNS,
    );
  });

  it('reads back exactly the cleaned name, colour and gender a client encoded', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), fc.string(), fc.integer({ min: -1, max: 3 }), fc.string({ minLength: 1 }), (name, colour, gender, key) => {
        const query = new URLSearchParams({ userName: name, userColor: colour, gender: String(gender), key });
        const request = readHandshake(`/?${query.toString()}`, DEFAULT);
        expect(request.userName).toBe(cleanUserName(name, DEFAULT));
        expect(request.gender).toBe(gender === 1 || gender === 2 ? gender : 0);
        expect(request.userColor === colour || !isValidColor(colour)).toBe(true);
        expect(request.roomKey).toBe(key.slice(0, 1024));
        expect(request.problems).toEqual([]);
      }),
      RUNS,
    );
  });

  it('never takes a value from the array form (?userName[]=x crashed the original)', () => {
    fc.assert(
      fc.property(fc.constantFrom(...NAMES), fc.string(), fc.string({ minLength: 1 }), (name, inner, value) => {
        const request = readHandshake(`/?${encodeURIComponent(`${name}[${inner.replace(/[[\]]/g, '')}]`)}=${encodeURIComponent(value)}`, DEFAULT);
        expect(request.userName).toBe(DEFAULT);
        expect(request.sessionToken).toBeNull();
        expect(request.roomKey).toBeNull();
        expect(request.problems.length).toBe(1);
      }),
      RUNS,
    );
  });
});

describe('mendRequestStart (the Qt client’s request line)', () => {
  it('never throws; mends only `GET ?`; waits for more bytes only while they may still become `GET ?`', () => {
    const start = fc.oneof(fc.constant('GET ?'), fc.constant('GET /?'), fc.constant('GE'), fc.string({ unit: 'binary', maxLength: 8 }));
    fc.assert(
      fc.property(start, fc.uint8Array({ maxLength: 64 }), fc.integer({ min: 0, max: 8 }), (head, tail, cut) => {
        const bytes = Buffer.concat([Buffer.from(head, 'latin1'), Buffer.from(tail)]);
        const whole = mendRequestStart(bytes);
        const broken = bytes.subarray(0, 5).equals(Buffer.from('GET ?'));
        if (whole === null) {
          expect(bytes.length).toBeLessThan(5);
          expect(Buffer.from('GET ?').subarray(0, bytes.length).equals(bytes)).toBe(true);
        } else {
          expect(whole.equals(broken ? Buffer.concat([Buffer.from('GET /?'), bytes.subarray(5)]) : bytes)).toBe(true);
        }
        // The front door waits for more bytes only while they could still become `GET ?`,
        // and a first packet that cannot never gets mended later.
        const first = mendRequestStart(bytes.subarray(0, Math.min(cut, bytes.length)));
        if (first === null) expect(Buffer.from('GET ?').subarray(0, Math.min(cut, bytes.length)).equals(bytes.subarray(0, Math.min(cut, bytes.length)))).toBe(true);
        else if (!broken || cut >= 5) expect(first.equals(whole === null ? first : whole.subarray(0, first.length)) || cut >= 5).toBe(true);
      }),
      RUNS,
    );
  });
});

describe('admission (Origin, Host, room key)', () => {
  const header = fc.oneof(fc.string(), fc.string({ unit: 'binary' }), fc.webUrl(), fc.domain(), fc.ipV4(), fc.ipV6().map((ip) => `[${ip}]:80`));

  it('isAllowedOrigin and isTrustworthyHost never throw; native clients are always let in', () => {
    fc.assert(
      fc.property(fc.option(header, { nil: undefined }), fc.option(header, { nil: undefined }), fc.boolean(), (origin, host, secure) => {
        const allowed = isAllowedOrigin(origin, host, secure, []);
        expect(typeof allowed).toBe('boolean');
        if (origin === undefined) expect(allowed).toBe(true);
        if (host !== undefined) expect(typeof isTrustworthyHost(host)).toBe('boolean');
        expect(isAllowedOrigin('SimpleChatClient', host, secure, [])).toBe(true);
      }),
      RUNS,
    );
  });

  it('a page from any other web origin is refused, even when DNS makes its host ours', () => {
    fc.assert(
      fc.property(fc.domain(), fc.boolean(), (domain, secure) => {
        fc.pre(!/(^|\.)localhost$/.test(domain));
        const origin = `${secure ? 'https' : 'http'}://${domain}`;
        // DNS rebinding: the page's own origin and Host header, both the attacker's name.
        expect(isAllowedOrigin(origin, domain, secure, [])).toBe(isTrustworthyHost(domain));
        expect(isAllowedOrigin(origin, '192.168.1.10:27800', secure, [])).toBe(false);
        expect(isAllowedOrigin(origin, '192.168.1.10:27800', secure, [origin])).toBe(true);
      }),
      RUNS,
    );
  });

  it('roomKeyMatches is string equality', () => {
    fc.assert(
      fc.property(fc.string(), fc.option(fc.string(), { nil: null }), (expected, given) => {
        expect(roomKeyMatches(expected, given)).toBe(given === expected);
        expect(roomKeyMatches(expected, expected)).toBe(true);
      }),
      RUNS,
    );
  });
});

describe('resolveWebPath (the web UI on the same port)', () => {
  it('never throws and never leaves the web root, whatever the target', () => {
    const root = `${sep}srv${sep}web`;
    const piece = fc.constantFrom('..', '.', '%2e%2e', '%2f', '%5c', '%00', '/', '\\', 'a', 'index.html', '.env', 'x.js', '%', '%E0%A4%A', '?', '#', '//');
    const path = fc.oneof(fc.string({ unit: 'binary' }), fc.array(piece, { maxLength: 12 }).map((parts) => `/${parts.join('')}`));
    fc.assert(
      fc.property(path, (raw) => {
        const resolved = resolveWebPath(root, raw);
        if (resolved !== null) {
          expect(resolved.startsWith(`${root}${sep}`)).toBe(true);
          expect(resolved.split(sep).some((segment) => segment.startsWith('.') && segment !== '')).toBe(false);
        }
      }),
      RUNS,
    );
  });
});
