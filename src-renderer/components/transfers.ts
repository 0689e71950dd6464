import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { ChatBridge, DownloadStatus, SendRequest, Unsubscribe } from '../../src-shared/bridge';
import type { UploadOutcome } from '../../src-shared/protocol';
import type { UploadItem } from './upload-list';

/** Uploads going at once; more wait their turn (servers take a few per user at a time: 3 by default). */
const PARALLEL_UPLOADS = 2;

const errorText = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/** Where a file's line goes: the conversation shown when the file was chosen. */
export type LineTarget = Pick<SendRequest, 'toUserId' | 'room'>;

/**
 * The app's file transfers (issue 14 §3), kept beside the root's state: each file
 * uploaded through the bridge (two at a time), then sent as a line to where it was
 * chosen; refusals kept until dismissed; the desktop app's downloads as main tells them.
 * The host re-renders on every change and shows `uploads` and `downloads`.
 */
export class Transfers implements ReactiveController {
  uploads: readonly UploadItem[] = [];
  downloads: readonly DownloadStatus[] = [];
  #seq = 0;
  /** Uploads handed to the bridge (the others wait for a turn, and a Cancel just drops them). */
  readonly #started = new Set<string>();
  #going = 0;
  readonly #turns: (() => void)[] = [];

  constructor(
    private readonly host: ReactiveControllerHost,
    /** A line could not be sent (the bridge refused it): said in the log. */
    private readonly sendFailed: (reason: string) => void,
    /** A file's line went out: the log follows it. */
    private readonly lineSent: () => void,
  ) {
    host.addController(this);
  }

  hostConnected(): void {}

  /** Follows the bridge's upload progress and downloads. */
  listen(bridge: ChatBridge): Unsubscribe[] {
    return [
      bridge.on('uploadProgress', ({ uploadId, sent }) => {
        this.#setUploads(this.uploads.map((u) => (u.id === uploadId && u.failure === undefined ? { ...u, sent } : u)));
      }),
      bridge.on('download', (status) => {
        const known = this.downloads.some((d) => d.downloadId === status.downloadId);
        this.downloads = known ? this.downloads.map((d) => (d.downloadId === status.downloadId ? status : d)) : [...this.downloads, status];
        this.host.requestUpdate();
      }),
    ];
  }

  /** Uploads each file, then sends it as a line to `target`; the server's echo shows it. */
  async send(bridge: ChatBridge, files: readonly File[], target: LineTarget): Promise<void> {
    const items = files.map((file) => ({ file, item: { id: `u${++this.#seq}`, name: file.name || 'file', size: file.size, sent: 0 } }));
    this.#setUploads([...this.uploads, ...items.map((i) => i.item)]);
    await Promise.all(items.map(({ file, item }) => this.#sendOne(bridge, file, item, target)));
  }

  async cancel(bridge: ChatBridge | null, uploadId: string): Promise<void> {
    if (!this.#started.has(uploadId)) {
      this.dismissUpload(uploadId);
      return;
    }
    try {
      // Its outcome, `cancelled`, takes it off the list.
      await bridge?.cancelUpload(uploadId);
    } catch (error) {
      this.sendFailed(errorText(error));
    }
  }

  dismissUpload(uploadId: string): void {
    this.#setUploads(this.uploads.filter((u) => u.id !== uploadId));
  }

  dismissDownload(downloadId: string): void {
    this.downloads = this.downloads.filter((d) => d.downloadId !== downloadId);
    this.host.requestUpdate();
  }

  async #sendOne(bridge: ChatBridge, file: File, item: UploadItem, target: LineTarget): Promise<void> {
    await this.#turn();
    const listed = (): boolean => this.uploads.some((u) => u.id === item.id);
    let outcome: UploadOutcome;
    try {
      // Cancelled while it waited for its turn, or while it was read.
      if (!listed()) return;
      const bytes = new Uint8Array(await file.arrayBuffer());
      if (!listed()) return;
      this.#started.add(item.id);
      outcome = await bridge.uploadFile({ uploadId: item.id, name: item.name, bytes });
    } catch (error) {
      outcome = { ok: false, error: 'network', message: errorText(error) };
    } finally {
      this.#started.delete(item.id);
      this.#turnDone();
    }
    if (!outcome.ok) {
      const { error, message } = outcome;
      this.#setUploads(
        error === 'cancelled' ? this.uploads.filter((u) => u.id !== item.id) : this.uploads.map((u) => (u.id === item.id ? { ...u, failure: error, detail: message } : u)),
      );
      return;
    }
    this.dismissUpload(item.id);
    try {
      await bridge.send({ text: '', ...target, file: { fileId: outcome.file.fileId, name: outcome.file.name } });
      this.lineSent();
    } catch (error) {
      this.sendFailed(errorText(error));
    }
  }

  #setUploads(uploads: readonly UploadItem[]): void {
    this.uploads = uploads;
    this.host.requestUpdate();
  }

  #turn(): Promise<void> {
    if (this.#going < PARALLEL_UPLOADS) {
      this.#going += 1;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.#turns.push(resolve));
  }

  #turnDone(): void {
    const next = this.#turns.shift();
    if (next === undefined) this.#going -= 1;
    else next();
  }
}
