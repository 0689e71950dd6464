/**
 * One load-generator client: a WebSocket (RFC 6455) on a plain TCP socket that logs in
 * with a query string, answers the server's JSON `Ping`, and hands each frame to its
 * scenario without parsing JSON or copying it (a byte scan finds what the scenario needs).
 *
 * It speaks the protocol itself rather than through `ws`: at a million frames a second the
 * generator's one core is the bench's limit, and `ws`'s receiver (a Buffer and an event per
 * frame, checks a server's frames do not need) took two fifths of it. The wire is the same:
 * a real upgrade with Sec-WebSocket-Key checked against the Accept, masked frames out,
 * unmasked frames in, close and ping answered. The servers under test still use `ws`.
 */
import { createHash, randomBytes, randomFillSync } from 'node:crypto';
import { connect, type Socket } from 'node:net';

/** Every bench chat text starts with this, then `sender seq sentAtMicros`. */
export const MARKER = 'bm ';
const MARKER_BYTES = Buffer.from(MARKER);
const PING = Buffer.from('"Ping"');
const CONNECTED = Buffer.from('"Connected"');
const AUTHORIZED = Buffer.from('"Authorized"');
const ERROR = Buffer.from('"Error"');
const HISTORY = Buffer.from('"History"');
const ROOM_JOINED = Buffer.from('"RoomJoined"');
/** Bench chat frames are far smaller; anything bigger may be a list that quotes chat lines. */
const LARGE_FRAME = 512;
const PONG = '{"action":"Pong"}';
const WEBSOCKET_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';
/** A handshake response longer than this is not one. */
const MAX_RESPONSE_HEAD = 8 * 1024;
/** No bench frame comes near this; a bigger length is a broken stream. */
const MAX_FRAME = 16 * 1024 * 1024;
const HANDSHAKE_TIMEOUT_MS = 30_000;

const OPCODE_CONTINUATION = 0x0;
const OPCODE_TEXT = 0x1;
const OPCODE_BINARY = 0x2;
const OPCODE_CLOSE = 0x8;
const OPCODE_PING = 0x9;
/** No close frame came (RFC 6455 §7.1.5). */
const CLOSE_ABNORMAL = 1006;
const CLOSE_PROTOCOL_ERROR = 1002;

export interface ClientEvents {
  /** A bench chat line: who sent it, its sequence number, when it was sent (µs). */
  chat(client: BenchClient, sender: number, seq: number, sentAtUs: number): void;
  authorized(client: BenchClient): void;
  connected(client: BenchClient): void;
  /** The answer to `joinRoom`. */
  roomJoined?(client: BenchClient): void;
  serverError(client: BenchClient, frame: Buffer): void;
  closed(client: BenchClient, code: number, wasOpen: boolean): void;
}

export function benchText(sender: number, seq: number, sentAtUs: number): string {
  return `${MARKER}${sender} ${seq} ${sentAtUs}`;
}

/** Reads the ASCII integer at `at`; returns it and where it ended (NaN if there is none). */
function readInt(data: Buffer, at: number, end: number): [number, number] {
  let value = 0;
  let i = at;
  for (; i < end; i += 1) {
    const c = data[i]!;
    if (c < 48 || c > 57) break;
    value = value * 10 + (c - 48);
  }
  return [i === at ? Number.NaN : value, i];
}

const QUOTE = 0x22;
const B = 0x62;
const M = 0x6d;
const SPACE = 0x20;
/** How far from a frame's end the text of a chat line starts (`"text":"bm s q t"}` is last). */
const TAIL_SEARCH = 48;

/**
 * Where `"bm ` starts its text in data[start, end), or -1. Chat texts come last in both
 * servers' PublicMessage, so a short scan back from the end finds them; anything else
 * (a list, History) falls back to a full search.
 */
function markerAt(data: Buffer, start: number, end: number): number {
  const stop = Math.max(start + 1, end - TAIL_SEARCH);
  for (let i = end - 3; i >= stop; i -= 1) {
    if (data[i] === B && data[i + 1] === M && data[i + 2] === SPACE && data[i - 1] === QUOTE) return i;
  }
  if (end - start <= TAIL_SEARCH) return -1;
  const at = data.indexOf(MARKER_BYTES, start);
  return at >= 0 && at + MARKER_BYTES.length <= end ? at : -1;
}

/** Whether `needle` occurs in data[start, end). */
function contains(data: Buffer, needle: Buffer, start: number, end: number): boolean {
  const at = data.indexOf(needle, start);
  return at >= 0 && at + needle.length <= end;
}

