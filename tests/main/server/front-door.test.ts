import { readdirSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import type { Socket } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ChatClient, chatUrl, withTimeout } from '../../support/chat-client';
import { ProbedServer } from '../../support/probed-server';
import { RawWebSocket, handshakeWithTarget } from '../../support/raw-websocket';
import { startTestServer } from './helpers';

/*
 * A hostile neighbour (issue 18, holes 1 and 2): one address (127.0.0.1) tries to hold
 * every socket the server has; another (127.0.0.2) must still get in. Loopback is not
 * exempt here, so the two loopback addresses stand in for two hosts.
 */

const ATTACKER = '127.0.0.1';
const VICTIM = '127.0.0.2';
const fixtures = join(__dirname, 'fixtures');
const cert = readFileSync(join(fixtures, 'tls-cert.pem'));
const key = readFileSync(join(fixtures, 'tls-key.pem'));

const held = new Set<Socket>();
const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const socket of held) socket.destroy();
  held.clear();
  await Promise.all(cleanups.splice(0).map((cleanup) => cleanup()));
});

/** A socket from the attacker's address that never sends its FIN unless told: a server must close it itself. */
function attackerSocket(port: number): Socket {
  const socket = connect({ port, host: '127.0.0.1', localAddress: ATTACKER, allowHalfOpen: true });
  socket.on('error', () => {});
  held.add(socket);
  return socket;
}

const opened = (socket: Socket): Promise<void> => new Promise((resolve) => socket.once('connect', () => resolve()));
/** Resolves with the first bytes the server sends. */
const firstAnswer = (socket: Socket): Promise<string> =>
  new Promise((resolve) => socket.once('data', (chunk: Buffer) => resolve(chunk.toString('latin1'))));
/** The server's FIN (or its reset): it is done with the socket. */
const serverDone = (socket: Socket): Promise<void> =>
  new Promise((resolve) => {
    socket.once('end', () => resolve());
    socket.once('close', () => resolve());
  });

const getRequest = 'GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n';

async function openDescriptors(pid: number): Promise<number> {
  return readdirSync(`/proc/${pid}/fd`).length;
}

async function until(done: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  await withTimeout(
    (async () => {
      while (!(await done())) await new Promise((resolve) => setTimeout(resolve, 50));
    })(),
    timeoutMs,
    what,
  );
}

describe('one address holding refused sockets (issue 18, hole 1)', () => {
  it('300 refused upgrades and 300 bad keep-alive requests: another address still chats, and the descriptors fall back', async () => {
    const server = await ProbedServer.start({ exemptLoopbackFromIpLimit: false });
    cleanups.push(() => server.stop());
    const baseline = await openDescriptors(server.pid);
    const refusedUpgrade = handshakeWithTarget('/?userName=x', ['Origin: http://evil.example']);

    let peakDescriptors = 0;
    let answeredUpgrades = 0;
    let answeredRequests = 0;
    // In batches that stay under the per-address caps: each socket is served, refused, and must then be let go.
    for (let batch = 0; batch < 15; batch++) {
      const sockets = Array.from({ length: 20 }, () => attackerSocket(server.port));
      await Promise.all(sockets.map(opened));
      await Promise.all(
        sockets.map(async (socket, i) => {
          const done = serverDone(socket);
          if (i % 2 === 0) {
            const answer = firstAnswer(socket);
            socket.write(refusedUpgrade);
            if ((await answer).startsWith('HTTP/1.1 403')) answeredUpgrades++;
          } else {
            const answer = firstAnswer(socket);
            socket.write(getRequest);
            if ((await answer).startsWith('HTTP/1.1 426')) answeredRequests++;
            socket.write('NOT A REQUEST\r\n\r\n');
          }
          await withTimeout(done, 5_000, 'the server to finish with a refused socket');
        }),
      );
      peakDescriptors = Math.max(peakDescriptors, await openDescriptors(server.pid));
    }
    // Half the 300 were bad keep-alive requests and half refused upgrades, each batch of 20 split evenly.
    expect(answeredUpgrades).toBe(150);
    expect(answeredRequests).toBe(150);

    // The attacker still holds its 300 half-open sockets; the server must not.
    const victim = await ChatClient.connect(chatUrl(server.port, { userName: 'victim' }), { localAddress: VICTIM });
    cleanups.push(() => victim.terminate());
    const friend = await ChatClient.connect(chatUrl(server.port, { userName: 'friend' }), { localAddress: VICTIM });
    cleanups.push(() => friend.terminate());
    victim.say('still here');
    expect(await friend.waitFor((m) => m.action === 'PublicMessage')).toMatchObject({ text: 'still here' });

    let now = 0;
    await until(
      async () => (now = await openDescriptors(server.pid)) <= baseline + 2 + 4,
      10_000,
      `the server's descriptors to fall back (baseline ${baseline}, now ${now}, peak ${peakDescriptors})`,
    );
  }, 60_000);

  it('a WebSocket refused with a close code but silent afterwards is cut off within seconds, not ws’s 30', async () => {
    const t = await startTestServer({ roomKey: 'right' });
    const refused = await RawWebSocket.open(t.port, handshakeWithTarget('/?userName=x&key=wrong'));
    expect(await refused.waitForCloseFrame()).toEqual({ code: 4003, reason: 'Wrong room key' });
    // It never answers the close frame; the server must let go of it anyway.
    await refused.waitForEnd(6_000);
    expect(t.logs.some((line) => line.includes('refused: Wrong room key'))).toBe(true);
  });
});

