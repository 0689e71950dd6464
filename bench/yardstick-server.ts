/**
 * The yardstick: the least a `ws` chat server can do and still speak the
 * SimpleChat protocol to the bench — `Authorized` and `Connected` on join,
 * `Disconnected` on leave, `PublicMessage` fan-out. Each broadcast is serialised
 * and framed once and the same bytes are written to every socket, batched per
 * flush (see `flushGapMs`). No limits, no
 * heartbeat, no validation beyond what keeps it alive: it is the ceiling the real
 * server is measured against, not a server to use.
 *
 *   node dist/bench/yardstick-server.js --host 127.0.0.1 --port 0 [--no-cork] [--flush-gap-ms N] [--adaptive-gap]
 * prints `SimpleChat server listening on ws://HOST:PORT` first, like the real one.
 * Writes are corked and leave together at the end of the event-loop turn, at least
 * `--flush-gap-ms` (default 2) apart; `--no-cork` writes each frame at once.
 */
import { createServer, type IncomingMessage } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';

interface Member {
  socket: Duplex;
  identityJson: string;
}

/** An unmasked, final text frame around `payload`. */
function textFrame(payload: Buffer): Buffer {
  const length = payload.length;
  const headerLength = length < 126 ? 2 : length < 65_536 ? 4 : 10;
  const frame = Buffer.allocUnsafe(headerLength + length);
  frame[0] = 0x81;
  if (length < 126) {
    frame[1] = length;
  } else if (length < 65_536) {
    frame[1] = 126;
    frame.writeUInt16BE(length, 2);
  } else {
    frame[1] = 127;
    frame.writeBigUInt64BE(BigInt(length), 2);
  }
  payload.copy(frame, headerLength);
  return frame;
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#039;' };
const escapeHtml = (text: string) => (/[&<>"']/.test(text) ? text.replace(/[&<>"']/g, (c) => ESCAPES[c]!) : text);

/** `--name value` or `--name=value`. */
function argument(name: string, fallback: string): string {
  const inline = process.argv.find((a) => a.startsWith(`--${name}=`));
  if (inline !== undefined) return inline.slice(name.length + 3);
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 && at + 1 < process.argv.length ? process.argv[at + 1]! : fallback;
}

const members = new Set<Member>();
let nextUserId = 1;
const corking = !process.argv.includes('--no-cork');
/**
 * Flushes are at least this far apart (0: every event-loop turn). The same rule as
 * SimpleChat's fan-out, so the two differ in what they check, not in how they batch.
 */
const flushGapMs = Number(argument('flush-gap-ms', '2'));
/** Also keep flushing from taking more than half the time: the gap grows to the last flush's length. */
const adaptiveGap = process.argv.includes('--adaptive-gap');

// Writes made between flushes leave in one writev per socket.
const corked: Duplex[] = [];
let flushScheduled = false;
let lastFlushAt = -Infinity;
let lastFlushMs = 0;
function flush(): void {
  flushScheduled = false;
  lastFlushAt = performance.now();
  for (const socket of corked) socket.uncork();
  corked.length = 0;
  lastFlushMs = performance.now() - lastFlushAt;
}

function scheduleFlush(): void {
  flushScheduled = true;
  const gap = adaptiveGap ? Math.max(flushGapMs, lastFlushMs) : flushGapMs;
  const wait = lastFlushAt + gap - performance.now();
  if (wait <= 0) setImmediate(flush);
  else setTimeout(flush, wait);
}

function write(socket: Duplex, frame: Buffer): void {
  if (corking && !socket.writableCorked) {
    socket.cork();
    corked.push(socket);
    if (!flushScheduled) scheduleFlush();
  }
  socket.write(frame);
}

function broadcast(json: string): void {
  const frame = textFrame(Buffer.from(json));
  for (const member of members) write(member.socket, frame);
}

function join(ws: WebSocket, socket: Duplex, request: IncomingMessage): void {
  const query = new URL(request.url ?? '/', 'ws://yardstick').searchParams;
  const userId = nextUserId++;
  const gender = Number(query.get('gender')) || 0;
  const identity = { userId, userName: query.get('userName') || 'Инкогнито', gender, userColor: query.get('userColor') || '#34495e' };
  const identityJson = JSON.stringify(identity);
  const fields = identityJson.slice(1, -1); // to splice into each message about this user
  const member: Member = { socket, identityJson };
  members.add(member);
  const users = [...members].map((m) => m.identityJson).join(',');
  write(socket, textFrame(Buffer.from(`{"action":"Authorized",${fields},"users":[${users}]}`)));
  broadcast(`{"action":"Connected",${fields}}`);

  ws.on('message', (data: Buffer, isBinary: boolean) => {
    if (isBinary) return;
    let message: unknown;
    try {
      message = JSON.parse(data.toString());
    } catch {
      return;
    }
    if (typeof message !== 'object' || message === null) return;
    const { text, action } = message as { text?: unknown; action?: unknown };
    if (action === 'Pong' || typeof text !== 'string') return;
    broadcast(`{"action":"PublicMessage",${fields},"text":${JSON.stringify(escapeHtml(text.trim()))}}`);
  });
  ws.on('close', () => {
    members.delete(member);
    broadcast(`{"action":"Disconnected",${fields}}`);
  });
  ws.on('error', () => undefined);
}

const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false, maxPayload: 64 * 1024 });
const http = createServer((_request, response) => response.writeHead(426).end());
http.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
  wss.handleUpgrade(request, socket, head, (ws) => join(ws, socket, request));
});

const host = argument('host', '127.0.0.1');
http.listen(Number(argument('port', '0')), host, () => {
  const address = http.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  process.stdout.write(`SimpleChat server listening on ws://${host}:${port}\n`);
});

const stop = () => {
  for (const member of members) member.socket.destroy();
  http.close(() => process.exit(0));
  setTimeout(() => process.exit(0), 2_000).unref();
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