/** Random masking keys, drawn in bulk: one system call per 1024 frames, not per frame. */
const maskPool = Buffer.alloc(4096);
let maskAt = maskPool.length;

/** A client frame: final, masked (RFC 6455 §5.3), with `opcode` and `payload`. */
function clientFrame(opcode: number, payload: Buffer): Buffer {
  const length = payload.length;
  const header = length < 126 ? 2 : length < 0x10000 ? 4 : 10;
  const frame = Buffer.allocUnsafe(header + 4 + length);
  frame[0] = 0x80 | opcode;
  if (length < 126) {
    frame[1] = 0x80 | length;
  } else if (length < 0x10000) {
    frame[1] = 0x80 | 126;
    frame.writeUInt16BE(length, 2);
  } else {
    frame[1] = 0x80 | 127;
    frame.writeUInt32BE(0, 2);
    frame.writeUInt32BE(length, 6);
  }
  if (maskAt === maskPool.length) {
    randomFillSync(maskPool);
    maskAt = 0;
  }
  maskPool.copy(frame, header, maskAt, maskAt + 4);
  maskAt += 4;
  const maskStart = header;
  const payloadStart = header + 4;
  for (let i = 0; i < length; i += 1) frame[payloadStart + i] = payload[i]! ^ frame[maskStart + (i & 3)]!;
  return frame;
}

export class BenchClient {
  open = false;
  authorized = false;
  private readonly socket: Socket;
  private readonly key = randomBytes(16).toString('base64');
  private upgraded = false;
  /** Bytes of an incomplete head or frame, waiting for the rest. */
  private rest: Buffer | null = null;
  /** Payloads of a fragmented message so far (servers here never fragment, but may). */
  private fragments: Buffer[] | null = null;
  private ended = false;
  private readonly handshakeTimer: NodeJS.Timeout;

  constructor(
    readonly index: number,
    url: string,
    private readonly events: ClientEvents,
  ) {
    const target = new URL(url);
    const port = Number(target.port) || 80;
    const query = `userName=u${index}&userColor=%2316a085&gender=${index % 3}`;
    this.socket = connect({ host: target.hostname, port });
    this.socket.setNoDelay(true);
    this.socket.on('connect', () => {
      this.socket.write(
        `GET /?${query} HTTP/1.1\r\nHost: ${target.host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
          `Sec-WebSocket-Key: ${this.key}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
      );
    });
    this.socket.on('data', (chunk: Buffer) => this.onData(chunk));
    this.socket.on('close', () => this.end(CLOSE_ABNORMAL));
    // A refused or reset connection also closes; the close handler reports it.
    this.socket.on('error', () => undefined);
    this.handshakeTimer = setTimeout(() => {
      if (!this.upgraded) this.fail(CLOSE_ABNORMAL);
    }, HANDSHAKE_TIMEOUT_MS);
    this.handshakeTimer.unref();
  }

  /** A public line: in the lobby, or in `room` (which the client joined). */
  send(text: string, room?: string): void {
    const where = room === undefined ? '' : `,"room":"${room}"`;
    if (this.open) this.socket.write(clientFrame(OPCODE_TEXT, Buffer.from(`{"text":"${text}","toUserId":0${where}}`)));
  }

  /** `room`: a plain ASCII name (it is not escaped). */
  joinRoom(room: string): void {
    if (this.open) this.socket.write(clientFrame(OPCODE_TEXT, Buffer.from(`{"action":"JoinRoom","room":"${room}"}`)));
  }

  private onData(chunk: Buffer): void {
    let data = this.rest === null ? chunk : Buffer.concat([this.rest, chunk]);
    this.rest = null;
    if (!this.upgraded) {
      const headEnd = data.indexOf('\r\n\r\n');
      if (headEnd < 0) {
        if (data.length > MAX_RESPONSE_HEAD) this.fail(CLOSE_PROTOCOL_ERROR);
        else this.rest = data;
        return;
      }
      if (!this.acceptHandshake(data.toString('latin1', 0, headEnd))) return this.fail(CLOSE_PROTOCOL_ERROR);
      this.upgraded = true;
      this.open = true;
      clearTimeout(this.handshakeTimer);
      data = data.subarray(headEnd + 4);
    }
    this.readFrames(data);
  }

  private acceptHandshake(head: string): boolean {
    const [statusLine = '', ...lines] = head.split('\r\n');
    if (!/^HTTP\/1\.1 101\b/.test(statusLine)) return false;
    const expected = createHash('sha1').update(this.key + WEBSOCKET_GUID).digest('base64');
    return lines.some((line) => /^sec-websocket-accept:/i.test(line) && line.slice(line.indexOf(':') + 1).trim() === expected);
  }

