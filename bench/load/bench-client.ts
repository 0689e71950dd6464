/**
 * One load-generator client: a real `ws` WebSocket that logs in with a query string,
 * answers the server's JSON `Ping`, and hands each frame to its scenario without
 * parsing JSON on the hot path (a byte search finds what the scenario needs).
 */
import WebSocket from 'ws';

/** Every bench chat text starts with this, then `sender seq sentAtMicros`. */
export const MARKER = 'bm ';
const MARKER_BYTES = Buffer.from(MARKER);
const PING = Buffer.from('"Ping"');
const CONNECTED = Buffer.from('"Connected"');
const AUTHORIZED = Buffer.from('"Authorized"');
const ERROR = Buffer.from('"Error"');
const HISTORY = Buffer.from('"History"');
/** Bench chat frames are far smaller; anything bigger may be a list that quotes chat lines. */
const LARGE_FRAME = 512;
const PONG = '{"action":"Pong"}';

export interface ClientEvents {
  /** A bench chat line: who sent it, its sequence number, when it was sent (µs). */
  chat(client: BenchClient, sender: number, seq: number, sentAtUs: number): void;
  authorized(client: BenchClient): void;
  connected(client: BenchClient): void;
  serverError(client: BenchClient, frame: Buffer): void;
  closed(client: BenchClient, code: number, wasOpen: boolean): void;
}

export function benchText(sender: number, seq: number, sentAtUs: number): string {
  return `${MARKER}${sender} ${seq} ${sentAtUs}`;
}

/** Reads the ASCII integer at `at`; returns it and where it ended (NaN if there is none). */
function readInt(frame: Buffer, at: number): [number, number] {
  let value = 0;
  let i = at;
  for (; i < frame.length; i += 1) {
    const c = frame[i]!;
    if (c < 48 || c > 57) break;
    value = value * 10 + (c - 48);
  }
  return [i === at ? Number.NaN : value, i];
}

export class BenchClient {
  readonly socket: WebSocket;
  open = false;
  authorized = false;

  constructor(
    readonly index: number,
    url: string,
    private readonly events: ClientEvents,
  ) {
    const query = `userName=u${index}&userColor=%2316a085&gender=${index % 3}`;
    this.socket = new WebSocket(`${url}/?${query}`, {
      perMessageDeflate: false,
      // The generator is the bottleneck at full speed; the server's UTF-8 is trusted here.
      skipUTF8Validation: true,
      handshakeTimeout: 30_000,
    });
    this.socket.binaryType = 'nodebuffer';
    this.socket.on('open', () => {
      this.open = true;
    });
    this.socket.on('message', (data: Buffer) => this.onFrame(data));
    this.socket.on('close', (code: number) => {
      const wasOpen = this.open;
      this.open = false;
      this.events.closed(this, code, wasOpen);
    });
    // A failed handshake also closes (code 1006); the close handler reports it.
    this.socket.on('error', () => undefined);
  }

  send(text: string): void {
    this.socket.send(`{"text":"${text}","toUserId":0}`);
  }

  private onFrame(frame: Buffer): void {
    const at = frame.indexOf(MARKER_BYTES);
    if (at >= 0 && (frame.length < LARGE_FRAME || frame.indexOf(HISTORY) < 0)) {
      const [sender, afterSender] = readInt(frame, at + MARKER_BYTES.length);
      const [seq, afterSeq] = readInt(frame, afterSender + 1);
      const [sentAtUs] = readInt(frame, afterSeq + 1);
      this.events.chat(this, sender, seq, sentAtUs);
      return;
    }
    if (frame.indexOf(CONNECTED) >= 0) {
      this.events.connected(this);
    } else if (frame.indexOf(AUTHORIZED) >= 0) {
      this.authorized = true;
      this.events.authorized(this);
    } else if (frame.length < 64 && frame.indexOf(PING) >= 0) {
      this.socket.send(PONG);
    } else if (frame.indexOf(ERROR) >= 0) {
      this.events.serverError(this, frame);
    }
  }
}

/** Microseconds on the generator's monotonic clock (senders and receivers share it). */
export function nowUs(): number {
  return Math.round(performance.now() * 1000);
}
