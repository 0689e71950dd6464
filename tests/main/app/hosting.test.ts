import { createServer } from 'node:net';
import type { NetworkInterfaceInfo } from 'node:os';
import { describe, expect, it } from 'vitest';
import type { HostingStatus } from '../../../src-shared/bridge';
import { RoomHost, describeListenError } from '../../../src-main/app/hosting';
import type { HostedServerConfig, StartServer } from '../../../src-main/app/hosting';
import { lanHosts, roomUrls } from '../../../src-main/app/lan-addresses';
import { startRoomServer } from '../../../src-main/app/room-server';
import { tryBuildConnectUrl } from '../../../src-shared/session';
import { ChatClient } from '../../support/chat-client';

const iface = (address: string, family: 'IPv4' | 'IPv6', internal = false): NetworkInterfaceInfo =>
  ({ address, family, internal, netmask: '', mac: '', cidr: null, ...(family === 'IPv6' ? { scopeid: 0 } : {}) }) as NetworkInterfaceInfo;

const interfaces = {
  lo: [iface('127.0.0.1', 'IPv4', true), iface('::1', 'IPv6', true)],
  eth0: [iface('192.168.1.20', 'IPv4'), iface('fe80::1c2d:3eff:fe4f:5a6b', 'IPv6'), iface('2001:db8::20', 'IPv6'), iface('fd12::20', 'IPv6')],
  wlan0: [iface('10.0.0.7', 'IPv4'), iface('169.254.3.4', 'IPv4'), iface('192.168.1.20', 'IPv4')],
};

const codeError = (code: string): Error => Object.assign(new Error(`listen ${code}`), { code });

describe('LAN addresses', () => {
  it('lists non-internal IPv4 first, then IPv6 without link-local, each once', () => {
    expect(lanHosts(interfaces, true)).toEqual(['192.168.1.20', '10.0.0.7', '2001:db8::20', 'fd12::20']);
    expect(lanHosts(interfaces, false)).toEqual(['192.168.1.20', '10.0.0.7']);
    expect(lanHosts({}, true)).toEqual([]);
  });

  it('brackets IPv6 in URLs', () => {
    expect(roomUrls(['10.0.0.7', '2001:db8::20'], 27800)).toEqual({
      addresses: ['ws://10.0.0.7:27800', 'ws://[2001:db8::20]:27800'],
      webUrls: ['http://10.0.0.7:27800/', 'http://[2001:db8::20]:27800/'],
    });
  });

  it('carries the room key in every URL, percent-encoded: & # space + and Cyrillic cannot break the query', () => {
    const key = 'a&b=c #d+e ключ/?%';
    const encoded = 'a%26b%3Dc%20%23d%2Be%20%D0%BA%D0%BB%D1%8E%D1%87%2F%3F%25';
    expect(roomUrls(['10.0.0.7', '2001:db8::20'], 27800, key)).toEqual({
      addresses: [`ws://10.0.0.7:27800/?key=${encoded}`, `ws://[2001:db8::20]:27800/?key=${encoded}`],
      webUrls: [`http://10.0.0.7:27800/?key=${encoded}`, `http://[2001:db8::20]:27800/?key=${encoded}`],
    });
    // What a browser page (URLSearchParams) and any URL parser read back is the key itself.
    for (const url of Object.values(roomUrls(['10.0.0.7'], 27800, key)).flat()) {
      const parsed = new URL(url);
      expect(parsed.hash).toBe('');
      expect([...parsed.searchParams.keys()]).toEqual(['key']);
      expect(parsed.searchParams.get('key')).toBe(key);
    }
    // An empty key is no key.
    expect(roomUrls(['10.0.0.7'], 27800, '')).toEqual(roomUrls(['10.0.0.7'], 27800));
  });

  it('a copied ws:// address joins with its key: the client keeps a key it finds in the URL', () => {
    const [address] = roomUrls(['10.0.0.7'], 27800, 'a&b #ключ').addresses;
    const built = tryBuildConnectUrl({ server: address!, port: 1, userName: 'Гость', userColor: '#16a085', gender: 0 });
    expect(built.ok).toBe(true);
    const url = new URL((built as { url: string }).url);
    expect(url.host).toBe('10.0.0.7:27800');
    expect(url.searchParams.getAll('key')).toEqual(['a&b #ключ']);
    expect(url.searchParams.get('userName')).toBe('Гость');
  });
});

