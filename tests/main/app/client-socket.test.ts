import type { IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import type { WebSocket } from 'ws';
import { MAX_SERVER_FRAME_BYTES, createClientSocket } from '../../../src-main/app/client-socket';

/** A server that would compress if the client let it, and sends whatever a test says. */
async function hostileServer(): Promise<{ url: string; requests: IncomingMessage[]; connections: WebSocket[]; close: () => Promise<void> }> {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: { threshold: 0 }, maxPayload: 64 * 1024 * 1024 });
  await new Promise<void>((resolve) => wss.once('listening', resolve));
  const requests: IncomingMessage[] = [];
  const connections: WebSocket[] = [];
  wss.on('connection', (socket, request) => {
    requests.push(request);
    connections.push(socket);
  });
  return {
    url: `ws://127.0.0.1:${(wss.address() as AddressInfo).port}/`,
    requests,
    connections,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of wss.clients) socket.terminate();
        wss.close(() => resolve());
      }),
  };
}

type Opened = { socket: ReturnType<typeof createClientSocket>; messages: unknown[]; closed: Promise<unknown> };

function open(url: string): Promise<Opened> {
  const socket = createClientSocket(url);
  const messages: unknown[] = [];
  socket.onmessage = (event) => messages.push(event.data);
  const closed = new Promise<unknown>((resolve) => {
    socket.onclose = resolve;
  });
  return new Promise((resolve, reject) => {
    socket.onopen = () => resolve({ socket, messages, closed });
    socket.onerror = reject;
  });
}

describe('the desktop client socket against a hostile server', () => {
  let server: Awaited<ReturnType<typeof hostileServer>> | null = null;
  afterEach(async () => {
    await server?.close();
    server = null;
  });

  it('does not offer permessage-deflate, so the server cannot inflate what it sends', async () => {
    server = await hostileServer();
    const { socket } = await open(server.url);
    expect(server.requests[0]!.headers['sec-websocket-extensions']).toBeUndefined();
    expect((socket as unknown as WebSocket).extensions).toBe('');
    socket.close();
  });

  it('closes with 1009 on a frame larger than any SimpleChat server sends, and delivers none of it', async () => {
    server = await hostileServer();
    const { messages, closed } = await open(server.url);
    // A full room's Authorized (about 2 MiB) still comes through...
    server.connections[0]!.send('a'.repeat(2 * 1024 * 1024));
    // ...but a frame past the limit ends the connection instead of filling memory.
    const toldServer = new Promise<number>((resolve) => server!.connections[0]!.once('close', resolve));
    server.connections[0]!.send('b'.repeat(MAX_SERVER_FRAME_BYTES + 1));
    expect(await toldServer).toBe(1009);
    await closed;
    expect(messages).toHaveLength(1);
    expect(String(messages[0]).length).toBe(2 * 1024 * 1024);
  });
});
