import { EventEmitter } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { DownloadStatus } from '../../../src-shared/bridge';
import { Downloads, freePath } from '../../../src-main/app/downloads';
import type { DownloadItemLike } from '../../../src-main/app/downloads';

/*
 * The desktop app's downloads of lines' files (issue 14 §3): into the Downloads folder
 * under a free name, followed as progress, shown in the file manager, never opened; and
 * nothing but a line's file is downloaded at all.
 */

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function downloadsDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'simplechat-downloads-'));
  dirs.push(dir);
  return dir;
}

/** Electron's DownloadItem as far as Downloads uses it. */
class FakeItem extends EventEmitter implements DownloadItemLike {
  savePath: string | null = null;
  cancelled = false;
  received = 0;
  constructor(
    private readonly url: string,
    private readonly filename: string,
    private readonly total: number,
  ) {
    super();
  }
  getURL(): string {
    return this.url;
  }
  getFilename(): string {
    return this.filename;
  }
  getReceivedBytes(): number {
    return this.received;
  }
  getTotalBytes(): number {
    return this.total;
  }
  setSavePath(path: string): void {
    this.savePath = path;
  }
  cancel(): void {
    this.cancelled = true;
  }
}

const FILE_URL = 'app://simplechat/server-files/AAAAAAAAAAAAAAAAAAAAAA';

describe('downloads of lines’ files', () => {
  it('saves into the Downloads folder under a free name, tells its progress, and shows it in the folder once done', () => {
    const dir = downloadsDir();
    writeFileSync(join(dir, 'report.pdf'), 'an older one');
    const told: DownloadStatus[] = [];
    const shown: string[] = [];
    let clock = 0;
    const downloads = new Downloads(() => dir, (s) => told.push(s), (p) => shown.push(p), () => clock);
    const item = new FakeItem(FILE_URL, 'report.pdf', 1000);
    downloads.take(item);
    expect(item.savePath).toBe(join(dir, 'report (1).pdf'));
    expect(item.cancelled).toBe(false);
    item.received = 400;
    clock = 1000;
    item.emit('updated', {}, 'progressing');
    // Too soon after the last: not told again.
    item.received = 500;
    clock = 1050;
    item.emit('updated', {}, 'progressing');
    expect(downloads.show('d1')).toBe(false);
    item.received = 1000;
    writeFileSync(item.savePath!, 'x');
    item.emit('done', {}, 'completed');
    expect(told).toEqual([
      { downloadId: 'd1', name: 'report (1).pdf', received: 0, total: 1000, state: 'progressing' },
      { downloadId: 'd1', name: 'report (1).pdf', received: 400, total: 1000, state: 'progressing' },
      { downloadId: 'd1', name: 'report (1).pdf', received: 1000, total: 1000, state: 'completed' },
    ]);
    expect(downloads.show('d1')).toBe(true);
    expect(shown).toEqual([join(dir, 'report (1).pdf')]);
    expect(downloads.show('d9')).toBe(false);
  });

  it('a stopped download is told as such and cannot be shown', () => {
    const told: DownloadStatus[] = [];
    const downloads = new Downloads(downloadsDir, (s) => told.push(s), () => {});
    const item = new FakeItem(FILE_URL, 'movie.mkv', 0);
    downloads.take(item);
    item.emit('done', {}, 'interrupted');
    expect(told.at(-1)).toMatchObject({ state: 'interrupted', name: 'movie.mkv' });
    expect(downloads.show('d1')).toBe(false);
  });

  it('anything but a line’s file is cancelled before a byte is saved', () => {
    const told: DownloadStatus[] = [];
    const downloads = new Downloads(downloadsDir, (s) => told.push(s), () => {});
    for (const url of ['https://evil.example/setup.exe', 'app://simplechat/index.html', 'app://simplechat/server-files/..%2F..%2Fx', 'file:///etc/passwd']) {
      const item = new FakeItem(url, 'x.exe', 10);
      downloads.take(item);
      expect(item.cancelled, url).toBe(true);
      expect(item.savePath, url).toBeNull();
    }
    expect(told).toEqual([]);
  });

  it('a free name never leaves the folder, keeps the extension, and counts up', () => {
    const taken = new Set(['/d/a.txt', '/d/a (1).txt']);
    expect(freePath('/d', 'a.txt', (p) => taken.has(p))).toBe('/d/a (2).txt');
    expect(freePath('/d', '../../etc/passwd', () => false)).toBe('/d/passwd');
    expect(freePath('/d', 'C:\\Windows\\evil.dll', () => false)).toBe('/d/evil.dll');
    expect(freePath('/d', '...', () => false)).toBe('/d/file');
    expect(freePath('/d', '.bashrc', () => false)).toBe('/d/bashrc');
  });
});
