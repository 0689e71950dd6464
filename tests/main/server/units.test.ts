import { describe, expect, it } from 'vitest';
import * as ws from 'ws';
import { MAX_NAME_LENGTH } from '../../../src-shared/protocol';
import { frameText } from '../../../src-main/server/broadcast';
import { parseCliArgs } from '../../../src-main/server/cli-args';
import { DEFAULT_SERVER_CONFIG, resolveServerConfig } from '../../../src-main/server/config';
import { mendRequestStart } from '../../../src-main/server/front-door';
import { readHandshake } from '../../../src-main/server/handshake';
import { UniqueNames } from '../../../src-main/server/names';
import { freshRateState, takeToken } from '../../../src-main/server/rate-limit';
import { resolveWebPath } from '../../../src-main/server/static-files';

describe('mendRequestStart', () => {
  it('gives the Qt client’s target its leading slash', () => {
    expect(mendRequestStart(Buffer.from('GET ?userName=a HTTP/1.1\r\n'))?.toString()).toBe('GET /?userName=a HTTP/1.1\r\n');
  });
  it('leaves ordinary requests alone', () => {
    const request = Buffer.from('GET /?userName=a HTTP/1.1\r\n');
    expect(mendRequestStart(request)).toBe(request);
    const post = Buffer.from('POST ?x HTTP/1.1\r\n');
    expect(mendRequestStart(post)).toBe(post);
  });
  it('asks for more bytes while the start could still be `GET ?`', () => {
    expect(mendRequestStart(Buffer.from('GE'))).toBeNull();
    expect(mendRequestStart(Buffer.from('GET '))).toBeNull();
    expect(mendRequestStart(Buffer.from('GX'))?.toString()).toBe('GX');
  });
});

describe('readHandshake', () => {
  const read = (query: string) => readHandshake(`/?${query}`, 'Инкогнито');

  it('reads the Qt client’s parameters', () => {
    expect(read('userName=%D0%90%D0%BD%D1%8F&userColor=%2316a085&gender=2')).toMatchObject({
      userName: 'Аня', userColor: '#16a085', gender: 2, problems: [],
    });
  });
  it('reads `+` as a space, like the original', () => {
    expect(read('userName=Anna+Maria').userName).toBe('Anna Maria');
  });
  it('cleans names: other scripts and digits stay, symbols go, spaces collapse, 32 characters at most', () => {
    expect(read(`userName=${encodeURIComponent('  李 小龙\t<script>  x_y-z 42  ')}`).userName).toBe('李 小龙script x_y-z 42');
    expect(read(`userName=${'a'.repeat(40)}`).userName).toBe('a'.repeat(MAX_NAME_LENGTH));
  });
  it('gives the default name for an absent, empty or all-symbol name', () => {
    expect(read('').userName).toBe('Инкогнито');
    expect(read('userName=').userName).toBe('Инкогнито');
    expect(read('userName=%3C%3E%26').userName).toBe('Инкогнито');
  });
  it('keeps #rgb and #rrggbb colours only', () => {
    expect(read('userColor=%23abc').userColor).toBe('#abc');
    expect(read('userColor=red').userColor).toBe('#34495e');
    expect(read(`userColor=${encodeURIComponent("#000' onload='x")}`).userColor).toBe('#34495e');
  });
  it('reads gender 0/1/2, anything else as 0', () => {
    expect(read('gender=1').gender).toBe(1);
    expect(read('gender=3').gender).toBe(0);
    expect(read('gender=x').gender).toBe(0);
  });
  it('ignores array parameters and says so', () => {
    const request = read('userName[]=x&gender[0]=2');
    expect(request.userName).toBe('Инкогнито');
    expect(request.gender).toBe(0);
    expect(request.problems.join(' ')).toMatch(/userName was sent as an array/);
  });
  it('uses the first of repeated parameters and says so', () => {
    const request = read('userName=a&userName=b');
    expect(request.userName).toBe('a');
    expect(request.problems.join(' ')).toMatch(/more than once/);
  });
  it('survives bad percent-escapes', () => {
    expect(() => read('userName=%E0%A4%A&userColor=%ZZ')).not.toThrow();
    expect(read('userName=%E0%A4%Aok').userName).toBe('Aok');
  });
  it('reads our session token and room key', () => {
    expect(read('sessionToken=abc&key=k%20y')).toMatchObject({ sessionToken: 'abc', roomKey: 'k y' });
    expect(read('')).toMatchObject({ sessionToken: null, roomKey: null });
  });
});