  private readFrames(data: Buffer): void {
    let at = 0;
    const length = data.length;
    while (!this.ended && length - at >= 2) {
      const first = data[at]!;
      const second = data[at + 1]!;
      // A server never masks (§5.1), and nothing here negotiated an extension (RSV bits).
      if (second & 0x80 || first & 0x70) return this.fail(CLOSE_PROTOCOL_ERROR);
      let payloadLength = second & 0x7f;
      let header = 2;
      if (payloadLength === 126) {
        if (length - at < 4) break;
        payloadLength = data.readUInt16BE(at + 2);
        header = 4;
      } else if (payloadLength === 127) {
        if (length - at < 10) break;
        if (data.readUInt32BE(at + 2) !== 0) return this.fail(CLOSE_PROTOCOL_ERROR);
        payloadLength = data.readUInt32BE(at + 6);
        header = 10;
      }
      if (payloadLength > MAX_FRAME) return this.fail(CLOSE_PROTOCOL_ERROR);
      const start = at + header;
      const end = start + payloadLength;
      if (end > length) break;
      this.onFrame(first & 0x80, first & 0x0f, data, start, end);
      at = end;
    }
    if (at < length && !this.ended) this.rest = data.subarray(at);
  }

  private onFrame(fin: number, opcode: number, data: Buffer, start: number, end: number): void {
    if (opcode === OPCODE_TEXT || opcode === OPCODE_BINARY) {
      if (fin) return this.onMessage(data, start, end);
      this.fragments = [Buffer.from(data.subarray(start, end))];
    } else if (opcode === OPCODE_CONTINUATION) {
      if (this.fragments === null) return this.fail(CLOSE_PROTOCOL_ERROR);
      this.fragments.push(Buffer.from(data.subarray(start, end)));
      if (fin) {
        const message = Buffer.concat(this.fragments);
        this.fragments = null;
        this.onMessage(message, 0, message.length);
      }
    } else if (opcode === OPCODE_CLOSE) {
      const code = end - start >= 2 ? data.readUInt16BE(start) : 1005;
      if (!this.socket.destroyed) this.socket.end(clientFrame(OPCODE_CLOSE, Buffer.from(data.subarray(start, Math.min(end, start + 2)))));
      this.end(code);
    } else if (opcode === OPCODE_PING) {
      this.socket.write(clientFrame(0xa, Buffer.from(data.subarray(start, end))));
    }
  }

  private onMessage(data: Buffer, start: number, end: number): void {
    const at = markerAt(data, start, end);
    if (at >= 0 && (end - start < LARGE_FRAME || !contains(data, HISTORY, start, end))) {
      const [sender, afterSender] = readInt(data, at + MARKER_BYTES.length, end);
      const [seq, afterSeq] = readInt(data, afterSender + 1, end);
      const [sentAtUs] = readInt(data, afterSeq + 1, end);
      this.events.chat(this, sender, seq, sentAtUs);
      return;
    }
    if (contains(data, CONNECTED, start, end)) {
      this.events.connected(this);
    } else if (contains(data, ROOM_JOINED, start, end)) {
      this.events.roomJoined?.(this);
    } else if (contains(data, AUTHORIZED, start, end)) {
      this.authorized = true;
      this.events.authorized(this);
    } else if (end - start < 64 && contains(data, PING, start, end)) {
      this.socket.write(clientFrame(OPCODE_TEXT, Buffer.from(PONG)));
    } else if (contains(data, ERROR, start, end)) {
      this.events.serverError(this, Buffer.from(data.subarray(start, end)));
    }
  }

  private fail(code: number): void {
    this.socket.destroy();
    this.end(code);
  }

  /** Reports the close once, whichever way it came. */
  private end(code: number): void {
    if (this.ended) return;
    this.ended = true;
    clearTimeout(this.handshakeTimer);
    const wasOpen = this.open;
    this.open = false;
    this.rest = null;
    this.fragments = null;
    this.events.closed(this, code, wasOpen);
  }
}

/** Microseconds on the generator's monotonic clock (senders and receivers share it). */
export function nowUs(): number {
  return Math.round(performance.now() * 1000);
}

let turnUs = 0;
const endTurn = () => {
  turnUs = 0;
};

/**
 * The clock read once per run of synchronous work (one socket read's frames, all handled
 * in one go), not once per frame: a read of 80 frames costs one clock call, and the time
 * is when the read began to be handled, which is when those frames arrived here.
 */
export function receivedAtUs(): number {
  if (turnUs === 0) {
    turnUs = nowUs();
    queueMicrotask(endTurn);
  }
  return turnUs;
}
