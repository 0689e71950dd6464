import type { FileRecord, FileRecordStore } from './file-records';

/*
 * Every file the server keeps, by id, with the bytes each owner and everyone together
 * keep (for the quota and the disk budget), held in memory and written through to the
 * record store. Deciding who may do what is the caller's (uploads.ts, downloads.ts,
 * room.ts); this only counts and remembers.
 */

/** A file never sent in a line is forgotten this long after its upload. */
export const UNSENT_FILE_TTL_MS = 86_400_000;

/** How a chat line may name a file: the one field, an id of at most this many characters. */
export const FILE_ID_PATTERN = /^[A-Za-z0-9_-]{22}$/;

export class FileCatalog {
  private readonly byId = new Map<string, FileRecord>();
  private readonly usage = new Map<string, number>();
  /** Bytes promised to uploads under way (by owner, and in all), so parallel ones cannot overrun the limits together. */
  private readonly reserved = new Map<string, number>();
  private reservedTotal = 0;
  private stored = 0;
  /** Told of every record removed (the service deletes its bytes). */
  onRemove: ((record: FileRecord) => void) | null = null;

  constructor(private readonly store: FileRecordStore) {
    for (const record of store.saved) this.index(record);
  }

  get(fileId: string): FileRecord | undefined {
    return this.byId.get(fileId);
  }

  get totalBytes(): number {
    return this.stored + this.reservedTotal;
  }

  get count(): number {
    return this.byId.size;
  }

  /** Bytes the owner keeps, with what its uploads under way have taken so far. */
  usageOf(owner: string): number {
    return (this.usage.get(owner) ?? 0) + (this.reserved.get(owner) ?? 0);
  }

  /** An upload under way took `bytes` more (or gave them back, negative). */
  reserve(owner: string, bytes: number): void {
    const now = (this.reserved.get(owner) ?? 0) + bytes;
    if (now > 0) this.reserved.set(owner, now);
    else this.reserved.delete(owner);
    this.reservedTotal += bytes;
  }

  add(record: FileRecord): void {
    this.index(record);
    this.store.put(record);
  }

  /** The file now belongs to where it was sent. */
  sentTo(record: FileRecord, scope: string): FileRecord {
    if (record.scope === scope) return record;
    const sent: FileRecord = { ...record, scope };
    this.byId.set(record.fileId, sent);
    this.store.put(sent);
    return sent;
  }

  remove(fileId: string): FileRecord | undefined {
    const record = this.byId.get(fileId);
    if (record === undefined) return undefined;
    this.byId.delete(fileId);
    this.stored -= record.size;
    const left = (this.usage.get(record.owner) ?? 0) - record.size;
    if (left > 0) this.usage.set(record.owner, left);
    else this.usage.delete(record.owner);
    this.store.remove(fileId);
    this.onRemove?.(record);
    return record;
  }

  /** Records past their time: older than `maxAgeMs`, or never sent and older than a day. */
  expired(now: number, maxAgeMs: number): FileRecord[] {
    const out: FileRecord[] = [];
    for (const record of this.byId.values()) {
      const age = now - record.uploadedAt;
      if (age > maxAgeMs || (record.scope === null && age > UNSENT_FILE_TTL_MS)) out.push(record);
    }
    return out;
  }

  private index(record: FileRecord): void {
    this.byId.set(record.fileId, record);
    this.stored += record.size;
    this.usage.set(record.owner, (this.usage.get(record.owner) ?? 0) + record.size);
  }
}
