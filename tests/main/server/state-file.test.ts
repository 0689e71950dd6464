import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import type { HistoryMessage, ServerMessage } from '../../../src-shared/protocol';
import {
  StateJournal,
  ackedLine,
  endLine,
  loadStateFile,
  messageLine,
  parseStateText,
  sessionLine,
  snapshotText,
} from '../../../src-main/server/state-file';
import type { SavedSession, SavedState } from '../../../src-main/server/state-file';
import { startTestServer } from './helpers';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'simplechat-state-'));
  dirs.push(dir);
  return dir;
}

const publicPayload = (userId: number, userName: string, text: string): string =>
  JSON.stringify({ action: 'PublicMessage', userId, userName, gender: 1, userColor: '#16a085', text });

/** What the file should say after some records, kept by hand (not by the parser under test). */
interface Model {
  nextUserId: number;
  sessions: Map<string, SavedSession>;
  messages: Array<{ seq: number; payload: string }>;
}
type Op = { line: string; apply: (m: Model) => void };

function sessionOp(s: SavedSession): Op {
  return {
    line: sessionLine(s),
    apply: (m) => {
      m.sessions.delete(s.token);
      m.sessions.set(s.token, { ...s });
      m.nextUserId = Math.max(m.nextUserId, s.userId + 1);
    },
  };
}
const messageOp = (seq: number, payload: string): Op => ({ line: messageLine(seq, payload), apply: (m) => void m.messages.push({ seq, payload }) });
const endOp = (token: string): Op => ({ line: endLine(token), apply: (m) => void m.sessions.delete(token) });
const ackedOp = (userId: number, token: string, seq: number): Op => ({
  line: ackedLine([[userId, seq]]),
  apply: (m) => {
    const s = m.sessions.get(token);
    if (s) s.ackedSeq = seq;
  },
});

function asState(m: Model): SavedState {
  return { nextUserId: m.nextUserId, sessions: [...m.sessions.values()], messages: m.messages };
}

/** A snapshot, then a journal of a little chat: names and texts in several scripts (multi-byte cuts). */
function sampleFile(): { bytes: Buffer; ops: Array<Op & { end: number }>; headerEnd: number } {
  const base: SavedState = {
    nextUserId: 3,
    sessions: [{ token: 'tok-anna', userId: 1, userName: 'Аня', gender: 2, userColor: '#16a085', ackedSeq: 1 }],
    messages: [{ seq: 1, payload: publicPayload(1, 'Аня', 'привет {всем}') }],
  };
  const snapshot = snapshotText(base);
  const ops: Op[] = [
    sessionOp({ token: 'tok-bob', userId: 3, userName: 'Bob (2)', gender: 1, userColor: '#abc', ackedSeq: 1 }),
    messageOp(2, publicPayload(3, 'Bob (2)', 'hi 👋 &amp; bye')),
    ackedOp(1, 'tok-anna', 2),
    messageOp(3, publicPayload(1, 'Аня', 'ещё')),
    endOp('tok-bob'),
    sessionOp({ token: 'tok-chen', userId: 4, userName: '陈', gender: 0, userColor: '#34495e', ackedSeq: 3 }),
    messageOp(4, publicPayload(4, '陈', '你好')),
  ];
  // The snapshot's own records, as ops on an empty model, so every cut point has an expectation.
  const snapshotOps: Array<Op & { end: number }> = [];
  let offset = 0;
  const lines = snapshot.split('\n').slice(0, -1).map((l) => `${l}\n`);
  const headerEnd = Buffer.byteLength(lines[0]!) - 1;
  offset = Buffer.byteLength(lines[0]!) + Buffer.byteLength(lines[1]!);
  // Line 2 (next id) and the base records: applied in order.
  snapshotOps.push({ line: lines[1]!, apply: (m) => void (m.nextUserId = Math.max(m.nextUserId, 3)), end: offset - 1 });
  snapshotOps.push({ ...sessionOp(base.sessions[0]!), end: (offset += Buffer.byteLength(lines[2]!)) - 1 });
  snapshotOps.push({ ...messageOp(1, base.messages[0]!.payload), end: (offset += Buffer.byteLength(lines[3]!)) - 1 });
  const journalOps = ops.map((op) => ({ ...op, end: (offset += Buffer.byteLength(op.line)) - 1 }));
  return { bytes: Buffer.from(snapshot + ops.map((o) => o.line).join(''), 'utf8'), ops: [...snapshotOps, ...journalOps], headerEnd };
}

