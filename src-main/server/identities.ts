import { createHash } from 'node:crypto';
import type { IdentityQuota } from './identity-quota';
import type { Member } from './member';
import type { NameHolder } from './names';
import type { IdentityJournal, SavedIdentity } from './store/durable-state';

/*
 * Lasting identities: clients of ours prove a random secret at login (`identity=…`),
 * and the server knows them again by it. It keeps only a hash of the secret, the user
 * id the identity had first (given back to it whenever it is free, so its dialogs and
 * anyone writing to it can name it across sessions and restarts), the name it last used
 * and when it was last seen. The Qt client sends no secret and stays a connection.
 */

/**
 * The stored form of a secret. One fast hash is enough: the secret is 256 random bits,
 * so there is no dictionary to try and no guessing to slow down, and a salt would
 * protect nothing two secrets could share. What it buys is that a copy of the database
 * does not let anyone log in as the identities in it.
 */
export function identityHash(secret: string): string {
  return createHash('sha256').update('simplechat identity\0').update(secret, 'utf8').digest('hex');
}

/** An identity the server knows, online or not. */
export class KnownIdentity implements NameHolder {
  /** Its sessions online now (more than one: two tabs of one browser). */
  readonly members = new Set<Member>();

  constructor(
    readonly hash: string,
    readonly userId: number,
    public userName: string,
    public lastSeen: number,
  ) {}

  saved(): SavedIdentity {
    return { hash: this.hash, userId: this.userId, userName: this.userName, lastSeen: this.lastSeen };
  }

  /** Its sessions with a connection (one in the presence grace has none and takes nothing). */
  connected(): Member[] {
    const out: Member[] = [];
    for (const member of this.members) if (member.away === null && !member.left) out.push(member);
    return out;
  }
}

/** How a full server makes room for a new identity (see Identities.add). */
export interface Forgetting {
  readonly afterMs: number;
  /** Told of each identity forgotten (to end its name's hold). */
  readonly forgotten: (identity: KnownIdentity) => void;
}

export class Identities {
  private readonly byHash = new Map<string, KnownIdentity>();
  private readonly byUser = new Map<number, KnownIdentity>();

  constructor(
    private readonly max: number,
    kept: readonly SavedIdentity[],
    /** null: kept for this run only. */
    private readonly journal: IdentityJournal | null,
    /** New identities per address per day; null: no such cap. */
    private readonly quota: IdentityQuota | null = null,
    /** When full, a newcomer takes the place of the identity longest away if it was away this long (its name hold over). */
    private readonly forgettable: Forgetting | null = null,
  ) {
    for (const saved of kept) this.put(new KnownIdentity(saved.hash, saved.userId, saved.userName, saved.lastSeen));
  }

  get size(): number {
    return this.byHash.size;
  }

  /** Every identity known (to hold their names at start). */
  all(): IterableIterator<KnownIdentity> {
    return this.byHash.values();
  }

  find(secret: string): KnownIdentity | undefined {
    return this.byHash.get(identityHash(secret));
  }

  byUserId(userId: number): KnownIdentity | undefined {
    return this.byUser.get(userId);
  }

  /** The id is an identity's: it is not handed to anyone else. */
  ownsUserId(userId: number): boolean {
    return this.byUser.has(userId);
  }

  /**
   * Remembers a new identity with the id and name its first session got (from `ip`); null
   * when the server knows as many as it may, or `ip` made its day's share already.
   */
  add(secret: string, userId: number, userName: string, ip: string): KnownIdentity | null {
    if (this.byUser.has(userId)) return null;
    if (this.byHash.size >= this.max && !this.forgetLongestAway()) return null;
    if (this.quota !== null && !this.quota.take(ip)) return null;
    const identity = new KnownIdentity(identityHash(secret), userId, userName, Date.now());
    this.put(identity);
    this.journal?.seen(identity.saved());
    return identity;
  }

  /**
   * A session of `identity` came in as `member`. Its name becomes the identity's only when
   * it is the one session: a second tab's `Name (2)` is not what the user chose.
   */
  cameOnline(identity: KnownIdentity, member: Member): void {
    identity.members.add(member);
    this.touch(identity, identity.members.size === 1 ? member.userName : identity.userName);
  }

  /** A session of `identity` left the room for good (not a mere dropped connection). */
  wentOffline(identity: KnownIdentity, member: Member): void {
    if (!identity.members.delete(member)) return;
    this.touch(identity, identity.userName);
  }

  private touch(identity: KnownIdentity, userName: string): void {
    identity.userName = userName;
    identity.lastSeen = Date.now();
    this.journal?.seen(identity.saved());
  }

  /**
   * Makes room by forgetting the identity away longest, if no session of it is online and
   * it has been away `forgettable.afterMs` at least. A scan, run only when the server is full.
   */
  private forgetLongestAway(): boolean {
    if (this.forgettable === null) return false;
    let oldest: KnownIdentity | null = null;
    for (const identity of this.byHash.values()) {
      if (identity.members.size === 0 && (oldest === null || identity.lastSeen < oldest.lastSeen)) oldest = identity;
    }
    if (oldest === null || Date.now() - oldest.lastSeen < this.forgettable.afterMs) return false;
    this.byHash.delete(oldest.hash);
    this.byUser.delete(oldest.userId);
    this.journal?.forgot(oldest.hash);
    this.forgettable.forgotten(oldest);
    return true;
  }

  private put(identity: KnownIdentity): void {
    this.byHash.set(identity.hash, identity);
    this.byUser.set(identity.userId, identity);
  }
}
