import { MAX_NAME_LENGTH, nameKey } from '../../src-shared/protocol';

/** A name handed out by UniqueNames; give the same object back to release it. */
export interface NameClaim {
  readonly name: string;
  /** Case-insensitive key of `name`: what is unique. */
  readonly key: string;
  /** Key of the cleaned name that was asked for. */
  readonly baseKey: string;
  /** 1 for the name as asked; n for ` (n)`. */
  readonly suffix: number;
}

interface BaseState {
  /** Claims of this base still held. */
  holders: number;
  /** Every suffix from 2 below this is taken (by this base), so the search starts here. */
  lowestFree: number;
}

/**
 * Names unique case-insensitively: a taken name gets ` (2)`, ` (3)`, … — the smallest
 * free one, found in amortised O(1) even when thousands ask for the same name.
 * Every handed-out name fits in MAX_NAME_LENGTH: the base is cut to make room.
 */
export class UniqueNames {
  private readonly taken = new Set<string>();
  private readonly bases = new Map<string, BaseState>();

  /** `cleanName` must already be cleaned (cleanUserName) and non-empty. */
  claim(cleanName: string): NameClaim {
    const baseKey = nameKey(cleanName);
    let base = this.bases.get(baseKey);
    if (base === undefined) {
      base = { holders: 0, lowestFree: 2 };
      this.bases.set(baseKey, base);
    }
    base.holders++;
    if (!this.taken.has(baseKey)) {
      this.taken.add(baseKey);
      return { name: cleanName, key: baseKey, baseKey, suffix: 1 };
    }
    for (let suffix = base.lowestFree; ; suffix++) {
      const name = withSuffix(cleanName, suffix);
      const key = nameKey(name);
      if (this.taken.has(key)) continue;
      this.taken.add(key);
      base.lowestFree = suffix + 1;
      return { name, key, baseKey, suffix };
    }
  }

  release(claim: NameClaim): void {
    if (!this.taken.delete(claim.key)) return;
    const base = this.bases.get(claim.baseKey);
    if (base === undefined) return;
    base.holders--;
    if (base.holders === 0) this.bases.delete(claim.baseKey);
    else if (claim.suffix >= 2 && claim.suffix < base.lowestFree) base.lowestFree = claim.suffix;
  }

  has(name: string): boolean {
    return this.taken.has(nameKey(name));
  }

  get size(): number {
    return this.taken.size;
  }
}

function withSuffix(name: string, suffix: number): string {
  const tail = ` (${suffix})`;
  const room = MAX_NAME_LENGTH - tail.length;
  const chars = Array.from(name);
  const head = chars.length <= room ? name : chars.slice(0, room).join('').trimEnd();
  return head + tail;
}