describe('the state file', () => {
  it('cut anywhere (a crash in the middle of a write), loading never throws and keeps every complete record', () => {
    const { bytes, ops, headerEnd } = sampleFile();
    let kept = 0;
    for (let cut = 0; cut <= bytes.length; cut++) {
      const text = bytes.subarray(0, cut).toString('utf8');
      const parsed = parseStateText(text);
      if (cut === 0) {
        expect(parsed?.state).toEqual({ nextUserId: 1, sessions: [], messages: [] });
        continue;
      }
      if (cut < headerEnd) {
        // Not even the header: nothing to keep, and the file is not taken as ours.
        expect(parsed).toBeNull();
        continue;
      }
      const model: Model = { nextUserId: 1, sessions: new Map(), messages: [] };
      // A record is complete once its last character is there; its newline may be missing.
      for (const op of ops) if (op.end <= cut) op.apply(model);
      expect(parsed, `cut at ${cut}`).not.toBeNull();
      expect(parsed!.state, `cut at ${cut}`).toEqual(asState(model));
      expect(parsed!.damagedLines.length, `cut at ${cut}`).toBeLessThanOrEqual(1);
      kept = Math.max(kept, parsed!.state.messages.length);
    }
    expect(kept).toBe(4);
  });

  it('never throws on random damage, and keeps the records it does not touch', () => {
    const { bytes } = sampleFile();
    const whole = parseStateText(bytes.toString('utf8'))!;
    fc.assert(
      fc.property(fc.nat(bytes.length - 1), fc.uint8Array({ minLength: 1, maxLength: 8 }), (at, junk) => {
        const damaged = Buffer.concat([bytes.subarray(0, at), Buffer.from(junk), bytes.subarray(at)]);
        const parsed = parseStateText(damaged.toString('utf8'));
        if (parsed === null) return;
        // At most the damaged line (and the one it may have merged with) is lost.
        expect(parsed.state.messages.length).toBeGreaterThanOrEqual(whole.state.messages.length - 2);
      }),
      { numRuns: 300 },
    );
  });

  it('a damaged record in the middle is skipped; the ones after it still count', () => {
    const text = snapshotText({ nextUserId: 1, sessions: [], messages: [] }) +
      messageLine(1, publicPayload(1, 'a', 'one')) + '{"t":"msg","seq":2,"m":{"action":"Publ\n' + messageLine(3, publicPayload(1, 'a', 'three'));
    const parsed = parseStateText(text)!;
    expect(parsed.state.messages.map((m) => m.seq)).toEqual([1, 3]);
    expect(parsed.damagedLines).toEqual([4]);
  });

  it('a later record of a seq already kept replaces that line (an edit, a tombstone); one of a seq not kept is dropped', () => {
    const tombstone = JSON.stringify({ ...JSON.parse(publicPayload(1, 'a', '')), messageId: 1, deleted: true });
    const text = snapshotText({ nextUserId: 1, sessions: [], messages: [] }) +
      messageLine(1, publicPayload(1, 'a', 'one')) + messageLine(3, publicPayload(1, 'a', 'three')) +
      messageLine(3, publicPayload(1, 'a', 'three, edited')) + messageLine(1, tombstone) + messageLine(2, publicPayload(1, 'a', 'never kept'));
    const { state, damagedLines } = parseStateText(text)!;
    expect(state.messages).toEqual([{ seq: 1, payload: tombstone }, { seq: 3, payload: publicPayload(1, 'a', 'three, edited') }]);
    expect(damagedLines).toEqual([]);
  });

  it('keeps the last 200 messages and never gives an id twice, even for sessions that ended', () => {
    let text = snapshotText({ nextUserId: 1, sessions: [], messages: [] });
    text += sessionLine({ token: 't', userId: 41, userName: 'x', gender: 0, userColor: '#fff', ackedSeq: 0 }) + endLine('t');
    for (let seq = 1; seq <= 250; seq++) text += messageLine(seq, publicPayload(41, 'x', `m${seq}`));
    const { state } = parseStateText(text)!;
    expect(state.nextUserId).toBe(42);
    expect(state.sessions).toEqual([]);
    expect(state.messages).toHaveLength(200);
    expect(state.messages[0]!.seq).toBe(51);
  });

  it('a file that is not ours is moved aside and the room starts empty; a missing one is an empty room', () => {
    const dir = tempDir();
    const path = join(dir, 'state.jsonl');
    const logs: string[] = [];
    expect(loadStateFile(path, (l) => logs.push(l))).toEqual({ nextUserId: 1, sessions: [], messages: [] });
    writeFileSync(path, '\u0000\u0001 not a state file');
    expect(loadStateFile(path, (l) => logs.push(l))).toEqual({ nextUserId: 1, sessions: [], messages: [] });
    expect(existsSync(path)).toBe(false);
    const aside = readdirSync(dir).filter((f) => f.startsWith('state.jsonl.corrupt-'));
    expect(aside).toHaveLength(1);
    expect(readFileSync(join(dir, aside[0]!), 'utf8')).toBe('\u0000\u0001 not a state file');
    expect(logs.some((l) => l.includes('kept it as') && l.includes('.corrupt-'))).toBe(true);
  });

  it('the journal is one write per flush, and is compacted (atomically) past its bound', () => {
    const dir = tempDir();
    const path = join(dir, 'state.jsonl');
    const state: SavedState = { nextUserId: 2, sessions: [], messages: [] };
    const journal = new StateJournal(path, () => ({ ...state, messages: state.messages.slice(-200) }), () => {}, 4096);
    try {
      for (let seq = 1; seq <= 400; seq++) {
        const payload = publicPayload(1, 'a', `message ${seq} ${'x'.repeat(40)}`);
        state.messages.push({ seq, payload });
        journal.append(messageLine(seq, payload));
        journal.flush();
        // Past the bound (twice the last snapshot, at least 4 KiB) the file is rewritten from memory.
        const snapshotBytes = Buffer.byteLength(snapshotText({ ...state, messages: state.messages.slice(-200) }));
        expect(statSync(path).size).toBeLessThanOrEqual(3 * snapshotBytes + 4096);
      }
      const { state: loaded, damagedLines } = parseStateText(readFileSync(path, 'utf8'))!;
      expect(damagedLines).toEqual([]);
      expect(loaded.messages.map((m) => m.seq)).toEqual(state.messages.slice(-200).map((m) => m.seq));
      expect(existsSync(`${path}.tmp`)).toBe(false);
    } finally {
      journal.close();
    }
  });
});

