import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { FileRecord } from '../../../../src-main/server/files/file-records';
import { SqliteState } from '../../../../src-main/server/store/sqlite-store';
import { tempDir } from './file-helpers';

function openState(path: string): SqliteState {
  return new SqliteState(path, { historyMaxLines: 100_000, historyMaxDays: 365, log: () => {}, pruneIntervalMs: 0 });
}

describe('the files table (--db)', () => {
  it('keeps each record as put, with where it was sent; a removed one is gone after a reopen', () => {
    const path = join(tempDir(), 'chat.db');
    const picture: FileRecord = {
      fileId: 'P'.repeat(22), name: "Robert'); DROP TABLE files;--.png", size: 68, type: 'image/png', width: 1, height: 1,
      sha256: 'a'.repeat(64), owner: 'i:7', uploadedAt: 1_700_000_000_000, scope: null,
    };
    const other: FileRecord = { fileId: 'Q'.repeat(22), name: 'x', size: 1, type: 'application/octet-stream', sha256: 'b'.repeat(64), owner: 's:tok', uploadedAt: 1, scope: null };
    const first = openState(path);
    expect(first.files.saved).toEqual([]);
    first.files.put(picture);
    first.files.put(other);
    first.files.put({ ...picture, scope: '@3:7' });
    first.files.remove(other.fileId);
    first.close();
    const second = openState(path);
    try {
      expect(second.files.saved).toEqual([{ ...picture, scope: '@3:7' }]);
    } finally {
      second.close();
    }
  });
});
