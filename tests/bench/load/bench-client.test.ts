import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocketServer, type WebSocket } from 'ws';
import { BenchClient, benchText, type ClientEvents } from '../../../bench/load/bench-client';

/*
 * The load generator's clients speak RFC 6455 themselves; these check them against
 * `ws` (the library both bench servers use) on 127.0.0.1 port 0: what the bench
 * depends on, and the parts of the protocol a fast path could get wrong.
 */

interface Seen {
  chats: Array<[number, number, number]>;
  authorized: number;
  connected: number;
  errors: string[];
  closed: Array<[number, boolean]>;
}

let servers: Array<{ close(): void }> = [];
afterEach(() => {
  for (const server of servers) server.close();
  servers = [];
});

/** A `ws` server on port 0; `onClient` gets each connection and the query it came with. */
async function wsServer(onClient: (ws: WebSocket, query: URLSearchParams) => void): Promise<string> {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise<void>((resolve) => wss.once('listening', () => resolve()));
  wss.on('connection', (ws, request) => onClient(ws, new URL(request.url ?? '/', 'http://x').searchParams));
  servers.push({
    close: () => {
      for (const ws of wss.clients) ws.terminate();
      wss.close();
    },
  });
  return `ws://127.0.0.1:${(wss.address() as AddressInfo).port}`;
}

function client(url: string): { client: BenchClient; seen: Seen } {
  const seen: Seen = { chats: [], authorized: 0, connected: 0, errors: [], closed: [] };
  const events: ClientEvents = {
    chat: (_c, sender, seq, sentAtUs) => seen.chats.push([sender, seq, sentAtUs]),
    authorized: () => (seen.authorized += 1),
    connected: () => (seen.connected += 1),
    serverError: (_c, frame) => seen.errors.push(frame.toString()),
    closed: (_c, code, wasOpen) => seen.closed.push([code, wasOpen]),
  };
  return { client: new BenchClient(7, url, events), seen };
}

async function until(what: string, condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

const publicMessage = (text: string) => `{"action":"PublicMessage","userId":3,"userName":"u3","userColor":"#16a085","gender":0,"text":"${text}"}`;

describe('BenchClient', () => {
  it('logs in with its query, reads chat lines by their marker and sends masked frames the server reads', async () => {
    const received: string[] = [];
    let query: URLSearchParams | null = null;
    const url = await wsServer((ws, q) => {
      query = q;
      ws.send('{"action":"Authorized","userId":8,"userName":"u7","userColor":"#16a085","gender":1,"users":[]}');
      ws.send('{"action":"Connected","userId":8,"userName":"u7","userColor":"#16a085","gender":1}');
      ws.on('message', (data) => {
        received.push(String(data));
        ws.send(publicMessage(benchText(7, 41, 123456789)));
      });
    });
    const { client: c, seen } = client(url);
    await until('the login', () => seen.authorized === 1 && seen.connected === 1);
    expect(query!.get('userName')).toBe('u7');
    expect(c.open && c.authorized).toBe(true);
    c.send(benchText(7, 41, 123456789));
    await until('the echo', () => seen.chats.length === 1);
    expect(received).toEqual([`{"text":"${benchText(7, 41, 123456789)}","toUserId":0}`]);
    expect(seen.chats).toEqual([[7, 41, 123456789]]);
  });

  it('reads frames of every length form, split anywhere and many to a read', async () => {
    const long = 'x'.repeat(70_000);
    const url = await wsServer((ws) => {
      // 7-bit, 16-bit and 64-bit lengths; `ws` corks these into few writes, TCP splits them as it likes.
      for (let seq = 0; seq < 300; seq++) ws.send(publicMessage(benchText(1, seq, seq)));
      ws.send(`{"action":"Connected","pad":"${'y'.repeat(300)}"}`);
      ws.send(`{"action":"Connected","pad":"${long}"}`);
      ws.send(publicMessage(benchText(2, 0, 5)));
    });
    const { seen } = client(url);
    await until('every frame', () => seen.chats.length === 301);
    expect(seen.chats.slice(0, 300).map(([, seq]) => seq)).toEqual(Array.from({ length: 300 }, (_, i) => i));
    expect(seen.connected).toBe(2);
    expect(seen.chats.at(-1)).toEqual([2, 0, 5]);
  });

  it('joins a fragmented message, answers a protocol ping and a JSON Ping', async () => {
    const pongs: string[] = [];
    let protocolPong: Buffer | null = null;
    const url = await wsServer((ws) => {
      ws.on('pong', (data) => (protocolPong = data));
      ws.on('message', (data) => pongs.push(String(data)));
      const text = publicMessage(benchText(4, 9, 99));
      ws.send(text.slice(0, 20), { fin: false });
      ws.send(text.slice(20), { fin: true });
      ws.ping(Buffer.from('are you there'));
      ws.send('{"action":"Ping"}');
    });
    const { seen } = client(url);
    await until('the pongs', () => protocolPong !== null && pongs.length === 1);
    expect(seen.chats).toEqual([[4, 9, 99]]);
    expect(String(protocolPong)).toBe('are you there');
    expect(pongs).toEqual(['{"action":"Pong"}']);
  });

  it('reports the close code a server gives, once', async () => {
    const url = await wsServer((ws) => ws.close(4008, 'try later'));
    const { client: c, seen } = client(url);
    await until('the close', () => seen.closed.length > 0);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(seen.closed).toEqual([[4008, true]]);
    expect(c.open).toBe(false);
  });

  it('refuses an upgrade whose Sec-WebSocket-Accept does not answer its key, and a refused connection', async () => {
    const http: Server = createServer();
    http.on('upgrade', (_request, socket: Socket) => {
      socket.write('HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: bm90IHRoZSBhbnN3ZXI=\r\n\r\n');
    });
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    servers.push({ close: () => http.close() });
    http.on('connection', (socket) => servers.push({ close: () => socket.destroy() }));
    const bad = client(`ws://127.0.0.1:${(http.address() as AddressInfo).port}`);
    await until('the refusal', () => bad.seen.closed.length > 0);
    expect(bad.seen.closed).toEqual([[1002, false]]);

    const closedPort = (http.address() as AddressInfo).port;
    http.close();
    await new Promise((resolve) => setTimeout(resolve, 20));
    const refused = client(`ws://127.0.0.1:${closedPort}`);
    await until('the failed connect', () => refused.seen.closed.length > 0);
    expect(refused.seen.closed).toEqual([[1006, false]]);
  });
});
