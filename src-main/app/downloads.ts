import { existsSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
import type { DownloadStatus } from '../../src-shared/bridge';
import { serverFileId } from './security';

/*
 * Downloads of the files of chat lines (issue 14 §3): saved straight into the Downloads
 * folder under a name that takes nothing over, followed as a progress item in the page,
 * and shown in the system's file manager on request. Nothing downloaded is ever opened
 * or run by the app; a download of anything but a line's file is cancelled.
 */

/** The parts of Electron's DownloadItem used here. */
export interface DownloadItemLike {
  getURL(): string;
  getFilename(): string;
  getReceivedBytes(): number;
  getTotalBytes(): number;
  setSavePath(path: string): void;
  cancel(): void;
  on(event: 'updated', listener: (event: unknown, state: 'progressing' | 'interrupted') => void): unknown;
  on(event: 'done', listener: (event: unknown, state: 'completed' | 'cancelled' | 'interrupted') => void): unknown;
}

/** Progress is told at most this often per download (and always when it ends). */
const PROGRESS_INTERVAL_MS = 200;
/** Done downloads remembered for "Show in folder". */
const MAX_KEPT = 200;

/** `name`, or `name (1).ext`, `name (2).ext`, … : the first that is not in `dir` yet. */
export function freePath(dir: string, name: string, exists: (path: string) => boolean = existsSync): string {
  const clean = basename(name.replace(/\\/g, '/')).replace(/^\.+/, '') || 'file';
  const ext = extname(clean);
  const stem = clean.slice(0, clean.length - ext.length);
  for (let n = 0; ; n++) {
    const path = join(dir, n === 0 ? clean : `${stem} (${n})${ext}`);
    if (!exists(path)) return path;
  }
}

export class Downloads {
  readonly #paths = new Map<string, string>();
  #next = 1;

  constructor(
    private readonly downloadsDir: () => string,
    private readonly emit: (status: DownloadStatus) => void,
    private readonly showItemInFolder: (path: string) => void,
    private readonly now: () => number = Date.now,
  ) {}

  /** Takes a download as Electron's `will-download` hands it over. */
  take(item: DownloadItemLike): void {
    if (serverFileId(item.getURL()) === null) {
      item.cancel();
      return;
    }
    const downloadId = `d${this.#next++}`;
    const path = freePath(this.downloadsDir(), item.getFilename());
    // Set now, inside will-download: no save dialog, and the name is one that was free.
    item.setSavePath(path);
    const name = basename(path);
    let toldAt = 0;
    const tell = (state: DownloadStatus['state']): void => {
      this.emit({ downloadId, name, received: item.getReceivedBytes(), total: item.getTotalBytes(), state });
    };
    tell('progressing');
    item.on('updated', (_event, state) => {
      const now = this.now();
      if (state === 'progressing' && now - toldAt < PROGRESS_INTERVAL_MS) return;
      toldAt = now;
      tell(state);
    });
    item.on('done', (_event, state) => {
      if (state === 'completed') {
        if (this.#paths.size >= MAX_KEPT) this.#paths.delete(this.#paths.keys().next().value!);
        this.#paths.set(downloadId, path);
      }
      tell(state);
    });
  }

  /** Shows a finished download in the file manager (selected, never opened); false for one not finished or unknown. */
  show(downloadId: string): boolean {
    const path = this.#paths.get(downloadId);
    if (path === undefined || !existsSync(path)) return false;
    this.showItemInFolder(path);
    return true;
  }
}
