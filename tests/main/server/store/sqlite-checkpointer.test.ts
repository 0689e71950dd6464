import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { LOBBY } from '../../../../src-main/server/store/message-store';
import { SqliteState } from '../../../../src-main/server/store/sqlite-store';
import { withTimeout } from '../../../support/chat-client';

const dirs: string[] = [];
const open: SqliteState[] = [];
afterEach(() => {
  for (const state of open.splice(0)) state.close();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('WAL checkpoints in a worker thread', () => {
  it('fold the log into the database without the server’s connection doing it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'simplechat-ckpt-'));
    dirs.push(dir);
    const path = join(dir, 'chat.db');
    const logs: string[] = [];
    const state = new SqliteState(path, { historyMaxLines: 100_000, historyMaxDays: 365, log: (l) => logs.push(l), pruneIntervalMs: 0 });
    open.push(state);
    const sizeBefore = statSync(path).size;
    // ~1.5 MB in 30 ticks: well below the 1000 pages (4 MB) at which SQLite would checkpoint
    // inside a commit, so only the worker can have moved it into the database file.
    const text = 'x'.repeat(500);
    for (let tick = 0; tick < 30; tick++) {
      for (let i = 0; i < 100; i++) {
        const messageId = state.messages.nextMessageId();
        state.messages.append({ messageId, room: LOBBY, sentAt: Date.now(), authorSession: 's', payload: JSON.stringify({ text, messageId }) });
      }
      state.flush();
    }
    await withTimeout(
      (async () => {
        while (statSync(path).size < sizeBefore + 1024 * 1024) await new Promise((resolve) => setTimeout(resolve, 100));
      })(),
      10_000,
      'the worker to checkpoint the log into the database file',
    );
    expect(logs.filter((line) => line.includes('checkpoints'))).toEqual([]);
  });
});
