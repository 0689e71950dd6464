import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseCliArgs } from '../../../../src-main/server/cli-args';
import { DEFAULT_SERVER_CONFIG, resolveServerConfig } from '../../../../src-main/server/config';
import { startChatServer } from '../../../../src-main/server';
import { ChatClient, chatUrl } from '../../../support/chat-client';
import { PNG_1X1, VICTIM, tempDir, tokenOf, upload } from './file-helpers';

describe('the files limits', () => {
  it('have their defaults up front, and a flag each', () => {
    expect(DEFAULT_SERVER_CONFIG).toMatchObject({ filesDir: null, maxFileSize: 25 * 1024 * 1024, maxParallelUploads: 3 });
    const command = parseCliArgs([
      '--files-dir', '/srv/files', '--max-file-size', '1000', '--files-quota-per-user', '5000', '--files-max-total', '9000',
      '--upload-burst', '2', '--uploads-per-minute', '0.5', '--max-parallel-uploads', '1', '--upload-idle-timeout-ms', '100',
      '--upload-timeout-ms', '1000', '--files-max-days', '7', '--file-link-ttl-ms', '60000',
    ]);
    expect(command).toMatchObject({
      kind: 'run',
      config: {
        filesDir: '/srv/files', maxFileSize: 1000, filesQuotaPerUser: 5000, filesMaxTotal: 9000, uploadBurst: 2, uploadsPerMinute: 0.5,
        maxParallelUploads: 1, uploadIdleTimeoutMs: 100, uploadTimeoutMs: 1000, filesMaxDays: 7, fileLinkTtlMs: 60000,
      },
    });
    expect(parseCliArgs(['--files-dir', ' '])).toMatchObject({ kind: 'usage-error' });
    expect(parseCliArgs(['--max-file-size', '0'])).toMatchObject({ kind: 'usage-error' });
    expect(() => resolveServerConfig({ maxFileSize: 0 })).toThrow(RangeError);
  });

  it('keep files beside the database by default (<db>.files)', async () => {
    const dir = tempDir();
    const server = await startChatServer({ host: '127.0.0.1', port: 0, dbFile: join(dir, 'chat.db') });
    try {
      const anna = await ChatClient.connect(chatUrl(server.port, { userName: 'Anna' }), { localAddress: VICTIM });
      const answer = await upload(server.port, tokenOf(anna), PNG_1X1, 'a.png');
      expect(answer.status).toBe(201);
      expect(readdirSync(join(dir, 'chat.db.files'))).toEqual([answer.json!.fileId]);
      anna.terminate();
    } finally {
      await server.close();
    }
    expect(existsSync(join(dir, 'chat.db.files'))).toBe(true);
  });
});
