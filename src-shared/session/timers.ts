/*
 * Timers without DOM or Node types. The default looks the host's functions up at
 * each call, so fake timers installed after import (vitest's) still take effect.
 */

export type TimerHandle = unknown;

export interface Timers {
  setTimeout(callback: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}

interface HostTimers {
  setTimeout(callback: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}

const host = (): HostTimers => globalThis as unknown as HostTimers;

export const hostTimers: Timers = {
  setTimeout: (callback, ms) => host().setTimeout(callback, ms),
  clearTimeout: (handle) => host().clearTimeout(handle),
};