describe('UniqueNames', () => {
  it('adds (2), (3)… case-insensitively and reuses the smallest free suffix', () => {
    const names = new UniqueNames();
    const a = names.claim('Anna');
    const b = names.claim('anna');
    const c = names.claim('ANNA');
    expect([a.name, b.name, c.name]).toEqual(['Anna', 'anna (2)', 'ANNA (3)']);
    names.release(b);
    expect(names.claim('Anna').name).toBe('Anna (2)');
    expect(names.claim('Anna').name).toBe('Anna (4)');
    names.release(a);
    expect(names.claim('anna').name).toBe('anna');
  });
  it('counts a look-alike as taken: (2) for Cyrillic А, Ukrainian і, capital I for l', () => {
    const names = new UniqueNames();
    names.claim('Admin');
    names.claim('Alice');
    expect(names.has('\u0410dmin')).toBe(true);
    expect(names.claim('\u0410dmin').name).toBe('\u0410dmin (2)');
    expect(names.claim('Adm\u0456n').name).toBe('Adm\u0456n (3)');
    const lookAlike = names.claim('AIice');
    expect(lookAlike.name).toBe('AIice (2)');
    expect(names.claim('alice').name).toBe('alice (3)');
    names.release(lookAlike);
    expect(names.has('AIice (2)')).toBe(false);
    expect(names.size).toBe(5);
  });
  it('keeps suffixed names within 32 characters and unique', () => {
    const names = new UniqueNames();
    const long = 'x'.repeat(32);
    names.claim(long);
    const second = names.claim(long);
    expect(second.name).toBe(`${'x'.repeat(28)} (2)`);
    expect(Array.from(second.name).length).toBeLessThanOrEqual(MAX_NAME_LENGTH);
    // Two long names that differ only past the cut still get different names.
    const other = `${'x'.repeat(31)}y`;
    names.claim(other);
    expect(names.claim(other).name).not.toBe(second.name);
  });
  it('hands out thousands of copies of one name quickly and uniquely', () => {
    const names = new UniqueNames();
    const claims = Array.from({ length: 5000 }, () => names.claim('bench'));
    expect(new Set(claims.map((c) => c.key)).size).toBe(5000);
    for (const claim of claims) names.release(claim);
    expect(names.size).toBe(0);
  });
});

describe('token bucket', () => {
  const limit = { burst: 3, perSecond: 2 };
  it('allows a burst, then the steady rate', () => {
    const state = freshRateState(limit, 0);
    expect([takeToken(state, limit, 0), takeToken(state, limit, 0), takeToken(state, limit, 0)]).toEqual(['ok', 'ok', 'ok']);
    expect(takeToken(state, limit, 0)).toBe('refused');
    expect(takeToken(state, limit, 500)).toBe('ok');
    expect(takeToken(state, limit, 500)).toBe('refused');
  });
  it('calls a sustained excess a flood', () => {
    const state = freshRateState(limit, 0);
    const verdicts = Array.from({ length: 10 }, () => takeToken(state, limit, 0));
    expect(verdicts.slice(0, 3)).toEqual(['ok', 'ok', 'ok']);
    expect(verdicts.slice(3, 6)).toEqual(['refused', 'refused', 'refused']);
    expect(verdicts[6]).toBe('flood');
  });
  it('forgives refusals over time', () => {
    const state = freshRateState(limit, 0);
    for (let i = 0; i < 6; i++) takeToken(state, limit, 0);
    expect(state.debt).toBe(3);
    takeToken(state, limit, 3000);
    expect(state.debt).toBe(0);
  });
});

