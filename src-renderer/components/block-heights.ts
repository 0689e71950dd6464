/** A block's lines; only their number matters here. */
type Block = { readonly length: number };

export interface BlockWindow {
  /** First and last block to render (-1 when there are none). */
  first: number;
  last: number;
  /** Heights of the spacers standing in for the blocks before `first` and after `last`, px. */
  above: number;
  below: number;
}

/**
 * The chat log's block heights: measured once a block has been on screen, estimated
 * from the average line height until then, and the arithmetic that turns them into
 * which blocks a scroll position needs. A full log has 6 250 blocks and this runs on
 * every scroll frame, so the heights live in a Float64Array and the loops call
 * nothing: numbers passed around as values would each be a heap allocation, and on
 * a fling those allocations were what set off the garbage collector mid-frame.
 */
export class BlockHeights {
  /** Height per block, px; 0 until measured. Longer than the log is fine: the rest stays 0. */
  private heights = new Float64Array(256);
  /** One past the last block that may have a measurement: what `truncate` and `reset` clear up to. */
  private measuredEnd = 0;
  private lineHeight: number;

  constructor(initialLineHeight = 20) {
    this.lineHeight = initialLineHeight;
  }

  get estimatedLineHeight(): number {
    return this.lineHeight;
  }

  /** Forgets every measurement (the log was replaced). */
  reset(): void {
    this.heights.fill(0, 0, this.measuredEnd);
    this.measuredEnd = 0;
  }

  /** Forgets measurements past the first `count` blocks (the log got shorter). */
  truncate(count: number): void {
    // Runs on every update of the log, so it clears only what was measured past the end.
    if (count >= this.measuredEnd) return;
    this.heights.fill(0, count, this.measuredEnd);
    this.measuredEnd = count;
  }

  /**
   * The first `count` blocks were dropped (the log's cap): forgets them and returns how
   * tall they were, so a reader scrolled up can be kept on the same lines.
   */
  dropFront(count: number, droppedBlocks: readonly Block[]): number {
    const heights = this.heights;
    const lineHeight = this.lineHeight;
    let gone = 0;
    for (let i = 0; i < count; i++) {
      const measured = i < heights.length ? heights[i]! : 0;
      gone += measured > 0 ? measured : (droppedBlocks[i]?.length ?? 0) * lineHeight;
    }
    const end = this.measuredEnd;
    if (count >= end) heights.fill(0, 0, end);
    else {
      heights.copyWithin(0, count, end);
      heights.fill(0, end - count, end);
    }
    this.measuredEnd = Math.max(0, end - count);
    return gone;
  }

  /**
   * `count` blocks were put in front (older history): later measurements move along.
   * `firstChanged`: the old first block took lines too, so its measurement is stale.
   */
  insertFront(count: number, firstChanged: boolean): void {
    const end = this.measuredEnd;
    if (end + count > this.heights.length) this.grow(end + count);
    const heights = this.heights;
    if (count > 0) {
      heights.copyWithin(count, 0, end);
      heights.fill(0, 0, Math.min(count, end + count));
      this.measuredEnd = end === 0 ? 0 : end + count;
    }
    if (firstChanged && count < heights.length) heights[count] = 0;
  }

  /** The height of all blocks, measured or estimated, px. */
  total(blocks: readonly Block[]): number {
    const heights = this.heights;
    const lineHeight = this.lineHeight;
    let total = 0;
    for (let i = 0; i < blocks.length; i++) {
      const measured = i < heights.length ? heights[i]! : 0;
      total += measured > 0 ? measured : blocks[i]!.length * lineHeight;
    }
    return total;
  }

  /** The top of block `index`, px from the first block's top. */
  offsetOf(blocks: readonly Block[], index: number): number {
    return this.total(blocks.slice(0, index));
  }

  /** Records block `index`'s measured height; false when it was already known to within half a pixel. */
  measure(index: number, height: number): boolean {
    if (index < 0 || !(height > 0)) return false;
    if (index >= this.heights.length) this.grow(index + 1);
    if (Math.abs(this.heights[index]! - height) <= 0.5) return false;
    this.heights[index] = height;
    if (index >= this.measuredEnd) this.measuredEnd = index + 1;
    return true;
  }

  /** Takes the average line height of the measured blocks as the estimate for the rest. */
  reestimate(blocks: readonly Block[]): void {
    const heights = this.heights;
    const count = Math.min(blocks.length, heights.length);
    let lines = 0;
    let height = 0;
    for (let i = 0; i < count; i++) {
      const measured = heights[i]!;
      if (measured > 0) {
        lines += blocks[i]!.length;
        height += measured;
      }
    }
    if (lines > 0) this.lineHeight = height / lines;
  }

  /**
   * The blocks that meet [top - overscan, top + viewport + overscan), where `top` is the
   * scroll position, or the end of the log when `atEnd`.
   */
  window(blocks: readonly Block[], viewport: number, scrollTop: number, atEnd: boolean, overscan: number): BlockWindow {
    const count = blocks.length;
    if (count === 0) return { first: 0, last: -1, above: 0, below: 0 };
    if (count > this.heights.length) this.grow(count);
    const heights = this.heights;
    const lineHeight = this.lineHeight;
    let total = 0;
    for (let i = 0; i < count; i++) {
      const measured = heights[i]!;
      total += measured > 0 ? measured : blocks[i]!.length * lineHeight;
    }
    const top = atEnd ? Math.max(0, total - viewport) : scrollTop;
    const from = top - overscan;
    const to = top + viewport + overscan;
    let first = -1;
    let last = -1;
    let offset = 0;
    let above = 0;
    let lastEnd = 0;
    for (let i = 0; i < count && offset < to; i++) {
      const measured = heights[i]!;
      const h = measured > 0 ? measured : blocks[i]!.length * lineHeight;
      if (offset + h > from) {
        if (first === -1) {
          first = i;
          above = offset;
        }
        last = i;
        lastEnd = offset + h;
      }
      offset += h;
    }
    if (first === -1) {
      // Past the end (the log shrank under a stale scroll position): show the end.
      first = last = count - 1;
      const measured = heights[last]!;
      above = total - (measured > 0 ? measured : blocks[last]!.length * lineHeight);
      lastEnd = total;
    }
    return { first, last, above, below: total - lastEnd };
  }

  private grow(count: number): void {
    const grown = new Float64Array(Math.max(count, this.heights.length * 2));
    grown.set(this.heights);
    this.heights = grown;
  }
}
