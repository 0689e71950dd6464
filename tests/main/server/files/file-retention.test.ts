import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveServerConfig } from '../../../../src-main/server/config';
import { UNSENT_FILE_TTL_MS } from '../../../../src-main/server/files/file-catalog';
import { MemoryFileRecords } from '../../../../src-main/server/files/file-records';
import type { FileRecord } from '../../../../src-main/server/files/file-records';
import { FileService } from '../../../../src-main/server/files/file-service';
import { tempDir, until } from './file-helpers';

function record(fileId: string, uploadedAt: number, scope: string | null): FileRecord {
  return { fileId, name: 'x', size: 1, type: 'application/octet-stream', sha256: '0'.repeat(64), owner: 's:t', uploadedAt, scope };
}

describe('file retention', () => {
  it('deletes files older than --files-max-days, and files never sent after a day; keeps the rest', async () => {
    const dir = join(tempDir(), 'files');
    const service = new FileService(resolveServerConfig({ filesDir: dir, filesMaxDays: 2 }), new MemoryFileRecords());
    try {
      const now = Date.now();
      const files = {
        old: record('A'.repeat(22), now - 3 * 86_400_000, ''),
        unsent: record('B'.repeat(22), now - UNSENT_FILE_TTL_MS - 1, null),
        young: record('C'.repeat(22), now - 60_000, null),
        sent: record('D'.repeat(22), now - 86_400_000 - 60_000, 'Ops'),
      };
      // After the start's own clean-up of files no record names.
      await new Promise((r) => setTimeout(r, 50));
      for (const r of Object.values(files)) {
        writeFileSync(join(dir, r.fileId), 'x');
        service.catalog.add(r);
      }
      expect(service.sweep(now)).toBe(2);
      await until(() => !existsSync(join(dir, files.old.fileId)) && !existsSync(join(dir, files.unsent.fileId)));
      expect(existsSync(join(dir, files.young.fileId))).toBe(true);
      expect(existsSync(join(dir, files.sent.fileId))).toBe(true);
      expect(service.catalog.count).toBe(2);
      expect(service.catalog.totalBytes).toBe(2);
    } finally {
      service.close();
    }
  });
});