// ws's own frame reader (exported at runtime, not in its types).
interface FrameReader {
  on(event: 'message', listener: (data: Buffer) => void): void;
  write(chunk: Buffer): void;
}
const { Receiver } = ws as unknown as { Receiver: new (options: { isServer: boolean }) => FrameReader };

describe('frameText', () => {
  it.each([0, 1, 125, 126, 65535, 65536, 200_000])('frames %i bytes so ws reads them back', async (size) => {
    const payload = 'é'.repeat(Math.floor(size / 2)) + 'x'.repeat(size % 2);
    const receiver = new Receiver({ isServer: false });
    const got = new Promise<string>((resolve) => receiver.on('message', (data) => resolve(data.toString())));
    receiver.write(frameText(payload));
    expect(await got).toBe(payload);
  });
});

describe('resolveWebPath', () => {
  const root = '/srv/web';
  it('maps / to index.html and files to themselves', () => {
    expect(resolveWebPath(root, '/')).toBe('/srv/web/index.html');
    expect(resolveWebPath(root, '/app.js?v=1')).toBe('/srv/web/app.js');
    expect(resolveWebPath(root, '/assets/icon.svg')).toBe('/srv/web/assets/icon.svg');
  });
  it.each(['/../etc/passwd.txt', '/%2e%2e/secret.js', '/assets/..%2f..%2fx.js', '/.env.txt', '/a%00.js', '/a%5c..%5cb.js', '/x.exe', 'app.js', '/%E0%A4%A.js'])(
    'refuses %s',
    (target) => expect(resolveWebPath(root, target)).toBeNull(),
  );
});

describe('configuration', () => {
  it('states every limit with a default', () => {
    expect(DEFAULT_SERVER_CONFIG).toMatchObject({
      port: 27800, pingIntervalMs: 5000, maxBufferedBytes: 1024 * 1024, maxFrameBytes: 65536, exemptLoopbackFromIpLimit: true,
      sessionResumeMs: 60_000, presenceGraceMs: 5_000,
      trustProxy: [], joinBurst: 10, joinsPerSecond: 1,
      keyTriesPerAddress: 5, keyTriesPerRoom: 50, keyTryWindowMs: 60_000, keyLockoutMaxMs: 300_000, maxUserId: 2 ** 31 - 1,
    });
  });
  it('rejects nonsense values by name', () => {
    expect(() => resolveServerConfig({ port: 70000 })).toThrow(/port/);
    expect(() => resolveServerConfig({ rateBurst: 0 })).toThrow(/rateBurst/);
    expect(() => resolveServerConfig({ ratePerSecond: Number.NaN })).toThrow(/ratePerSecond/);
    expect(() => resolveServerConfig({ presenceGraceMs: -1 })).toThrow(/presenceGraceMs/);
    expect(resolveServerConfig({ presenceGraceMs: 0 }).presenceGraceMs).toBe(0);
    expect(() => resolveServerConfig({ joinsPerSecond: 0 })).toThrow(/joinsPerSecond/);
    expect(() => resolveServerConfig({ keyTriesPerAddress: 0 })).toThrow(/keyTriesPerAddress/);
    expect(() => resolveServerConfig({ maxUserId: 2 ** 31 })).toThrow(/maxUserId/);
    expect(() => resolveServerConfig({ trustProxy: ['proxy.lan'] })).toThrow(/trustProxy/);
  });
});

