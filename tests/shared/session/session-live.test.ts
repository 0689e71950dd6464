import type { AddressInfo } from 'node:net';
import { createServer } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { startChatServer } from '../../../src-main/server';
import type { ChatServer } from '../../../src-main/server';
import type { ConnectRequest, ConnectionStatus } from '../../../src-shared/bridge';
import { cleanUserName } from '../../../src-shared/protocol';
import type { ServerMessage } from '../../../src-shared/protocol';
import { ClientSession } from '../../../src-shared/session';
import type { CreateSocket, Timers, WebSocketLike } from '../../../src-shared/session';
import { startStandIn } from './stand-in-server';
import type { StandInServer } from './stand-in-server';
import { countingTimers, isState, until, waitForStatus } from './wait';

/*
 * The session over real `ws` sockets on loopback. Every server and session made
 * here is closed in afterEach, whatever the test did.
 */

const createSocket: CreateSocket = (url) => new WebSocket(url);
// Both transports satisfy the interface as they are: this fails to compile otherwise.
const _browserSocketFits = (socket: globalThis.WebSocket): WebSocketLike => socket;
void _browserSocketFits;

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function session(pingIntervalMs = 1_000, random = () => 0, timers: Timers = countingTimers()): ClientSession {
  const made = new ClientSession({ createSocket, pingIntervalMs, random, timers });
  cleanups.push(() => made.disconnect());
  return made;
}

async function standIn(options: Parameters<typeof startStandIn>[0] = {}): Promise<StandInServer> {
  const server = await startStandIn(options);
  cleanups.push(() => server.close());
  return server;
}

async function chatServer(port = 0, pingIntervalMs = 1_000): Promise<ChatServer> {
  const server = await startChatServer({ host: '127.0.0.1', port, pingIntervalMs });
  cleanups.push(() => server.close());
  return server;
}

function messages(client: ClientSession): ServerMessage[] {
  const seen: ServerMessage[] = [];
  client.on('message', (message) => seen.push(message));
  return seen;
}

function request(port: number, overrides: Partial<ConnectRequest> = {}): ConnectRequest {
  return { server: '127.0.0.1', port, userName: 'Аня', userColor: '#16a085', gender: 2, ...overrides };
}

async function waitForAuthorized(client: ClientSession): Promise<Extract<ConnectionStatus, { state: 'authorized' }>> {
  const status = await waitForStatus(client, isState('authorized'));
  if (status.state !== 'authorized') throw new Error(`not authorized: ${status.state}`);
  return status;
}

/** A loopback port nobody listens on (taken, read, released). */
async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

describe('ClientSession over ws (stand-in server)', () => {
  it('logs in with every parameter arriving intact', async () => {
    const server = await standIn();
    const client = session();
    const userName = 'Ёж & Co = +100% #1 ?/';
    client.connect(request(server.port, { userName, roomKey: 'a+b&c' }));
    const status = await waitForStatus(client, isState('authorized'));
    expect(status).toMatchObject({ state: 'authorized', self: { userName, userColor: '#16a085', gender: 2 } });
    const login = server.logins[0]!;
    expect([...login.entries()]).toEqual([
      ['userName', userName],
      ['userColor', '#16a085'],
      ['gender', '2'],
      ['key', 'a+b&c'],
    ]);
  });

  it('gives up on a server that says nothing for 3 ping intervals: a first attempt ends there, said', async () => {
    const server = await standIn({ silent: true });
    const client = session(100);
    client.connect(request(server.port));
    await waitForStatus(client, isState('open'));
    const started = Date.now();
    const lost = await waitForStatus(client, isState('closed'), 3_000);
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    expect(lost).toMatchObject({ byUser: false, reason: expect.stringMatching(/stopped answering/) });
    // The dead connection was closed from our side.
    await until(() => server.closes.length === 1, 3_000, 'the server seeing the close');
    expect(server.logins).toHaveLength(1);
  });

  it('says the server could not be reached when nothing listens, for the form, without a retry loop', async () => {
    const port = await freePort();
    const timers = countingTimers();
    const client = session(1_000, () => 0, timers);
    client.connect(request(port));
    const status = await waitForStatus(client, isState('closed'));
    expect(status).toMatchObject({ byUser: false, about: 'address', reason: expect.stringMatching(new RegExp(`Could not reach the server at ws://127\\.0\\.0\\.1:${port}/ \\(.*ECONNREFUSED`)) });
    expect(timers.pending).toBe(0);
  });

  it('stops after a refusal for good (4003) and reports the server\'s reason', async () => {
    const server = await standIn({ refuse: { code: 4003, reason: 'Wrong room key' } });
    const timers = countingTimers();
    const client = session(1_000, () => 0, timers);
    client.connect(request(server.port, { roomKey: 'guess' }));
    const status = await waitForStatus(client, isState('closed'));
    expect(status).toEqual({ state: 'closed', byUser: false, code: 4003, about: 'key', reason: 'The server refused to let us in: the room key is missing or wrong: Wrong room key' });
    // No try is planned and no watch is running: nothing more can happen.
    expect(timers.pending).toBe(0);
    expect(server.logins).toHaveLength(1);
  });

  it('disconnect() closes with 1000 and does not come back', async () => {
    const server = await standIn();
    const timers = countingTimers();
    const client = session(1_000, () => 0, timers);
    client.connect(request(server.port));
    await waitForStatus(client, isState('authorized'));
    expect(timers.pending).toBe(1);
    client.disconnect();
    expect(timers.pending).toBe(0);
    await until(() => server.closes.length === 1, 3_000, 'the server seeing the close');
    expect(server.closes[0]).toEqual({ code: 1000, reason: 'Disconnected' });
    expect(server.logins).toHaveLength(1);
  });
});

