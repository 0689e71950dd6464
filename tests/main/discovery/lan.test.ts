import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { FoundRoom } from '../../../src-shared/bridge/found-room';
import { ensureBuilt } from '../../support/build';
import { Namespace, namespaceUnavailable } from './netns';
import type { ChildEvent } from './netns';

/*
 * Advertise and browse for real, over multicast, inside a private network namespace
 * (issue 16 §5): nothing leaves this machine.
 */

const unavailable = namespaceUnavailable();
const root = resolve(import.meta.dirname, '../../..');

const rooms = (event: ChildEvent): FoundRoom[] | null => (Array.isArray(event.rooms) ? (event.rooms as FoundRoom[]) : null);
const listing = (test: (list: FoundRoom[]) => boolean) => (event: ChildEvent) => {
  const list = rooms(event);
  return list !== null && test(list);
};

describe.skipIf(unavailable !== null)(`mDNS in a private network namespace${unavailable === null ? '' : ` (skipped: ${unavailable})`}`, () => {
  let ns: Namespace | null = null;
  afterEach(async () => {
    await ns?.close();
    ns = null;
  });

  it('an advertised room appears with its TXT fields, and its goodbye removes it', async () => {
    ns = Namespace.open();
    ns.send({ do: 'browse' });
    ns.send({ do: 'advertise', id: 1, room: { name: "Ann's room", port: 4321, locked: false, tls: false, webPath: '/' } });
    const seen = await ns.waitFor(listing((list) => list.some((room) => room.port === 4321)), 'the room to appear');
    expect(rooms(seen)).toEqual([
      { id: '127.0.0.1:4321', name: "Ann's room", host: '127.0.0.1', port: 4321, locked: false, tls: false, webPath: '/', lookAlike: false },
    ]);
    ns.clear();
    ns.send({ do: 'unadvertise', id: 1 });
    await ns.waitFor(listing((list) => list.length === 0), 'the room to disappear after its goodbye');
  });

  it('a locked TLS room says so, and two rooms are listed side by side', async () => {
    ns = Namespace.open();
    ns.send({ do: 'browse' });
    ns.send({ do: 'advertise', id: 1, room: { name: 'Open', port: 5001, locked: false, tls: false, webPath: '/' } });
    ns.send({ do: 'advertise', id: 2, room: { name: 'Secret', port: 5002, locked: true, tls: true, webPath: null } });
    const seen = await ns.waitFor(listing((list) => list.length === 2), 'both rooms');
    const secret = rooms(seen)?.find((room) => room.port === 5002);
    expect(secret).toMatchObject({ name: 'Secret', locked: true, tls: true, webPath: null });
    ns.clear();
    ns.send({ do: 'unadvertise', id: 2 });
    const after = await ns.waitFor(listing((list) => list.length === 1), 'the locked room to leave');
    expect(rooms(after)?.[0]?.name).toBe('Open');
  });

  it('the standalone server announces itself with --advertise-name, and says goodbye when stopped', async () => {
    ensureBuilt('server');
    ns = Namespace.open();
    ns.send({ do: 'browse' });
    ns.send({ do: 'server', cli: join(root, 'dist/server/cli.js'), args: ['--port', '0', '--advertise-name', 'Office', '--room-key', 'k'] });
    const seen = await ns.waitFor(listing((list) => list.some((room) => room.name === 'Office')), 'the server to appear');
    const listen = await ns.waitFor((event) => typeof event.server === 'string' && event.server.startsWith('SimpleChat server listening'), 'the listening line');
    const port = Number(/:(\d+)$/.exec(String(listen.server))?.[1]);
    expect(rooms(seen)?.find((room) => room.name === 'Office')).toMatchObject({ port, locked: true, tls: false });
    await ns.waitFor((event) => typeof event.server === 'string' && event.server.includes('announced on the local network as "Office"'), 'the log line');
    ns.clear();
    ns.send({ do: 'stop-server' });
    await ns.waitFor(listing((list) => list.length === 0), 'the server to disappear');
  });

  it('a server bound to loopback only does not announce, and says so', async () => {
    ensureBuilt('server');
    ns = Namespace.open();
    ns.send({ do: 'server', cli: join(root, 'dist/server/cli.js'), args: ['--port', '0', '--host', '127.0.0.1', '--advertise'] });
    await ns.waitFor((event) => typeof event.server === 'string' && event.server.includes('not announced on the network: listening on 127.0.0.1 (loopback) only'), 'the log line');
  });
});
