/*
 * The frames of ours the server answers, in the order they were written on the current
 * connection. The server answers each exactly once and in order (its echo, its page, its
 * MessageEdited or MessageDeleted, or an Error to us alone), so an Error is matched to
 * the oldest frame it can be the answer of: a `rate-limited` or `invalid-text` that
 * answers an Edit or a History request is never taken for a chat line's (which would be
 * dropped, or written again and shown twice). A frame the server answers must be noted
 * here when written, or an Error about it may be taken for another's.
 */

export type AwaitedAnswer =
  | { readonly kind: 'chat'; readonly id: string }
  | { readonly kind: 'history'; readonly frame: string }
  | { readonly kind: 'dialog'; readonly withUserId: number; readonly frame: string }
  | { readonly kind: 'change'; readonly messageId: number; readonly frame: string }
  /** Rooms (issue 13 §1): a JoinRoom (`fold`: the room's folded name), a LeaveRoom, a ListRooms. */
  | { readonly kind: 'join'; readonly fold: string; readonly frame: string }
  | { readonly kind: 'leave'; readonly frame: string }
  | { readonly kind: 'list'; readonly frame: string };

/** The Error codes each kind of frame can be answered with. */
const ERROR_CODES: { readonly [K in AwaitedAnswer['kind']]: ReadonlySet<string> } = {
  chat: new Set(['rate-limited', 'invalid-text', 'text-too-long', 'invalid-recipient', 'unknown-reply', 'invalid-file', 'unknown-file', 'invalid-room', 'unknown-room', 'not-in-room']),
  history: new Set(['rate-limited', 'invalid-history-request', 'invalid-room', 'unknown-room', 'not-in-room']),
  dialog: new Set(['rate-limited', 'invalid-history-request']),
  change: new Set(['rate-limited', 'invalid-text', 'text-too-long', 'invalid-message-id', 'unknown-message', 'not-author', 'edit-window-closed']),
  join: new Set(['rate-limited', 'invalid-room', 'room-forbidden', 'too-many-rooms']),
  leave: new Set(['rate-limited', 'invalid-room', 'unknown-room', 'not-in-room']),
  list: new Set(['rate-limited']),
};

export class AwaitedAnswers {
  #queue: AwaitedAnswer[] = [];

  get size(): number {
    return this.#queue.length;
  }

  written(awaited: AwaitedAnswer): void {
    this.#queue.push(awaited);
  }

  /**
   * An Error came: it answers the oldest awaited frame that can get its code, which is
   * removed and returned. Undefined: it answers nothing awaited (a refused Pong, the
   * handshake's parameters).
   */
  takeError(code: string): AwaitedAnswer | undefined {
    const index = this.#queue.findIndex((awaited) => ERROR_CODES[awaited.kind].has(code));
    return index < 0 ? undefined : this.#queue.splice(index, 1)[0];
  }

  /**
   * Another answer came, for the first awaited frame `answered` accepts: it is settled,
   * and so is every frame written before it (answered earlier in a way not recognised).
   */
  settleFirst(answered: (awaited: AwaitedAnswer) => boolean): void {
    const index = this.#queue.findIndex(answered);
    if (index >= 0) this.#queue.splice(0, index + 1);
  }

  /** As `settleFirst`, through the last frame `answered` accepts (an echo settles several chat lines). */
  settleLast(answered: (awaited: AwaitedAnswer) => boolean): void {
    for (let index = this.#queue.length - 1; index >= 0; index--) {
      if (!answered(this.#queue[index]!)) continue;
      this.#queue.splice(0, index + 1);
      return;
    }
  }

  /** The connection is gone: nothing on it will be answered. */
  clear(): void {
    this.#queue = [];
  }
}
