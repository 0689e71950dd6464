import { mkdtempSync } from 'node:fs';
import type { RemoteInfo } from 'node:dgram';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import packet from 'dns-packet';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import type { FoundRoom, Settings } from '../../../src-shared/bridge';
import { createAppCore } from '../../../src-main/app/app-core';
import type { AppCore } from '../../../src-main/app/app-core';
import { startRoomServer } from '../../../src-main/app/room-server';
import { JsonFileSettingsStore } from '../../../src-main/app/settings-file';
import type { MdnsRecord, MdnsTransport } from '../../../src-main/discovery';
import { createFakeElectron } from '../../support/fake-electron';
import { ROOT, freePort, waitFor } from './helpers';

/*
 * "Visible on this network" in the app (issue 16 §1): two app cores on one in-memory
 * network whose packets go through dns-packet's real encoder and decoder. Multicast
 * itself is tested in tests/main/discovery/lan.test.ts.
 */

type Listener = (packet: unknown, from: RemoteInfo) => void;

class FakeNetwork {
  readonly #responseListeners = new Set<{ listener: Listener; open: () => boolean }>();
  readonly #queryListeners = new Set<{ listener: Listener; open: () => boolean }>();
  /** Everything ever sent as a response, decoded, for inspection. */
  readonly sent: packet.Packet[] = [];

  transport(address: string): MdnsTransport {
    let open = true;
    const from: RemoteInfo = { address, family: 'IPv4', port: 5353, size: 0 };
    return {
      onQuery: (listener) => void this.#queryListeners.add({ listener, open: () => open }),
      onResponse: (listener) => void this.#responseListeners.add({ listener, open: () => open }),
      query: (name, type) => {
        const decoded = packet.decode(packet.encode({ type: 'query', questions: [{ name, type }] }));
        for (const { listener, open: isOpen } of this.#queryListeners) if (isOpen()) listener(decoded, from);
      },
      respond: async (answers: MdnsRecord[], additionals: MdnsRecord[] = []) => {
        if (!open) return;
        const decoded = packet.decode(packet.encode({ type: 'response', answers, additionals } as unknown as packet.Packet));
        this.sent.push(decoded);
        for (const { listener, open: isOpen } of this.#responseListeners) if (isOpen()) listener(decoded, from);
      },
      close: async () => {
        open = false;
      },
    };
  }
}

const cores: AppCore[] = [];
afterEach(async () => {
  await Promise.all(cores.splice(0).map((core) => core.close()));
});

function startCore(network: FakeNetwork, address: string, saved: Partial<Settings>) {
  const electron = createFakeElectron();
  const settings = new JsonFileSettingsStore(join(mkdtempSync(join(tmpdir(), 'simplechat-disc-')), 'settings.json'));
  settings.update({ hostRoom: false, userName: '', ...saved });
  const found: FoundRoom[][] = [];
  const listeners = new Set<(rooms: FoundRoom[]) => void>();
  const core = createAppCore({
    ipcMain: electron.ipcMain as never,
    settings,
    startServer: (config) => startRoomServer(config),
    createSocket: (url) => new WebSocket(url),
    webRoot: join(ROOT, 'dist/renderer'),
    networkInterfaces: () => ({}),
    listenHosts: ['127.0.0.1'],
    attention: { beep: () => {}, notificationsSupported: () => false, createNotification: (o) => new electron.Notification(o), setBadgeCount: () => {} },
    mdns: () => network.transport(address),
    onEvent: (event, payload) => {
      if (event !== 'foundRooms') return;
      found.push(payload as FoundRoom[]);
      for (const listener of listeners) listener(payload as FoundRoom[]);
    },
  });
  cores.push(core);
  const next = (test: (rooms: FoundRoom[]) => boolean, what: string): Promise<FoundRoom[]> => {
    const last = found.at(-1);
    if (last !== undefined && test(last)) return Promise.resolve(last);
    return waitFor<FoundRoom[], FoundRoom[]>(
      (listener) => {
        listeners.add(listener);
        return () => listeners.delete(listener);
      },
      (rooms) => (test(rooms) ? rooms : undefined),
      5_000,
      what,
    );
  };
  return { core, next };
}

describe('Visible on this network', () => {
  it('a hosted room is announced with its name and lock, never its key; off, stopped or quit: a goodbye', async () => {
    const network = new FakeNetwork();
    const port = await freePort();
    const alice = startCore(network, '10.0.0.2', { userName: 'Alice' });
    const bob = startCore(network, '10.0.0.3', { userName: 'Bob' });

    expect(await alice.core.controller.hostRoom({ port, roomKey: 'sekrit-key' })).toMatchObject({ state: 'running' });
    const listed = await bob.next((rooms) => rooms.length === 1, "Alice's room");
    expect(listed).toEqual([
      { id: `10.0.0.2:${port}`, name: "Alice's room", host: '10.0.0.2', port, locked: true, tls: false, webPath: '/', lookAlike: false },
    ]);
    expect(JSON.stringify(network.sent.map((p) => p.additionals?.map((r) => ('data' in r ? String(r.data) : ''))))).not.toContain('sekrit');

    await alice.core.controller.saveSettings({ visibleOnNetwork: false });
    await bob.next((rooms) => rooms.length === 0, 'the goodbye when the setting is turned off');

    await alice.core.controller.saveSettings({ visibleOnNetwork: true });
    await bob.next((rooms) => rooms.length === 1, 'the room again');
    await alice.core.controller.stopHosting();
    await bob.next((rooms) => rooms.length === 0, 'the goodbye when the room stops');

    await alice.core.controller.hostRoom({ port });
    expect((await bob.next((rooms) => rooms.length === 1, 'the open room'))[0]).toMatchObject({ locked: false });
    await alice.core.close();
    cores.splice(cores.indexOf(alice.core), 1);
    await bob.next((rooms) => rooms.length === 0, 'the goodbye when the app quits');
  });

  it('announces the room under the name the host chose; one\'s own room is not in one\'s own list', async () => {
    const network = new FakeNetwork();
    const [alicePort, carolPort] = [await freePort(), await freePort()];
    const alice = startCore(network, '10.0.0.2', { userName: 'Alice', roomName: 'Office 3F' });
    const bob = startCore(network, '10.0.0.3', { userName: 'Bob' });
    const carol = startCore(network, '10.0.0.4', { userName: 'Carol' });

    expect(await alice.core.controller.hostRoom({ port: alicePort })).toMatchObject({ state: 'running' });
    expect((await bob.next((rooms) => rooms.length === 1, 'Office 3F'))[0]).toMatchObject({ name: 'Office 3F', host: '10.0.0.2' });
    // Alice's own announcement reached her too; what she lists once Carol's arrives has Carol's only.
    expect(await carol.core.controller.hostRoom({ port: carolPort })).toMatchObject({ state: 'running' });
    expect(await alice.next((rooms) => rooms.some((r) => r.host === '10.0.0.4'), "Carol's room")).toEqual([
      expect.objectContaining({ name: "Carol's room", host: '10.0.0.4' }),
    ]);

    // A new name is announced at once, under the same instance: still not in Alice's list, and Bob sees it renamed.
    await alice.core.controller.saveSettings({ roomName: 'Kitchen' });
    expect(await bob.next((rooms) => rooms.some((r) => r.name === 'Kitchen'), 'the new name')).toHaveLength(2);
    await carol.core.controller.saveSettings({ roomName: 'Lab' });
    expect(await alice.next((rooms) => rooms.some((r) => r.name === 'Lab'), "Carol's new name")).toEqual([
      expect.objectContaining({ name: 'Lab', host: '10.0.0.4' }),
    ]);
  });
});
