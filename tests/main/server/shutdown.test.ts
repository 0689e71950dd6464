import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { CloseCode } from '../../../src-shared/protocol';
import { startChatServer } from '../../../src-main/server';
import { ChatClient, chatUrl, withTimeout } from '../../support/chat-client';
import { RawWebSocket, handshakeWithTarget } from '../../support/raw-websocket';

describe('graceful shutdown', () => {
  it('closes every client with 1001, tells no one of the others leaving, then stops listening', async () => {
    const server = await startChatServer({ host: '127.0.0.1', port: 0 });
    const clients = [];
    for (const userName of ['a', 'b', 'c']) clients.push(await ChatClient.connect(chatUrl(server.port, { userName })));
    await clients[0]!.waitFor((m) => m.action === 'Connected' && m.userName === 'c');
    await withTimeout(server.close(), 5000, 'the server to close');
    for (const client of clients) {
      expect(await client.waitForClose()).toEqual({ code: CloseCode.goingAway, reason: 'Server shutting down' });
      expect(client.all('Disconnected')).toEqual([]);
    }
    expect(server.connectionCount).toBe(0);
    // The port is free again.
    const probe = createServer();
    await new Promise<void>((resolve, reject) => probe.once('error', reject).listen(server.port, '127.0.0.1', resolve));
    probe.close();
  });

  it('cuts off clients that do not answer the close, and sockets still handshaking', async () => {
    const server = await startChatServer({ host: '127.0.0.1', port: 0 });
    const deaf = await RawWebSocket.open(server.port, handshakeWithTarget('/?userName=deaf'));
    await deaf.waitForMessage((m) => m.action === 'Authorized');
    const pending = await RawWebSocket.open(server.port, Buffer.from('GET /?userName=half HTTP/1.1\r\n'));
    await withTimeout(server.close(), 8000, 'the server to close');
    expect((await deaf.waitForCloseFrame()).code).toBe(CloseCode.goingAway);
    await deaf.waitForEnd();
    await pending.waitForEnd();
  });

  it('close() twice is the same close', async () => {
    const server = await startChatServer({ host: '127.0.0.1', port: 0 });
    const first = server.close();
    expect(server.close()).toBe(first);
    await first;
  });
});

describe('starting', () => {
  it('rejects with a clear error and code EADDRINUSE when the port is taken', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as AddressInfo).port;
    try {
      const error = await startChatServer({ host: '127.0.0.1', port }).then(
        () => null,
        (e: unknown) => e as NodeJS.ErrnoException,
      );
      expect(error).toBeInstanceOf(Error);
      expect(error?.code).toBe('EADDRINUSE');
      expect(error?.message).toBe(`Port ${port} is already in use on 127.0.0.1 (another SimpleChat server or program is listening there).`);
    } finally {
      blocker.close();
    }
  });

  it('reports the real port when started on port 0, and the host', async () => {
    const server = await startChatServer({ host: '127.0.0.1', port: 0 });
    expect(server.port).toBeGreaterThan(0);
    expect(server.host).toBe('127.0.0.1');
    await server.close();
  });
});