function fakeHost(behaviour: (config: HostedServerConfig) => Promise<{ port: number; close(): Promise<void> }>) {
  const statuses: HostingStatus[] = [];
  const tried: HostedServerConfig[] = [];
  let closed = 0;
  const startServer: StartServer = async (config) => {
    tried.push(config);
    const server = await behaviour(config);
    return { port: server.port, close: async () => void closed++ };
  };
  const host = new RoomHost({ startServer, webRoot: '/web', networkInterfaces: () => interfaces, onStatus: (s) => statuses.push(s) });
  return { host, statuses, tried, closed: () => closed };
}

describe('hosting a room', () => {
  it('listens dual-stack on every interface and reports the LAN addresses', async () => {
    const { host, statuses, tried } = fakeHost(async (c) => ({ port: c.port, close: async () => {} }));
    const status = await host.start({ port: 27800 });
    expect(tried).toEqual([{ host: '::', port: 27800, webRoot: '/web' }]);
    // The local network only: a global IPv6 address is not offered (a neighbour would come from its own global one).
    expect(status).toEqual({
      state: 'running',
      port: 27800,
      addresses: ['ws://192.168.1.20:27800', 'ws://10.0.0.7:27800', 'ws://[fd12::20]:27800'],
      webUrls: ['http://192.168.1.20:27800/', 'http://10.0.0.7:27800/', 'http://[fd12::20]:27800/'],
      locked: false,
    });
    expect(statuses.map((s) => s.state)).toEqual(['starting', 'running']);
  });

  it('with the internet allowed, offers every address, global IPv6 too', async () => {
    const { host } = fakeHost(async (c) => ({ port: c.port, close: async () => {} }));
    const status = await host.start({ port: 27800, allowInternet: true });
    expect(status.state === 'running' && status.addresses).toEqual([
      'ws://192.168.1.20:27800', 'ws://10.0.0.7:27800', 'ws://[2001:db8::20]:27800', 'ws://[fd12::20]:27800',
    ]);
  });

  it('hands the room key to the server and puts it in every share URL; a new key restarts the room', async () => {
    const { host, tried, closed } = fakeHost(async (c) => ({ port: c.port, close: async () => {} }));
    const status = await host.start({ port: 27800, roomKey: 'k&1' });
    expect(tried).toEqual([{ host: '::', port: 27800, webRoot: '/web', roomKey: 'k&1' }]);
    expect(status.state === 'running' && status.webUrls[0]).toBe('http://192.168.1.20:27800/?key=k%261');
    expect(status.state === 'running' && status.locked).toBe(true);
    expect(status.state === 'running' && status.addresses[0]).toBe('ws://192.168.1.20:27800/?key=k%261');
    const rekeyed = await host.start({ port: 27800, roomKey: 'новый' });
    expect(closed()).toBe(1);
    expect(rekeyed.state === 'running' && rekeyed.webUrls[0]).toBe('http://192.168.1.20:27800/?key=%D0%BD%D0%BE%D0%B2%D1%8B%D0%B9');
    const open = await host.start({ port: 27800 });
    expect(closed()).toBe(2);
    expect(open.state === 'running' && open.webUrls[0]).toBe('http://192.168.1.20:27800/');
  });

  it('takes the local network only by default; allowing the internet restarts the room for everyone', async () => {
    const { host, tried, closed } = fakeHost(async (c) => ({ port: c.port, close: async () => {} }));
    await host.start({ port: 27800, roomKey: 'k' });
    expect(tried[0]).not.toHaveProperty('allowInternet');
    await host.start({ port: 27800, roomKey: 'k', allowInternet: true });
    expect(closed()).toBe(1);
    expect(tried[1]).toEqual({ host: '::', port: 27800, webRoot: '/web', roomKey: 'k', allowInternet: true });
    await host.start({ port: 27800, roomKey: 'k', allowInternet: true });
    expect(tried).toHaveLength(2);
  });

  it('falls back to IPv4 alone where IPv6 is off, and lists IPv4 only', async () => {
    const { host, tried } = fakeHost(async (c) => {
      if (c.host === '::') throw codeError('EAFNOSUPPORT');
      return { port: c.port, close: async () => {} };
    });
    const status = await host.start({ port: 27800 });
    expect(tried.map((c) => c.host)).toEqual(['::', '0.0.0.0']);
    expect(status.state === 'running' && status.addresses).toEqual(['ws://192.168.1.20:27800', 'ws://10.0.0.7:27800']);
  });

  it('a port in use fails at once with a clear message (no second try, no throw)', async () => {
    const { host, tried, statuses } = fakeHost(async () => {
      throw codeError('EADDRINUSE');
    });
    const status = await host.start({ port: 27800 });
    expect(tried).toHaveLength(1);
    expect(status).toEqual({ state: 'failed', port: 27800, message: describeListenError(codeError('EADDRINUSE'), 27800) });
    expect(status.state === 'failed' && status.message).toMatch(/Port 27800 is already in use/);
    expect(statuses.at(-1)).toEqual(status);
  });

  it('keeps a running room on the same request, restarts it for another port, and stops it', async () => {
    const fake = fakeHost(async (c) => ({ port: c.port, close: async () => {} }));
    await fake.host.start({ port: 1000 });
    await fake.host.start({ port: 1000 });
    expect(fake.tried).toHaveLength(1);
    await fake.host.start({ port: 1001 });
    expect(fake.closed()).toBe(1);
    expect(fake.host.port).toBe(1001);
    await fake.host.stop();
    expect(fake.closed()).toBe(2);
    expect(fake.host.status).toEqual({ state: 'stopped' });
    expect(fake.statuses.map((s) => s.state)).toEqual(['starting', 'running', 'starting', 'running', 'stopped']);
  });

  it('runs start and stop one at a time, in call order', async () => {
    const fake = fakeHost(async (c) => {
      await new Promise((r) => setTimeout(r, 20));
      return { port: c.port, close: async () => {} };
    });
    const started = fake.host.start({ port: 2000 });
    const stopped = fake.host.stop();
    await Promise.all([started, stopped]);
    expect(fake.host.status).toEqual({ state: 'stopped' });
    expect(fake.closed()).toBe(1);
  });
});

