import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import type { WebSocket } from 'ws';

/*
 * A scripted server for the faults a real chat server does not commit on purpose:
 * silence, a refusal with a chosen close code. It speaks just enough of the protocol.
 */

export interface StandInOptions {
  port?: number;
  /** Sends nothing at all, ever: a server that hangs after the handshake. */
  silent?: boolean;
  /** Closes each connection right after the handshake with this code and reason. */
  refuse?: { code: number; reason: string };
}

export interface StandInServer {
  port: number;
  /** The query of each handshake, in order. */
  readonly logins: URLSearchParams[];
  readonly received: string[];
  readonly closes: { code: number; reason: string }[];
  close(): Promise<void>;
}

export async function startStandIn(options: StandInOptions = {}): Promise<StandInServer> {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: options.port ?? 0 });
  await new Promise<void>((resolve, reject) => {
    wss.once('listening', resolve);
    wss.once('error', reject);
  });
  const logins: URLSearchParams[] = [];
  const received: string[] = [];
  const closes: { code: number; reason: string }[] = [];
  let nextId = 1;
  wss.on('connection', (socket: WebSocket, req) => {
    const query = new URL(req.url ?? '/', 'ws://x').searchParams;
    logins.push(query);
    socket.on('message', (data) => received.push(String(data)));
    socket.on('close', (code, reason) => closes.push({ code, reason: reason.toString() }));
    if (options.refuse) {
      socket.close(options.refuse.code, options.refuse.reason);
      return;
    }
    if (options.silent) return;
    const me = { userId: nextId++, userName: query.get('userName') ?? '', gender: Number(query.get('gender')), userColor: query.get('userColor') ?? '' };
    socket.send(JSON.stringify({ action: 'Authorized', ...me, users: [me] }));
  });
  return {
    port: (wss.address() as AddressInfo).port,
    logins,
    received,
    closes,
    close: () =>
      new Promise<void>((resolve) => {
        for (const client of wss.clients) client.terminate();
        wss.close(() => resolve());
      }),
  };
}
