import { addressKey, isLoopback } from './addresses';

/*
 * New lasting identities per address per day. Without it one host could fill
 * `--max-identities` at the join rate (about a day at the defaults), after which no new
 * user ever gets private dialogs, and every identity it made holds a name. A day is a
 * fixed window per address, counted from its first new identity; the count lives in
 * memory only (a restart forgives it), and past `maxTracked` addresses the oldest
 * window is forgotten first (that forgives an address, never refuses a new one).
 */

/** Addresses tracked at once. */
export const IDENTITY_QUOTA_MAX_ADDRESSES = 10_000;

const DAY_MS = 86_400_000;

interface Window {
  readonly start: number;
  count: number;
}

export class IdentityQuota {
  private readonly windows = new Map<string, Window>();

  constructor(
    private readonly perDay: number,
    /** Loopback is not held to it, as to the other per-address limits (`--no-loopback-exemption`). */
    private readonly exemptLoopback = false,
    private readonly now: () => number = () => Date.now(),
    private readonly maxTracked = IDENTITY_QUOTA_MAX_ADDRESSES,
  ) {}

  /** Addresses with a window now (for tests of the memory bound). */
  get trackedAddresses(): number {
    return this.windows.size;
  }

  /** May `ip` make another identity today? Counts it when it may. */
  take(ip: string): boolean {
    if (this.exemptLoopback && isLoopback(ip)) return true;
    const key = addressKey(ip);
    const now = this.now();
    let window = this.windows.get(key);
    if (window !== undefined && now - window.start >= DAY_MS) {
      this.windows.delete(key);
      window = undefined;
    }
    if (window === undefined) {
      for (const oldest of this.windows.keys()) {
        if (this.windows.size < this.maxTracked) break;
        this.windows.delete(oldest);
      }
      window = { start: now, count: 0 };
      this.windows.set(key, window);
    }
    if (window.count >= this.perDay) return false;
    window.count++;
    return true;
  }
}
