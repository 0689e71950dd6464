/**
 * A latency histogram cheap enough to record every delivery: 10 µs buckets up to
 * 1 s, then 1 ms buckets up to 60 s; anything slower lands in the last bucket
 * (the exact maximum is kept apart).
 */
const FINE_STEP_US = 10;
const FINE_BUCKETS = 100_000; // 0 … 1 s
const COARSE_STEP_US = 1_000;
const COARSE_BUCKETS = 59_000; // 1 s … 60 s

export interface LatencySummary {
  count: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  maxMs: number;
}

export class LatencyHistogram {
  private readonly fine = new Uint32Array(FINE_BUCKETS);
  private readonly coarse = new Uint32Array(COARSE_BUCKETS);
  count = 0;
  maxUs = 0;

  record(latencyUs: number): void {
    const us = latencyUs < 0 ? 0 : latencyUs;
    this.count += 1;
    if (us > this.maxUs) this.maxUs = us;
    const fineIndex = (us / FINE_STEP_US) | 0;
    if (fineIndex < FINE_BUCKETS) {
      this.fine[fineIndex] += 1;
      return;
    }
    const coarseIndex = Math.min(COARSE_BUCKETS - 1, ((us - FINE_BUCKETS * FINE_STEP_US) / COARSE_STEP_US) | 0);
    this.coarse[coarseIndex] += 1;
  }

  /** The upper edge of the bucket holding the q-quantile, in µs (never above the maximum). */
  quantileUs(q: number): number {
    if (this.count === 0) return 0;
    const rank = Math.max(1, Math.ceil(q * this.count));
    let seen = 0;
    for (let i = 0; i < FINE_BUCKETS; i += 1) {
      seen += this.fine[i]!;
      if (seen >= rank) return Math.min(this.maxUs, (i + 1) * FINE_STEP_US);
    }
    for (let i = 0; i < COARSE_BUCKETS; i += 1) {
      seen += this.coarse[i]!;
      if (seen >= rank) return Math.min(this.maxUs, FINE_BUCKETS * FINE_STEP_US + (i + 1) * COARSE_STEP_US);
    }
    return this.maxUs;
  }

  summary(): LatencySummary {
    const ms = (us: number) => Math.round(us) / 1000;
    return {
      count: this.count,
      p50Ms: ms(this.quantileUs(0.5)),
      p95Ms: ms(this.quantileUs(0.95)),
      p99Ms: ms(this.quantileUs(0.99)),
      maxMs: ms(this.maxUs),
    };
  }
}
