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

  /** `cleanName` must already be cleaned (cleanUserName) and non-empty. */
  claim(cleanName: string): NameClaim {
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
    return keys.every((key) => !this.taken.has(key));
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