describe('ClientSession against the real chat server', () => {
  it('logs in with an awkward name, and two sessions chat in public and in private', async () => {
    const server = await chatServer();
    const anna = session();
    const bob = session();
    const annaSees = messages(anna);
    const bobSees = messages(bob);
    const awkward = 'Аня & Co = +1 #2';
    anna.connect(request(server.port, { userName: awkward }));
    const annaIn = await waitForStatus(anna, isState('authorized'));
    expect(annaIn).toMatchObject({ self: { userName: cleanUserName(awkward, ''), userColor: '#16a085', gender: 2 } });
    bob.connect(request(server.port, { userName: 'Боб', userColor: '#2980b9', gender: 1 }));
    const bobIn = await waitForStatus(bob, isState('authorized'));
    if (annaIn.state !== 'authorized' || bobIn.state !== 'authorized') return;

    anna.send({ text: 'Привет, {Боб} & <all>', toUserId: 0 });
    bob.send({ text: 'psst', toUserId: annaIn.self.userId });
    await until(() => bobSees.some((m) => m.action === 'PublicMessage'), 3_000, 'Bob hearing Anna');
    await until(() => annaSees.some((m) => m.action === 'PrivateMessage'), 3_000, 'Anna hearing Bob');
    expect(bobSees.find((m) => m.action === 'PublicMessage')).toMatchObject({
      userId: annaIn.self.userId,
      text: 'Привет, <b>Боб</b> &amp; &lt;all&gt;',
    });
    expect(annaSees.find((m) => m.action === 'PrivateMessage')).toMatchObject({ userId: bobIn.self.userId, text: 'psst', toUserId: annaIn.self.userId });
    expect(annaSees.filter((m) => m.action === 'Connected').map((m) => 'userName' in m && m.userName)).toContain('Боб');
  });

  it('answers the server\'s Pings: still in after many ping intervals, never lost', async () => {
    // Not shorter: three intervals of silence count as a dead server, and a loaded CI machine can stall the loop for a few hundred ms.
    const pingMs = 250;
    const server = await chatServer(0, pingMs);
    const client = session(pingMs);
    const statuses: string[] = [];
    client.on('status', (s) => statuses.push(s.state));
    client.connect(request(server.port));
    await waitForStatus(client, isState('authorized'));
    // The server drops a user after 3 unanswered Pings; 10 intervals pass here.
    await new Promise((resolve) => setTimeout(resolve, 10 * pingMs));
    expect(client.status.state).toBe('authorized');
    expect(server.connectionCount).toBe(1);
    expect(statuses).toEqual(['connecting', 'open', 'authorized']);
  });

  it('reconnects and logs in again, with the same name, after the server is closed and restarted on the same port', async () => {
    const first = await chatServer();
    const client = session();
    const seen = messages(client);
    client.connect(request(first.port));
    const before = await waitForStatus(client, isState('authorized'));
    await first.close();
    const lost = await waitForStatus(client, isState('reconnecting'));
    expect(lost).toMatchObject({ attempt: 1, reason: expect.stringMatching(/going away: Server shutting down/) });
    const second = await chatServer(first.port);
    const after = await waitForStatus(client, isState('authorized'), 10_000);
    if (before.state !== 'authorized' || after.state !== 'authorized') return;
    expect(after.self).toMatchObject({ userName: before.self.userName, userColor: '#16a085', gender: 2 });
    expect(second.connectionCount).toBe(1);
    expect(seen.filter((m) => m.action === 'Authorized')).toHaveLength(2);
  });

  it('keeps what is typed while the server is down and delivers it, in order, after the restart', async () => {
    const first = await chatServer();
    const anna = session();
    const bob = session();
    const bobSees = messages(bob);
    anna.connect(request(first.port));
    bob.connect(request(first.port, { userName: 'Боб' }));
    await waitForStatus(anna, isState('authorized'));
    await waitForStatus(bob, isState('authorized'));
    await first.close();
    await waitForStatus(anna, isState('reconnecting'));
    const typed = ['раз', 'два & {три}', 'четыре'];
    for (const text of typed) anna.send({ text, toUserId: 0 });
    expect(anna.outbox.map((p) => [p.text, p.sending])).toEqual(typed.map((t) => [t, false]));
    await chatServer(first.port);
    await waitForStatus(anna, isState('authorized'), 10_000);
    await waitForStatus(bob, isState('authorized'), 10_000);
    await until(() => bobSees.filter((m) => m.action === 'PublicMessage').length === 3, 5_000, 'Bob hearing all three');
    const heard = bobSees.flatMap((m) => (m.action === 'PublicMessage' ? [m.text] : []));
    expect(heard).toEqual(['раз', 'два &amp; <b>три</b>', 'четыре']);
    await until(() => anna.outbox.length === 0, 3_000, 'the echoes emptying the outbox');
  });

  it('resumes with its token after the network drops: same name and id, the missed messages, its own message exactly once', async () => {
    const server = await chatServer();
    const annaSockets: WebSocket[] = [];
    const anna = new ClientSession({
      createSocket: (url) => {
        const socket = new WebSocket(url);
        annaSockets.push(socket);
        return socket;
      },
      pingIntervalMs: 1_000,
      random: () => 0,
    });
    cleanups.push(() => anna.disconnect());
    const bob = session();
    const annaSees = messages(anna);
    const bobSees = messages(bob);
    anna.connect(request(server.port));
    const before = await waitForStatus(anna, isState('authorized'));
    bob.connect(request(server.port, { userName: 'Боб' }));
    await waitForStatus(bob, isState('authorized'));

    // The message goes out and the connection dies at once: it may or may not have reached the server.
    anna.send({ text: 'в полёте', toUserId: 0 });
    annaSockets[0]!.terminate();
    await waitForStatus(anna, isState('reconnecting'));
    bob.send({ text: 'пока тебя не было', toUserId: 0 });
    await until(() => bobSees.some((m) => m.action === 'PublicMessage' && m.text === 'пока тебя не было'), 3_000, 'Bob\'s own echo');

    const after = await waitForStatus(anna, isState('authorized'), 10_000);
    expect(after).toEqual(before);
    await until(() => annaSees.filter((m) => m.action === 'History').length >= 2, 3_000, 'the History of the resume');
    // The first History was the one on join; the resume's comes after it.
    const history = annaSees.filter((m) => m.action === 'History').at(-1);
    expect(history?.action === 'History' && history.messages.map((m) => m.text)).toContain('пока тебя не было');
    await until(() => anna.outbox.length === 0, 5_000, 'the outbox emptying');
    await until(() => bobSees.some((m) => m.action === 'PublicMessage' && m.text === 'в полёте'), 3_000, 'Bob hearing Anna');
    // A duplicate would have been sent before this marker, and the server keeps order.
    anna.send({ text: 'маркер', toUserId: 0 });
    await until(() => bobSees.some((m) => m.action === 'PublicMessage' && m.text === 'маркер'), 3_000, 'the marker');
    expect(bobSees.filter((m) => m.action === 'PublicMessage' && m.text === 'в полёте')).toHaveLength(1);
    // Bob knows her by the same id and name as before, not as a newcomer `Аня (2)`, and
    // back within the server's presence grace she never left for him.
    if (before.state !== 'authorized') return;
    const fromAnna = bobSees.filter((m) => m.action === 'PublicMessage' && m.text === 'в полёте');
    expect(fromAnna[0]).toMatchObject({ userId: before.self.userId, userName: before.self.userName });
    const presence = bobSees.filter(
      (m) => (m.action === 'Connected' || m.action === 'Disconnected' || m.action === 'ConnectionLost') && m.userId === before.self.userId,
    );
    expect(presence).toEqual([]);
  });

  it('a new session seeded with the old one\'s token (a reloaded page) gets the same name and id back, and the messages it missed', async () => {
    const server = await chatServer();
    const bob = session();
    const bobSees = messages(bob);
    const beforeSockets: WebSocket[] = [];
    const before = new ClientSession({
      createSocket: (url) => {
        const socket = new WebSocket(url);
        beforeSockets.push(socket);
        return socket;
      },
      random: () => 0,
    });
    cleanups.push(() => before.disconnect());
    before.connect(request(server.port));
    const first = await waitForAuthorized(before);
    bob.connect(request(server.port, { userName: 'Боб' }));
    await waitForStatus(bob, isState('authorized'));
    const resume = before.resumable!;
    expect(resume.self).toEqual(first.self);

    // The old page goes away as a browser's does (1001, going away; a user's own
    // disconnect, 1000, would end the session), and Bob says something meanwhile.
    const closed = new Promise((resolve) => beforeSockets[0]!.once('close', resolve));
    beforeSockets[0]!.close(1001);
    before.disconnect();
    // The closing handshake is done: the server has taken the connection as gone.
    await closed;
    bob.send({ text: 'пока страница грузилась', toUserId: 0 });
    await until(() => bobSees.some((m) => m.action === 'PublicMessage' && m.text === 'пока страница грузилась'), 3_000, 'Bob\'s echo');

    const after = session();
    const afterSees = messages(after);
    after.connect(request(server.port), resume);
    expect(await waitForStatus(after, isState('authorized'))).toEqual(first);
    await until(() => afterSees.some((m) => m.action === 'History'), 3_000, 'the History');
    const history = afterSees.find((m) => m.action === 'History');
    expect(history?.action === 'History' && history.messages.map((m) => m.text)).toEqual(['пока страница грузилась']);
    // A 1001 is told to the others at once (a closed tab's is the same); the resumed session comes back as a join.
    after.send({ text: 'снова здесь', toUserId: 0 });
    await until(() => bobSees.some((m) => m.action === 'PublicMessage' && m.text === 'снова здесь'), 3_000, 'Anna\'s message');
    const presence = bobSees.filter(
      (m) => (m.action === 'Connected' || m.action === 'Disconnected' || m.action === 'ConnectionLost') && m.userId === first.self.userId,
    );
    expect(presence.map((m) => m.action)).toEqual(['Disconnected', 'Connected']);
  });

  it('a seeded session takes over the old connection while it is still open; the others see nothing of it', async () => {
    const server = await chatServer();
    const bob = session();
    const bobSees = messages(bob);
    const before = session();
    before.connect(request(server.port));
    const first = await waitForAuthorized(before);
    bob.connect(request(server.port, { userName: 'Боб' }));
    const bobSelf = await waitForAuthorized(bob);
    // Bob's own Connected comes after his Authorized: the quiet starts after it.
    await until(() => bobSees.some((m) => m.action === 'Connected' && m.userId === bobSelf.self.userId), 3_000, 'Bob\'s Connected');
    const seenBefore = bobSees.length;

    const after = session();
    after.connect(request(server.port), before.resumable!);
    expect(await waitForStatus(after, isState('authorized'))).toEqual(first);
    // The old one is told it was replaced, and does not come back to fight for the session.
    const replaced = await waitForStatus(before, isState('closed'));
    expect(replaced).toMatchObject({ state: 'closed', byUser: false, code: 4000 });
    after.send({ text: 'я здесь', toUserId: 0 });
    await until(() => bobSees.some((m) => m.action === 'PublicMessage' && m.text === 'я здесь'), 3_000, 'the message');
    const said = bobSees.slice(seenBefore);
    expect(said.filter((m) => m.action !== 'Ping').map((m) => m.action)).toEqual(['PublicMessage']);
    expect(said.find((m) => m.action === 'PublicMessage')).toMatchObject({ userId: first.self.userId, userName: first.self.userName });
  });
});
