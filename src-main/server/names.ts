import { MAX_NAME_LENGTH } from '../../src-shared/protocol';
import { nameKeys } from './name-skeleton';

/** A name handed out by UniqueNames; give the same object back to release it. */
export interface NameClaim {
  readonly name: string;
  /** Keys of `name` (nameKeys): no other claim held has any of them. */
  readonly keys: readonly string[];
  /** The first of `keys`. */
  readonly key: string;
  /** First key of the cleaned name that was asked for. */
  readonly baseKey: string;
  /** 1 for the name as asked; n for ` (n)`. */
  readonly suffix: number;
}

/**
 * A lasting identity that holds the name it last used while it is away (identities.ts):
 * no one else is given that name, or a look-alike, until the hold runs out.
 */
export interface NameHolder {
  /** Date.now() when the identity was last online (or still is). */
  readonly lastSeen: number;
}

interface BaseState {
  /** Claims of this base still held. */
  holders: number;
  /** Every suffix from 2 below this is taken, so the search starts here. */
  lowestFree: number;
}

/**
 * Names unique case-insensitively and up to look-alikes (name-skeleton.ts): a taken
 * name gets ` (2)`, ` (3)`, … — the smallest free one, found in amortised O(1) even
 * when thousands ask for the same name. Every handed-out name fits in MAX_NAME_LENGTH:
 * the base is cut to make room.
 */
export class UniqueNames {
  private readonly taken = new Set<string>();
  private readonly bases = new Map<string, BaseState>();
  private claims = 0;
  /** Names' keys held for an identity that is away; a claim does not take them from someone else. */
  private readonly held = new Map<string, NameHolder>();
  /** The keys each holder holds, so a new name moves its hold. */
  private readonly holdings = new Map<NameHolder, readonly string[]>();
  /** A hold ends this long after its holder was last seen; 0: no holds. */
  holdMs = 0;

  /**
   * `cleanName` must already be cleaned (cleanUserName) and non-empty. `holder`: the
   * identity asking, which may take a name held for it.
   */
  claim(cleanName: string, holder: NameHolder | null = null): NameClaim {
    this.claimant = holder;
    try {
      return this.claimFree(cleanName);
    } finally {
      this.claimant = null;
    }
  }

  /** Holds `name` (and its look-alikes) for `holder`, instead of whatever it held before. */
  hold(name: string, holder: NameHolder): void {
    this.unhold(holder);
    if (this.holdMs === 0) return;
    const keys = nameKeys(name);
    for (const key of keys) this.held.set(key, holder);
    this.holdings.set(holder, keys);
  }

  unhold(holder: NameHolder): void {
    const keys = this.holdings.get(holder);
    if (keys === undefined) return;
    this.holdings.delete(holder);
    for (const key of keys) if (this.held.get(key) === holder) this.held.delete(key);
  }

  private claimant: NameHolder | null = null;

  private claimFree(cleanName: string): NameClaim {
    const keys = nameKeys(cleanName);
    const baseKey = keys[0]!;
    let base = this.bases.get(baseKey);
    if (base === undefined) {
      base = { holders: 0, lowestFree: 2 };
      this.bases.set(baseKey, base);
    }
    base.holders++;
    this.claims++;
    if (this.isFree(keys)) return this.take({ name: cleanName, keys, key: baseKey, baseKey, suffix: 1 });
    for (let suffix = base.lowestFree; ; suffix++) {
      const name = withSuffix(cleanName, suffix);
      const suffixedKeys = nameKeys(name);
      if (!this.isFree(suffixedKeys)) continue;
      base.lowestFree = suffix + 1;
      return this.take({ name, keys: suffixedKeys, key: suffixedKeys[0]!, baseKey, suffix });
    }
  }

  release(claim: NameClaim): void {
    if (!this.taken.delete(claim.key)) return;
    for (const key of claim.keys) this.taken.delete(key);
    this.claims--;
    const base = this.bases.get(claim.baseKey);
    if (base === undefined) return;
    base.holders--;
    if (base.holders === 0) this.bases.delete(claim.baseKey);
    else if (claim.suffix >= 2 && claim.suffix < base.lowestFree) base.lowestFree = claim.suffix;
  }

  /** Whether `name`, or a look-alike of it, is held. */
  has(name: string): boolean {
    return !this.isFree(nameKeys(name));
  }

  /** Claims held. */
  get size(): number {
    return this.claims;
  }

  private isFree(keys: readonly string[]): boolean {
    return keys.every((key) => !this.taken.has(key) && !this.heldForAnother(key));
  }

  /** Whether `key` is held for an identity other than the one claiming; a lapsed hold is dropped here. */
  private heldForAnother(key: string): boolean {
    const holder = this.held.get(key);
    if (holder === undefined || holder === this.claimant) return false;
    if (Date.now() - holder.lastSeen < this.holdMs) return true;
    this.unhold(holder);
    return false;
  }

  private take(claim: NameClaim): NameClaim {
    for (const key of claim.keys) this.taken.add(key);
    return claim;
  }
}

function withSuffix(name: string, suffix: number): string {
  const tail = ` (${suffix})`;
  const room = MAX_NAME_LENGTH - tail.length;
  const chars = Array.from(name);
  const head = chars.length <= room ? name : chars.slice(0, room).join('').trimEnd();
  return head + tail;
}
