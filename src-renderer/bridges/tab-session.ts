import { COMMAND_ARGUMENTS } from '../../src-shared/bridge';
import type { ConnectRequest } from '../../src-shared/bridge';
import { isUserId, isValidColor } from '../../src-shared/protocol';
import type { SessionResume } from '../../src-shared/session';

export const TAB_SESSION_STORAGE_KEY = 'simplechat.session';

/** Longer than any token a server of ours gives; a stored one beyond it is not ours. */
const MAX_TOKEN_LENGTH = 256;

/** What a page hands to the next page in its tab: the login it ran, and how to take it back. */
export interface HandedOverSession {
  request: ConnectRequest;
  resume: SessionResume;
}

/**
 * A session handed from a page to its reload, in this tab's sessionStorage.
 *
 * It is written only as the page goes away (`pagehide`) and taken out as soon as the
 * next page starts, so while a page lives the tab's storage holds none: a tab
 * duplicated from it (which copies sessionStorage) or another tab can never take
 * over its session, and a session the user disconnected is never written. Only the
 * next page in the same tab (reload, back/forward, a reopened closed tab) finds it.
 */
export class TabSession {
  readonly #storage: Storage | null;
  #left: HandedOverSession | undefined;
  #leave: (() => HandedOverSession | undefined) | undefined;

  constructor(storage: Storage | null, win: Pick<Window, 'addEventListener'>) {
    this.#storage = storage;
    this.#left = this.#read();
    this.forget();
    win.addEventListener('pagehide', () => {
      const handed = this.#leave?.();
      if (handed !== undefined) this.#write(handed);
    });
    // Back from the back/forward cache: this page lives on and still runs its session.
    win.addEventListener('pageshow', (event) => {
      if ((event as PageTransitionEvent).persisted) this.forget();
    });
  }

  /** The same login: same server, port, key, name, colour and gender. */
  static sameLogin(a: ConnectRequest, b: ConnectRequest): boolean {
    return (
      a.server.trim() === b.server.trim() &&
      a.port === b.port &&
      (a.roomKey ?? '') === (b.roomKey ?? '') &&
      a.userName === b.userName &&
      a.userColor === b.userColor &&
      a.gender === b.gender
    );
  }

  /** What the page before this one left, once; undefined when it left nothing. */
  takeOver(): HandedOverSession | undefined {
    const left = this.#left;
    this.#left = undefined;
    return left;
  }

  /** What to hand over when the page goes away (undefined: nothing, e.g. after a disconnect). */
  onLeave(handOver: () => HandedOverSession | undefined): void {
    this.#leave = handOver;
  }

  /** Drops whatever this tab holds. */
  forget(): void {
    try {
      this.#storage?.removeItem(TAB_SESSION_STORAGE_KEY);
    } catch {
      // Storage refused: nothing was written there either.
    }
  }

  #write(handed: HandedOverSession): void {
    try {
      this.#storage?.setItem(TAB_SESSION_STORAGE_KEY, JSON.stringify(handed));
    } catch {
      // Private mode or a full quota: the reload logs in afresh.
    }
  }

  /** A stored hand-over, checked field by field: anything else in there is ignored. */
  #read(): HandedOverSession | undefined {
    let raw: unknown;
    try {
      const text = this.#storage?.getItem(TAB_SESSION_STORAGE_KEY);
      if (!text) return undefined;
      raw = JSON.parse(text);
    } catch {
      return undefined;
    }
    if (typeof raw !== 'object' || raw === null) return undefined;
    const { request, resume } = raw as { request?: unknown; resume?: unknown };
    const checked = COMMAND_ARGUMENTS.connect([request]);
    if (typeof checked === 'string') return undefined;
    if (typeof resume !== 'object' || resume === null) return undefined;
    const { sessionToken, self } = resume as { sessionToken?: unknown; self?: unknown };
    if (typeof sessionToken !== 'string' || sessionToken === '' || sessionToken.length > MAX_TOKEN_LENGTH) return undefined;
    if (typeof self !== 'object' || self === null) return undefined;
    const { userId, userName, gender, userColor } = self as Record<string, unknown>;
    if (!isUserId(userId) || userId === 0 || typeof userName !== 'string' || typeof userColor !== 'string' || !isValidColor(userColor)) return undefined;
    if (gender !== 0 && gender !== 1 && gender !== 2) return undefined;
    return { request: checked[0], resume: { sessionToken, self: { userId, userName, gender, userColor } } };
  }
}
