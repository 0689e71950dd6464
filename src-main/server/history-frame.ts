import type { LinePage } from './store/message-store';

/** A History must never fill more than half of what a member may have unsent. */
export function historyBytes(maxBufferedBytes: number): number {
  return Math.floor(maxBufferedBytes / 2);
}

/**
 * `{"action":"History","messages":[…],"hasMore":…}` from a page of stored lines: as
 * many of the newest as fit in `maxBytes` (a slow client's buffer must not overflow on
 * its first frame); when older ones had to stay out, `hasMore` says so.
 */
export function historyJson(page: LinePage, maxBytes: number, room?: string): string {
  const lines = page.lines;
  let first = lines.length;
  let total = 0;
  for (let i = lines.length - 1; i >= 0; i--) {
    const size = Buffer.byteLength(lines[i]!.payload) + 1;
    if (total + size > maxBytes) break;
    total += size;
    first = i;
  }
  const hasMore = page.hasMore || first > 0;
  // A room's History names it; the lobby's has no room, as before rooms.
  let json = room === undefined ? '{"action":"History","messages":[' : `{"action":"History","room":${JSON.stringify(room)},"messages":[`;
  for (let i = first; i < lines.length; i++) json += i === first ? lines[i]!.payload : `,${lines[i]!.payload}`;
  return `${json}],"hasMore":${hasMore}}`;
}