describe('parseCliArgs', () => {
  it('has a flag for every limit and the ping interval', () => {
    const command = parseCliArgs([
      '--host', '127.0.0.1', '--port', '0', '--ping-interval-ms', '100', '--max-connections', '5',
      '--max-connections-per-ip', '2', '--rate-burst', '4', '--rate-per-second', '0.5', '--max-buffered-bytes', '1000',
      '--handshake-timeout-ms', '300', '--max-frame-bytes', '2000', '--default-user-name', 'Guest',
      '--no-loopback-exemption', '--web-root', '/tmp', '--session-resume-ms', '30000', '--presence-grace-ms', '0',
    ]);
    expect(command).toEqual({
      kind: 'run',
      webRootGiven: true,
      config: {
        host: '127.0.0.1', port: 0, pingIntervalMs: 100, maxConnections: 5, maxConnectionsPerIp: 2, rateBurst: 4,
        ratePerSecond: 0.5, maxBufferedBytes: 1000, handshakeTimeoutMs: 300, maxFrameBytes: 2000,
        defaultUserName: 'Guest', exemptLoopbackFromIpLimit: false, webRoot: '/tmp', sessionResumeMs: 30_000, presenceGraceMs: 0,
      },
    });
  });
  it.each([['--port', 'x'], ['--port', '65536'], ['--rate-burst', '0'], ['--rate-per-second', '0'], ['--presence-grace-ms', '-1'], ['--nope'], ['extra'], ['--web-root', 'a', '--no-web-root']])(
    'calls %s a usage error',
    (...argv) => expect(parseCliArgs(argv).kind).toBe('usage-error'),
  );
  it('has flags for the join rate, the room key lockouts and trusted proxies', () => {
    const command = parseCliArgs([
      '--join-burst', '3', '--joins-per-second', '0.25', '--key-tries-per-address', '4', '--key-tries-per-room', '40',
      '--key-try-window-ms', '30000', '--key-lockout-max-ms', '60000', '--trust-proxy', '127.0.0.1', '--trust-proxy', '::1',
    ]);
    expect(command).toEqual({
      kind: 'run',
      webRootGiven: false,
      config: {
        joinBurst: 3, joinsPerSecond: 0.25, keyTriesPerAddress: 4, keyTriesPerRoom: 40, keyTryWindowMs: 30_000,
        keyLockoutMaxMs: 60_000, trustProxy: ['127.0.0.1', '::1'],
      },
    });
    expect(parseCliArgs(['--trust-proxy', 'proxy.lan'])).toMatchObject({ kind: 'usage-error', message: expect.stringContaining('--trust-proxy') });
    expect(parseCliArgs(['--joins-per-second', '0']).kind).toBe('usage-error');
  });
  it('takes --state-file, and refuses an empty one', () => {
    expect(parseCliArgs(['--state-file', '/var/lib/simplechat/state.jsonl'])).toEqual({
      kind: 'run', config: { stateFile: '/var/lib/simplechat/state.jsonl' }, webRootGiven: false,
    });
    expect(parseCliArgs(['--state-file', '']).kind).toBe('usage-error');
  });
  it('takes --db and the retention limits, and refuses an empty path or a zero limit', () => {
    expect(parseCliArgs(['--db', '/var/lib/simplechat/chat.db', '--history-max-lines', '5000', '--history-max-days', '30'])).toEqual({
      kind: 'run', config: { dbFile: '/var/lib/simplechat/chat.db', historyMaxLines: 5000, historyMaxDays: 30 }, webRootGiven: false,
    });
    expect(parseCliArgs(['--db', '']).kind).toBe('usage-error');
    expect(parseCliArgs(['--history-max-lines', '0']).kind).toBe('usage-error');
    expect(parseCliArgs(['--history-max-days', '0']).kind).toBe('usage-error');
  });
  it('knows --help and --no-web-root', () => {
    expect(parseCliArgs(['--help'])).toEqual({ kind: 'help' });
    expect(parseCliArgs(['--no-web-root'])).toEqual({ kind: 'run', config: { webRoot: null }, webRootGiven: true });
  });
});
