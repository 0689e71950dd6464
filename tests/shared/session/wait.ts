import type { ConnectionStatus } from '../../../src-shared/bridge';
import type { ClientSession } from '../../../src-shared/session';

/** Resolves with the first status (the current one included) that `accept`s, or rejects after `timeoutMs`. */
export function waitForStatus(
  session: ClientSession,
  accept: (status: ConnectionStatus) => boolean,
  timeoutMs = 5_000,
): Promise<ConnectionStatus> {
  if (accept(session.status)) return Promise.resolve(session.status);
  const seen: string[] = [];
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error(`no matching status within ${timeoutMs} ms; saw ${seen.join(' → ') || 'nothing'}`));
    }, timeoutMs);
    const off = session.on('status', (status) => {
      seen.push(status.state);
      if (!accept(status)) return;
      clearTimeout(timer);
      off();
      resolve(status);
    });
  });
}

export const isState =
  <S extends ConnectionStatus['state']>(state: S) =>
  (status: ConnectionStatus): status is Extract<ConnectionStatus, { state: S }> =>
    status.state === state;

/** Polls `check` until it holds, or rejects after `timeoutMs`. */
export async function until(check: () => boolean, timeoutMs = 5_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`${what} did not hold within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Real timers that know which are still pending: "nothing more will happen" without sleeping. */
export function countingTimers(): { setTimeout(callback: () => void, ms: number): unknown; clearTimeout(handle: unknown): void; readonly pending: number } {
  const pending = new Set<unknown>();
  return {
    setTimeout(callback, ms) {
      const handle = setTimeout(() => {
        pending.delete(handle);
        callback();
      }, ms);
      pending.add(handle);
      return handle;
    },
    clearTimeout(handle) {
      pending.delete(handle);
      clearTimeout(handle as ReturnType<typeof setTimeout>);
    },
    get pending() {
      return pending.size;
    },
  };
}