describe('the real room server', () => {
  it('a port taken by another program is a failed status with the message, never a crash', async () => {
    const squatter = createServer();
    await new Promise<void>((done) => squatter.listen(0, '127.0.0.1', done));
    const port = (squatter.address() as { port: number }).port;
    try {
      const statuses: HostingStatus[] = [];
      const host = new RoomHost({
        startServer: (config) => startRoomServer(config),
        webRoot: '/nonexistent',
        networkInterfaces: () => ({}),
        onStatus: (s) => statuses.push(s),
        listenHosts: ['127.0.0.1'],
      });
      const status = await host.start({ port });
      expect(status).toMatchObject({ state: 'failed', port });
      expect(status.state === 'failed' && status.message).toMatch(new RegExp(`Port ${port} is already in use`));
    } finally {
      await new Promise<void>((done) => squatter.close(() => done()));
    }
  });

  it('starts on loopback, reports that address, and stops', async () => {
    const host = new RoomHost({
      startServer: (config) => startRoomServer({ ...config, port: 0 }),
      webRoot: '/nonexistent',
      networkInterfaces: () => interfaces,
      onStatus: () => {},
      listenHosts: ['127.0.0.1'],
    });
    const status = await host.start({ port: 1 });
    expect(status.state).toBe('running');
    const port = host.port!;
    expect(status).toEqual({ state: 'running', port, addresses: [`ws://127.0.0.1:${port}`], webUrls: [`http://127.0.0.1:${port}/`], locked: false });
    await host.stop();
    // Nothing listens there any more.
    const probe = createServer();
    await new Promise<void>((done, fail) => {
      probe.once('error', fail);
      probe.listen(port, '127.0.0.1', done);
    });
    await new Promise<void>((done) => probe.close(() => done()));
  });

  it('with a room key: the share address lets a client in, the same address without its key is refused', async () => {
    const key = 'a&b #ключ';
    const host = new RoomHost({
      startServer: (config) => startRoomServer({ ...config, port: 0 }),
      webRoot: '/nonexistent',
      networkInterfaces: () => ({}),
      onStatus: () => {},
      listenHosts: ['127.0.0.1'],
    });
    const status = await host.start({ port: 1, roomKey: key });
    try {
      if (status.state !== 'running') throw new Error(`not running: ${JSON.stringify(status)}`);
      const port = status.port;
      expect(status.webUrls).toEqual([`http://127.0.0.1:${port}/?key=a%26b%20%23%D0%BA%D0%BB%D1%8E%D1%87`]);
      const login = (server: string) => {
        const built = tryBuildConnectUrl({ server, port, userName: 'Guest', userColor: '#16a085', gender: 0 });
        if (!built.ok) throw new Error(built.reason);
        return built.url;
      };
      const guest = await ChatClient.connect(login(status.addresses[0]!));
      try {
        expect(guest.userName).toBe('Guest');
      } finally {
        await guest.close();
      }
      const stranger = ChatClient.open(login(`ws://127.0.0.1:${port}/`));
      const refused = await stranger.waitForClose();
      expect(refused.code).toBe(4003);
    } finally {
      await host.stop();
    }
  });
});