describe('a server with a state file', () => {
  const isHistory = (m: ServerMessage): m is HistoryMessage => m.action === 'History';

  it('restarted, gives each session its name and id back with what it missed, and new ids after the old ones', async () => {
    const path = join(tempDir(), 'state.jsonl');
    const first = await startTestServer({ stateFile: path, pingIntervalMs: 30 });
    const anna = await first.join('Аня');
    const bob = await first.join('Bob');
    const token = anna.authorized.sessionToken!;
    anna.say('seen by Anna');
    await anna.waitFor((m) => m.action === 'PublicMessage' && m.text === 'seen by Anna');
    // Anna answers a few pings after it: the server knows (and has written) that she has it.
    const pings = anna.all('Ping').length;
    await anna.waitFor(() => anna.all('Ping').length >= pings + 3, 2000, 'three pings');
    anna.answerPings = false;
    anna.ws.pause();
    bob.say('missed by Anna');
    await bob.waitFor((m) => m.action === 'PublicMessage' && m.text === 'missed by Anna');
    await first.server.close();

    const second = await startTestServer({ stateFile: path });
    expect(second.logs.some((l) => /2 session\(s\), 2 message\(s\), next user id 3/.test(l))).toBe(true);
    const again = await second.join({ userName: 'ignored', sessionToken: token });
    expect(again.authorized).toMatchObject({ userId: anna.userId, userName: 'Аня', sessionToken: token });
    const history = await again.waitFor(isHistory);
    expect(history.messages.map((m) => m.text)).toEqual(['missed by Anna']);
    const newcomer = await second.join('Bob');
    // Bob's session waits for him: the name is his, and the id is new.
    expect(newcomer.userName).toBe('Bob (2)');
    expect(newcomer.userId).toBe(3);
  });

  it('a clean leave is not brought back by a restart', async () => {
    const path = join(tempDir(), 'state.jsonl');
    const first = await startTestServer({ stateFile: path });
    const anna = await first.join('Аня');
    await anna.close();
    await first.server.close();
    const second = await startTestServer({ stateFile: path });
    const back = await second.join({ userName: 'Аня', sessionToken: anna.authorized.sessionToken! });
    expect(back.userName).toBe('Аня');
    expect(back.userId).not.toBe(anna.userId);
  });

  it('cannot start when the state file cannot be written, and says why', async () => {
    const dir = tempDir();
    const error = await startTestServer({ stateFile: join(dir, 'no-such-folder', 'state.jsonl') }).then(
      () => null,
      (e: unknown) => e as Error,
    );
    expect(error?.message).toMatch(/Cannot write the state file .*no-such-folder/);
  });
});
