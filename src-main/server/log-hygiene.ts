/*
 * What a peer can put in the server's log. Anything a peer chose (an Origin header, a
 * name) is cut short and stripped of control characters, so it cannot forge log lines
 * or fill the disk; refusals are counted per address and summarised, so a flood of
 * them costs a line per address per window, not a line per connection (under systemd,
 * journald's own rate limit would otherwise drop the join and leave lines people need).
 */

/** Longest peer-chosen text a log line quotes, in characters. */
export const MAX_LOGGED_PEER_TEXT = 100;
/** Refusals from one address are summarised once per this window. */
export const REFUSAL_LOG_WINDOW_MS = 10_000;
/** Addresses tracked in one window; refusals from further ones are summarised together. */
export const MAX_TRACKED_REFUSERS = 1_000;

// C0, DEL, C1, and the bidirectional controls that would reorder a terminal's view of the line.
const UNPRINTABLE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/** A peer-supplied string made fit for a log line: printable, at most `MAX_LOGGED_PEER_TEXT` characters, quoted. */
export function peerText(text: string | undefined, max = MAX_LOGGED_PEER_TEXT): string {
  if (text === undefined) return '(none)';
  const printable = text.replace(UNPRINTABLE, '?');
  const chars = [...printable];
  const cut = chars.length > max ? `${chars.slice(0, max).join('')}…(${chars.length} chars)` : printable;
  return JSON.stringify(cut);
}

/**
 * Logs the first refusal of each address and reason in a window in full, counts the
 * rest, and writes one summary line per address and reason when the window ends.
 */
export class RefusalLog {
  /** Refusals not yet written out, by address and reason. */
  private unreported = new Map<string, { address: string; reason: string; count: number }>();
  private overflow = new Map<string, number>();
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly log: (line: string) => void,
    private readonly windowMs = REFUSAL_LOG_WINDOW_MS,
    private readonly maxTracked = MAX_TRACKED_REFUSERS,
  ) {}

  /** `reason` is ours (never peer text); `detail` is already made safe with `peerText`. */
  refused(address: string, reason: string, detail = ''): void {
    this.timer ??= setTimeout(() => this.flush(), this.windowMs).unref();
    const key = `${address} ${reason}`;
    const seen = this.unreported.get(key);
    if (seen !== undefined) {
      seen.count += 1;
      return;
    }
    if (this.unreported.size >= this.maxTracked) {
      this.overflow.set(reason, (this.overflow.get(reason) ?? 0) + 1);
      return;
    }
    this.unreported.set(key, { address, reason, count: 0 });
    this.log(`error ${address}: refused: ${reason}${detail}`);
  }

  /** Writes the summaries of the window so far and starts a new one. */
  flush(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    const seconds = Math.round(this.windowMs / 1000);
    for (const { address, reason, count } of this.unreported.values()) {
      if (count > 0) this.log(`error ${address}: refused ${count} more connection(s) in the last ${seconds} s: ${reason}`);
    }
    for (const [reason, count] of this.overflow) {
      this.log(`error: refused ${count} connection(s) from other addresses in the last ${seconds} s: ${reason}`);
    }
    this.unreported = new Map();
    this.overflow = new Map();
  }
}
