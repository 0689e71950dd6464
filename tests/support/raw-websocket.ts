import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import type { Socket } from 'node:net';
import { resolve } from 'node:path';
import { withTimeout, DEFAULT_WAIT_MS } from './chat-client';

/*
 * A WebSocket client on a bare TCP socket, for what `ws` will not do: send the original
 * Qt client's handshake byte for byte, send malformed frames, stop reading.
 */

/** The original Qt client's handshake, byte for byte (../shared/reference/qt-client-handshake.http). */
export const QT_CLIENT_HANDSHAKE = Buffer.from(
  'GET ?userName=%D0%98%D0%BD%D0%BA%D0%BE%D0%B3%D0%BD%D0%B8%D1%82%D0%BE&userColor=%2334495e&gender=0 HTTP/1.1\r\n' +
    'Host: 127.0.0.1:27800\r\n' +
    'Upgrade: websocket\r\n' +
    'Connection: Upgrade\r\n' +
    'Sec-WebSocket-Key: SB2htIFT0+GOqcQZNnAOdQ==\r\n' +
    'Origin: SimpleChatClient\r\n' +
    'Sec-WebSocket-Version: 13\r\n' +
    '\r\n',
  'latin1',
);

export const QT_HANDSHAKE_REFERENCE = resolve(__dirname, '../../../shared/reference/qt-client-handshake.http');

/** The reference file when the shared folder is present (the source of truth), else the embedded copy. */
export function qtClientHandshake(): Buffer {
  return existsSync(QT_HANDSHAKE_REFERENCE) ? readFileSync(QT_HANDSHAKE_REFERENCE) : QT_CLIENT_HANDSHAKE;
}

/** A handshake like the Qt client's, with another query (what follows `GET `, before ` HTTP/1.1`). */
export function handshakeWithTarget(target: string, extraHeaders: string[] = []): Buffer {
  return Buffer.from(
    [
      `GET ${target} HTTP/1.1`,
      'Host: 127.0.0.1',
      'Upgrade: websocket',
      'Connection: Upgrade',
      `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}`,
      'Sec-WebSocket-Version: 13',
      ...extraHeaders,
      '',
      '',
    ].join('\r\n'),
    'utf8',
  );
}

export const Opcode = { continuation: 0, text: 1, binary: 2, close: 8, ping: 9, pong: 10 } as const;

export interface Frame {
  fin: boolean;
  opcode: number;
  payload: Buffer;
}

export interface FrameOptions {
  fin?: boolean;
  /** Reserved bits to set (0–7), to send what the protocol forbids. */
  rsv?: number;
  /** Clients must mask; false sends an unmasked frame (a protocol error). */
  mask?: boolean;
}

/** Encodes a client → server frame (masked unless told otherwise). */
export function encodeFrame(opcode: number, payload: Buffer, options: FrameOptions = {}): Buffer {
  const { fin = true, rsv = 0, mask = true } = options;
  const length = payload.length;
  const lengthBytes = length < 126 ? 0 : length < 0x10000 ? 2 : 8;
  const header = Buffer.alloc(2 + lengthBytes + (mask ? 4 : 0));
  header[0] = (fin ? 0x80 : 0) | ((rsv & 7) << 4) | (opcode & 0x0f);
  const maskBit = mask ? 0x80 : 0;
  if (lengthBytes === 0) header[1] = maskBit | length;
  else if (lengthBytes === 2) {
    header[1] = maskBit | 126;
    header.writeUInt16BE(length, 2);
  } else {
    header[1] = maskBit | 127;
    header.writeBigUInt64BE(BigInt(length), 2);
  }
  if (!mask) return Buffer.concat([header, payload]);
  const key = randomBytes(4);
  key.copy(header, 2 + lengthBytes);
  const masked = Buffer.allocUnsafe(length);
  for (let i = 0; i < length; i++) masked[i] = payload[i]! ^ key[i & 3]!;
  return Buffer.concat([header, masked]);
}

/**
 * A raw WebSocket client: performs a handshake from exact bytes, then reads the
 * server's frames (unmasked) and writes whatever frames a test makes.
 */
export class RawWebSocket {
  /** The HTTP response head (status line and headers). */
  responseHead = '';
  readonly frames: Frame[] = [];
  readonly ended: Promise<void>;
  private buffer: Buffer = Buffer.alloc(0);
  private headDone = false;
  private waiters: Array<() => void> = [];
  private isEnded = false;

  private constructor(readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    this.ended = new Promise((resolve) => {
      socket.on('close', () => {
        this.isEnded = true;
        resolve();
        this.wake();
      });
    });
    socket.on('error', () => {});
  }

