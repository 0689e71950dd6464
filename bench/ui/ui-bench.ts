import type { UiResult } from '../types';

export async function runUiBench(_options: { root: string; quick: boolean }): Promise<{ result: UiResult } | { skipped: string }> {
  return { skipped: 'not written yet' };
}
