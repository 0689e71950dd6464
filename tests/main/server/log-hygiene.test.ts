import { afterEach, describe, expect, it, vi } from 'vitest';
import { MAX_LOGGED_PEER_TEXT, RefusalLog, peerText } from '../../../src-main/server/log-hygiene';
import { handshakeWithTarget, RawWebSocket } from '../../support/raw-websocket';
import { startTestServer } from './helpers';

describe('peerText', () => {
  it('cuts long text, says how long it was, and keeps it on one printable line', () => {
    const logged = peerText('x'.repeat(16_384));
    expect(logged).toBe(JSON.stringify(`${'x'.repeat(MAX_LOGGED_PEER_TEXT)}…(16384 chars)`));
  });

  it('replaces control and bidirectional characters, so a peer cannot forge a line or reorder one', () => {
    const logged = peerText('evil\n2026-12-04 join #1 "Admin"\r\u001b[2J\u202egpj.exe\u2066');
    expect(logged).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/);
    expect(logged).toBe(JSON.stringify('evil?2026-12-04 join #1 "Admin"??[2J?gpj.exe?'));
  });

  it('counts characters, not UTF-16 units, and says when there was nothing', () => {
    expect(peerText('😀'.repeat(3), 2)).toBe(JSON.stringify('😀😀…(3 chars)'));
    expect(peerText(undefined)).toBe('(none)');
  });
});

describe('RefusalLog', () => {
  afterEach(() => vi.useRealTimers());

  it('logs the first refusal of an address and reason, then one summary for the rest of the window', () => {
    vi.useFakeTimers();
    const lines: string[] = [];
    const log = new RefusalLog((line) => lines.push(line), 2_000);
    for (let i = 0; i < 1_234; i++) log.refused('10.0.0.5', 'origin not allowed', ' (origin "x")');
    log.refused('10.0.0.5', 'Wrong room key');
    log.refused('10.0.0.6', 'origin not allowed');
    expect(lines).toEqual([
      'error 10.0.0.5: refused: origin not allowed (origin "x")',
      'error 10.0.0.5: refused: Wrong room key',
      'error 10.0.0.6: refused: origin not allowed',
    ]);
    vi.advanceTimersByTime(1_999);
    expect(lines).toHaveLength(3);
    vi.advanceTimersByTime(1);
    expect(lines.slice(3)).toEqual(['error 10.0.0.5: refused 1233 more connection(s) in the last 2 s: origin not allowed']);
    // A new window logs the first one in full again.
    log.refused('10.0.0.5', 'origin not allowed');
    expect(lines.at(-1)).toBe('error 10.0.0.5: refused: origin not allowed');
    log.flush();
  });

  it('tracks a bounded number of addresses; the rest are summarised together', () => {
    const lines: string[] = [];
    const log = new RefusalLog((line) => lines.push(line), 60_000, 3);
    for (let i = 0; i < 100; i++) log.refused(`10.0.0.${i}`, 'bad HTTP request (HPE_INVALID_METHOD)');
    expect(lines).toHaveLength(3);
    log.flush();
    expect(lines.at(-1)).toBe('error: refused 97 connection(s) from other addresses in the last 60 s: bad HTTP request (HPE_INVALID_METHOD)');
  });
});

describe('the log under a flood of refusals (issue 18, hole 6)', () => {
  it('200 refused connections with a 15 KB Origin cost two short lines, not 3 MB', async () => {
    const t = await startTestServer();
    const origin = `http://evil.example/${'A'.repeat(15 * 1024)}\n2026-12-04 join #1 "Admin"`;
    for (let batch = 0; batch < 10; batch++) {
      await Promise.all(
        Array.from({ length: 20 }, async () => {
          const socket = await RawWebSocket.open(t.port, handshakeWithTarget('/?userName=x', [`Origin: ${origin.replace('\n', ' ')}`]));
          expect(await socket.waitForResponse()).toMatch(/^HTTP\/1\.1 403/);
          socket.destroy();
        }),
      );
    }
    const during = [...t.logs];
    await t.server.close();
    const summary = t.logs.slice(during.length);
    expect(during).toHaveLength(1);
    expect(during[0]).toMatch(/^error 127\.0\.0\.1: refused: origin not allowed \(origin "http:\/\/evil\.example\/A+…\(\d+ chars\)"\)$/);
    expect(summary).toEqual(['error 127.0.0.1: refused 199 more connection(s) in the last 10 s: origin not allowed']);
    for (const line of t.logs) expect(line.length).toBeLessThan(300);
  });
});
