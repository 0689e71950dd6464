import { roomDisplayName } from '../../src-shared/bridge';
import type { HostingStatus, Settings } from '../../src-shared/bridge';
import { instanceName, newInstanceId, startAdvertiser } from '../discovery';
import type { AdvertisedRoom, Advertiser, CreateMdnsTransport } from '../discovery';

/*
 * "Visible on this network": the hosted room is announced while it runs and the
 * setting is on; stopping the room, turning the setting off or quitting sends the
 * goodbye at once. Announces the room's name, lock and web path, never its key.
 */

export class RoomAnnouncer {
  readonly #createTransport: CreateMdnsTransport;
  readonly #log: (line: string) => void;
  #current: { key: string; advertiser: Advertiser } | null = null;
  #queue: Promise<void> = Promise.resolve();
  /** One per run: every announcement of this app's room has the same instance name, which its own browsing skips. */
  readonly #id = newInstanceId();

  constructor(createTransport: CreateMdnsTransport, log: (line: string) => void) {
    this.#createTransport = createTransport;
    this.#log = log;
  }

  /** Announces what `status` and `settings` call for: the room, a changed room, or nothing. */
  sync(status: HostingStatus, settings: Settings, locked: boolean): Promise<void> {
    const room: AdvertisedRoom | null =
      status.state === 'running' && settings.visibleOnNetwork
        ? { name: roomDisplayName(settings), port: status.port, locked, tls: false, webPath: '/' }
        : null;
    return this.#serially(async () => {
      const key = room === null ? '' : JSON.stringify(room);
      if ((this.#current?.key ?? '') === key) return;
      await this.#withdraw();
      if (room === null) return;
      try {
        this.#current = { key, advertiser: startAdvertiser(room, this.#createTransport(this.#log), undefined, this.#id) };
      } catch (error) {
        this.#log(`discovery: the room is not announced: ${String(error)}`);
      }
    });
  }

  /** The instance (lower case) is this app's own room. */
  isOwn(instance: string): boolean {
    return instance === instanceName(this.#id);
  }

  /** Sends the goodbye (quit). */
  stop(): Promise<void> {
    return this.#serially(() => this.#withdraw());
  }

  async #withdraw(): Promise<void> {
    const current = this.#current;
    this.#current = null;
    await current?.advertiser.stop().catch((error: unknown) => this.#log(`discovery: goodbye failed: ${String(error)}`));
  }

  #serially(task: () => Promise<void>): Promise<void> {
    const run = this.#queue.then(task, task);
    this.#queue = run.catch(() => {});
    return run;
  }
}