  /** Connects and writes `handshake` as is. */
  static async open(port: number, handshake: Buffer, host = '127.0.0.1'): Promise<RawWebSocket> {
    const socket = connect(port, host);
    await withTimeout(
      new Promise<void>((resolve, reject) => {
        socket.once('connect', resolve);
        socket.once('error', reject);
      }),
      DEFAULT_WAIT_MS,
      'a TCP connection',
    );
    const client = new RawWebSocket(socket);
    socket.write(handshake);
    return client;
  }

  get status(): number {
    const match = /^HTTP\/1\.1 (\d{3})/.exec(this.responseHead);
    return match ? Number(match[1]) : 0;
  }

  /** Resolves once the response head has arrived. */
  async waitForResponse(timeoutMs = DEFAULT_WAIT_MS): Promise<string> {
    await this.until(() => this.headDone, timeoutMs, 'the HTTP response');
    return this.responseHead;
  }

  /** Text frames parsed as JSON objects (others skipped). */
  get messages(): Array<Record<string, unknown>> {
    const out: Array<Record<string, unknown>> = [];
    for (const frame of this.frames) {
      if (frame.opcode !== Opcode.text) continue;
      try {
        out.push(JSON.parse(frame.payload.toString('utf8')) as Record<string, unknown>);
      } catch {
        // Not JSON: the raw frame is still in `frames`.
      }
    }
    return out;
  }

  async waitForMessage(
    predicate: (m: Record<string, unknown>) => boolean,
    timeoutMs = DEFAULT_WAIT_MS,
    what = 'a matching message',
  ): Promise<Record<string, unknown>> {
    let found: Record<string, unknown> | undefined;
    await this.until(() => (found = this.messages.find(predicate)) !== undefined, timeoutMs, what);
    return found!;
  }

  /** The close frame's code and reason, once one has arrived. */
  async waitForCloseFrame(timeoutMs = DEFAULT_WAIT_MS): Promise<{ code: number; reason: string }> {
    let frame: Frame | undefined;
    await this.until(() => (frame = this.frames.find((f) => f.opcode === Opcode.close)) !== undefined, timeoutMs, 'a close frame');
    const payload = frame!.payload;
    return payload.length >= 2
      ? { code: payload.readUInt16BE(0), reason: payload.subarray(2).toString('utf8') }
      : { code: 1005, reason: '' };
  }

  waitForEnd(timeoutMs = DEFAULT_WAIT_MS): Promise<void> {
    return withTimeout(this.ended, timeoutMs, 'the socket to close');
  }

  sendFrame(opcode: number, payload: Buffer | string, options?: FrameOptions): void {
    this.socket.write(encodeFrame(opcode, typeof payload === 'string' ? Buffer.from(payload, 'utf8') : payload, options));
  }

  sendText(text: string): void {
    this.sendFrame(Opcode.text, text);
  }

  /** Stops reading: the kernel buffers fill and the server's writes back up. */
  stopReading(): void {
    this.socket.pause();
  }

  destroy(): void {
    this.socket.destroy();
  }

  private async until(done: () => boolean, timeoutMs: number, what: string): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!done()) {
      if (this.isEnded) throw new Error(`socket closed while waiting for ${what}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
      await withTimeout(new Promise<void>((resolve) => this.waiters.push(resolve)), left, what);
    }
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }

  private onData(chunk: Buffer): void {
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    if (!this.headDone) {
      const end = this.buffer.indexOf('\r\n\r\n');
      if (end === -1) return;
      this.responseHead = this.buffer.subarray(0, end).toString('latin1');
      this.buffer = this.buffer.subarray(end + 4);
      this.headDone = true;
      if (this.status !== 101) {
        this.wake();
        return;
      }
    }
    for (;;) {
      const frame = this.readFrame();
      if (frame === null) break;
      this.frames.push(frame);
    }
    this.wake();
  }

  private readFrame(): Frame | null {
    const b = this.buffer;
    if (b.length < 2) return null;
    let length = b[1]! & 0x7f;
    let offset = 2;
    if (length === 126) {
      if (b.length < 4) return null;
      length = b.readUInt16BE(2);
      offset = 4;
    } else if (length === 127) {
      if (b.length < 10) return null;
      length = Number(b.readBigUInt64BE(2));
      offset = 10;
    }
    if ((b[1]! & 0x80) !== 0) throw new Error('the server sent a masked frame');
    if (b.length < offset + length) return null;
    const frame = { fin: (b[0]! & 0x80) !== 0, opcode: b[0]! & 0x0f, payload: Buffer.from(b.subarray(offset, offset + length)) };
    this.buffer = b.subarray(offset + length);
    return frame;
  }
}
