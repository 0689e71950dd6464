import type { OwnStatus } from '../../src-shared/session';
import type { UserStatus } from '../../src-shared/protocol';

/*
 * Away after a while at rest (issue 13 §3): the system's idle time (Electron's
 * powerMonitor.getSystemIdleTime), polled; `away` once it passes the threshold while
 * the user is online, `online` again on the first poll that sees activity. A status
 * the user chose by hand is theirs: never changed, and a choice made while away (by
 * us) ends our part in it.
 */

/** Idle this long (seconds) → away. */
export const AWAY_AFTER_IDLE_S = 600;
/** How often the idle time is read: coming back shows within this. */
export const IDLE_POLL_MS = 5_000;

export interface StatusPort {
  readonly ownStatus: OwnStatus;
  setStatus(status: UserStatus, text?: string): void;
}

export interface IdleAwayOptions {
  awayAfterS?: number;
  pollMs?: number;
}

export class IdleAway {
  readonly #session: StatusPort;
  readonly #idleSeconds: () => number;
  readonly #awayAfterS: number;
  readonly #pollMs: number;
  #timer: ReturnType<typeof setInterval> | undefined;
  /** The away we set, while it stands; null: the status is the user's. */
  #ours: OwnStatus | null = null;

  constructor(session: StatusPort, idleSeconds: () => number, options: IdleAwayOptions = {}) {
    this.#session = session;
    this.#idleSeconds = idleSeconds;
    this.#awayAfterS = options.awayAfterS ?? AWAY_AFTER_IDLE_S;
    this.#pollMs = options.pollMs ?? IDLE_POLL_MS;
  }

  start(): void {
    if (this.#timer !== undefined) return;
    this.#timer = setInterval(() => this.check(), this.#pollMs);
    this.#timer.unref?.();
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /** One poll: reads the idle time and sets away, or online again, when it is ours to. */
  check(): void {
    const own = this.#session.ownStatus;
    let idle: number;
    try {
      idle = this.#idleSeconds();
    } catch {
      // A system that cannot tell: nothing changes.
      return;
    }
    const ours = this.#ours;
    if (ours !== null) {
      if (own.status !== ours.status || own.text !== ours.text) {
        this.#ours = null;
        return;
      }
      if (idle < this.#awayAfterS) {
        this.#ours = null;
        this.#session.setStatus('online', own.text);
      }
      return;
    }
    if (own.status === 'online' && idle >= this.#awayAfterS) {
      this.#session.setStatus('away', own.text);
      this.#ours = this.#session.ownStatus;
    }
  }
}