describe('one address holding sockets in any state (issue 18, holes 1 and 2)', () => {
  it('counts idle keep-alive sockets against the address: the one over the cap is cut off, another address gets in', async () => {
    const t = await startTestServer({ exemptLoopbackFromIpLimit: false, maxSocketsPerIp: 10, maxConnectionsPerIp: 4, keepAliveTimeoutMs: 60_000 });
    // Ten sockets that each made one good request: they are past their handshake and idle.
    const idle = Array.from({ length: 10 }, () => attackerSocket(t.port));
    await Promise.all(idle.map(opened));
    await Promise.all(
      idle.map(async (socket) => {
        const answer = firstAnswer(socket);
        socket.write(getRequest);
        expect(await answer).toMatch(/^HTTP\/1\.1 426/);
      }),
    );
    const eleventh = attackerSocket(t.port);
    let answered = false;
    eleventh.once('data', () => (answered = true));
    eleventh.once('connect', () => eleventh.write(getRequest));
    await withTimeout(serverDone(eleventh), 3_000, 'the socket over the cap to be closed');
    expect(answered).toBe(false);

    const victim = await t.join({ userName: 'victim' }, { localAddress: VICTIM });
    const friend = await t.join({ userName: 'friend' }, { localAddress: VICTIM });
    victim.say('hello');
    expect(await friend.waitFor((m) => m.action === 'PublicMessage')).toMatchObject({ text: 'hello' });

    // Once one of the ten lets go, the address may open another.
    idle[0]!.destroy();
    await until(
      async () => {
        const again = attackerSocket(t.port);
        const served = await Promise.race([
          new Promise<boolean>((resolve) => {
            again.once('connect', () => again.write(getRequest));
            again.once('data', () => resolve(true));
          }),
          serverDone(again).then(() => false),
        ]);
        if (!served) held.delete(again);
        return served;
      },
      5_000,
      'a socket after one of the ten closed',
    );
  });

  it('with TLS, idle sockets that never send a ClientHello count too: the ones over the cap are cut off', async () => {
    const t = await startTestServer({ tls: { cert, key }, exemptLoopbackFromIpLimit: false, maxSocketsPerIp: 10, maxConnectionsPerIp: 4 });
    const silent = Array.from({ length: 30 }, () => attackerSocket(t.port));
    await Promise.all(silent.map(opened));
    const cutOff = await withTimeout(
      (async () => {
        let count = 0;
        while ((count = silent.filter((socket) => socket.destroyed || socket.readableEnded).length) < 20) {
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
        return count;
      })(),
      5_000,
      'the 20 sockets over the cap to be closed',
    );
    expect(cutOff).toBe(20);
    const url = `wss://127.0.0.1:${t.port}/?userName=`;
    const victim = await ChatClient.connect(`${url}victim`, { ca: cert, localAddress: VICTIM });
    const friend = await ChatClient.connect(`${url}friend`, { ca: cert, localAddress: VICTIM });
    victim.say('over tls');
    expect(await friend.waitFor((m) => m.action === 'PublicMessage')).toMatchObject({ text: 'over tls' });
    victim.terminate();
    friend.terminate();
  });

  it('with TLS, a socket that never finishes the TLS handshake is closed by the handshake deadline', async () => {
    const t = await startTestServer({ tls: { cert, key }, handshakeTimeoutMs: 500 });
    const silent = attackerSocket(t.port);
    await opened(silent);
    await withTimeout(serverDone(silent), 5_000, 'the silent TLS socket to be closed');
  });
});

describe('HTTP timeouts', () => {
  it('closes an idle keep-alive connection after keepAliveTimeoutMs', async () => {
    const t = await startTestServer({ keepAliveTimeoutMs: 300 });
    const socket = attackerSocket(t.port);
    await opened(socket);
    const answer = firstAnswer(socket);
    socket.write(getRequest);
    expect(await answer).toMatch(/^HTTP\/1\.1 426/);
    await withTimeout(serverDone(socket), 3_000, 'the idle keep-alive connection to be closed');
  });

  it('closes a keep-alive connection whose next request dribbles its headers forever', async () => {
    const t = await startTestServer({ handshakeTimeoutMs: 1_000, keepAliveTimeoutMs: 60_000 });
    const socket = attackerSocket(t.port);
    await opened(socket);
    const answer = firstAnswer(socket);
    socket.write(getRequest);
    await answer;
    socket.write('GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n');
    const dribble = setInterval(() => socket.write(`X-Slow-${Date.now()}: 1\r\n`), 200);
    try {
      await withTimeout(serverDone(socket), 6_000, 'the slow request to be cut off');
    } finally {
      clearInterval(dribble);
    }
  });
});
