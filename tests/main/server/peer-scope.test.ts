import { request } from 'node:http';
import { describe, expect, it } from 'vitest';
import { isLocalNetworkAddress } from '../../../src-main/server/addresses';
import { parseCliArgs } from '../../../src-main/server/cli-args';
import { resolveServerConfig } from '../../../src-main/server/config';
import { peerScopeFilter } from '../../../src-main/server/peer-scope';
import { describeClose } from '../../../src-shared/session/close-reasons';
import { ChatClient, withTimeout } from '../../support/chat-client';
import { startTestServer } from './helpers';

const ATTACKER = '127.0.0.1';
const VICTIM = '127.0.0.2';

describe('isLocalNetworkAddress', () => {
  it.each([
    '127.0.0.1', '127.255.0.9', '10.0.0.5', '172.16.0.1', '172.31.255.255', '192.168.1.7', '169.254.3.4',
    '::1', 'fe80::1', 'fe80::1%eth0', 'febf::1', 'fc00::1', 'fd12:3456::1', '::ffff:192.168.1.7', '::ffff:c0a8:107',
  ])('%s is local', (ip) => expect(isLocalNetworkAddress(ip)).toBe(true));

  it.each([
    '8.8.8.8', '172.15.255.255', '172.32.0.1', '192.169.0.1', '11.0.0.1', '100.64.0.1', '100.127.255.255',
    '2001:db8::1', '2a00:1450::1', 'fec0::1', '::ffff:8.8.8.8', '::', '0.0.0.0', 'unknown', '', '10.0.0.5/8',
  ])('%s is not', (ip) => expect(isLocalNetworkAddress(ip)).toBe(false));
});

describe('peerScopeFilter', () => {
  it('lets anyone in with any', () => expect(peerScopeFilter('any')('8.8.8.8')).toBe(true));
  it('keeps a CIDR list to its blocks, loopback included only when listed', () => {
    const inScope = peerScopeFilter(['10.0.0.0/8', '2001:db8::/32', '203.0.113.9']);
    expect(['10.1.2.3', '::ffff:10.1.2.3', '2001:db8:5::1', '203.0.113.9'].map(inScope)).toEqual([true, true, true, true]);
    expect(['127.0.0.1', '203.0.113.10', '192.168.1.1'].map(inScope)).toEqual([false, false, false]);
  });
  it('reads local-network inside a list', () => {
    const inScope = peerScopeFilter(['local-network', '100.64.0.0/10']);
    expect(['127.0.0.1', '100.100.1.1', '8.8.8.8'].map(inScope)).toEqual([true, true, false]);
  });
  it('throws on a bad scope, naming it', () => {
    expect(() => resolveServerConfig({ peerScope: ['10.0.0.0/33'] })).toThrow(/peerScope/);
    expect(() => resolveServerConfig({ peerScope: ['example.com'] })).toThrow(/peerScope/);
    expect(() => resolveServerConfig({ peerScope: 'lan' as 'any' })).toThrow(/peerScope/);
    expect(resolveServerConfig().peerScope).toBe('any');
  });
});

describe('peer scope flags', () => {
  it('--local-network-only and --allow-peers', () => {
    expect(parseCliArgs(['--local-network-only'])).toEqual({ kind: 'run', config: { peerScope: 'local-network' }, webRootGiven: false });
    expect(parseCliArgs(['--allow-peers', '10.0.0.0/8, fd00::/8'])).toEqual({
      kind: 'run', config: { peerScope: ['10.0.0.0/8', 'fd00::/8'] }, webRootGiven: false,
    });
    expect(parseCliArgs(['--local-network-only', '--allow-peers', '100.64.0.0/10'])).toMatchObject({
      config: { peerScope: ['local-network', '100.64.0.0/10'] },
    });
  });
  it.each([['--allow-peers', ''], ['--allow-peers', '10.0.0.0/40'], ['--allow-peers', 'lan'], ['--local-network-only=yes']])(
    'calls %s %s a usage error',
    (...argv) => expect(parseCliArgs(argv).kind).toBe('usage-error'),
  );
});

function httpGet(port: number, localAddress: string): Promise<{ status: number; body: string }> {
  return withTimeout(
    new Promise((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, path: '/', localAddress, agent: false }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
      req.on('error', reject);
      req.end();
    }),
    5_000,
    'the HTTP answer',
  );
}

describe('a room for some networks only (real sockets)', () => {
  it('closes a WebSocket from outside with 4003 and a reason the client shows, and lets the allowed address chat', async () => {
    const t = await startTestServer({ peerScope: [`${VICTIM}/32`], exemptLoopbackFromIpLimit: false, roomKey: 'k' });
    const outsider = ChatClient.open(t.url({ userName: 'Mallory', key: 'k' }), { localAddress: ATTACKER });
    const close = await outsider.waitForClose();
    expect(close).toEqual({ code: 4003, reason: 'This room accepts only the local network' });
    expect(outsider.messages).toEqual([]);
    expect(describeClose(close.code, close.reason).reason).toMatch(/local network/);
    // The key is not even looked at: a wrong one gets the same answer, so nothing can be guessed from outside.
    const guesser = ChatClient.open(t.url({ userName: 'Mallory', key: 'wrong' }), { localAddress: ATTACKER });
    expect(await guesser.waitForClose()).toEqual({ code: 4003, reason: 'This room accepts only the local network' });

    const a = await t.join({ userName: 'Alice', key: 'k' }, { localAddress: VICTIM });
    const b = await t.join({ userName: 'Bob', key: 'k' }, { localAddress: VICTIM });
    b.say('hello');
    await a.waitFor((m) => m.action === 'PublicMessage' && m.text === 'hello');
  });

  it('refuses a plain HTTP request from outside with 403 before serving anything', async () => {
    const t = await startTestServer({ peerScope: ['10.0.0.0/8'], exemptLoopbackFromIpLimit: false });
    const answer = await httpGet(t.port, ATTACKER);
    expect(answer.status).toBe(403);
    expect(answer.body).toMatch(/only the local network/);
  });

  it('behind a trusted proxy, checks the client the proxy names', async () => {
    const t = await startTestServer({ peerScope: ['10.0.0.0/8'], trustProxy: [ATTACKER], exemptLoopbackFromIpLimit: false });
    const inside = await t.join('Inside', { localAddress: ATTACKER, headers: { 'X-Forwarded-For': '10.1.2.3' } });
    expect(inside.userName).toBe('Inside');
    const outside = ChatClient.open(t.url({ userName: 'Outside' }), { localAddress: ATTACKER, headers: { 'X-Forwarded-For': '203.0.113.7' } });
    expect(await outside.waitForClose()).toEqual({ code: 4003, reason: 'This room accepts only the local network' });
  });

  it('local-network lets loopback in', async () => {
    const t = await startTestServer({ peerScope: 'local-network', exemptLoopbackFromIpLimit: false });
    const a = await t.join('Alice', { localAddress: VICTIM });
    expect(a.userName).toBe('Alice');
    expect((await httpGet(t.port, ATTACKER)).status).not.toBe(403);
  });
});
