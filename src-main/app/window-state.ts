import type { WindowState } from '../../src-shared/bridge';

/*
 * Window size, position and maximised state: restored so the window is never off every
 * display (a monitor unplugged since), saved on move/resize (debounced) and on close.
 */

export interface Rectangle {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** The least of the window that must be on a display for a saved position to count. */
export const MIN_VISIBLE_WIDTH = 120;
export const MIN_VISIBLE_HEIGHT = 40;

export interface RestoredBounds {
  width: number;
  height: number;
  /** Absent: let the system place (centre) the window. */
  x?: number;
  y?: number;
  maximized: boolean;
}

function overlap(a: Rectangle, b: Rectangle): { width: number; height: number } {
  const width = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x);
  const height = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y);
  return { width: Math.max(0, width), height: Math.max(0, height) };
}

/**
 * Where to open the window. The saved size is cut to the largest display's work area;
 * the saved position is kept only if the window's top strip (where the title bar is)
 * shows enough on some display to be grabbed, else the system centres it.
 */
export function restoreBounds(state: WindowState, workAreas: readonly Rectangle[]): RestoredBounds {
  const largest = workAreas.reduce<Rectangle | null>((best, area) => (best === null || area.width * area.height > best.width * best.height ? area : best), null);
  const width = largest === null ? state.width : Math.min(state.width, largest.width);
  const height = largest === null ? state.height : Math.min(state.height, largest.height);
  const restored: RestoredBounds = { width, height, maximized: state.maximized };
  if (state.x === null || state.y === null) return restored;
  const titleStrip: Rectangle = { x: state.x, y: state.y, width, height: Math.min(height, MIN_VISIBLE_HEIGHT) };
  const grabbable = workAreas.some((area) => {
    const o = overlap(titleStrip, area);
    return o.width >= Math.min(MIN_VISIBLE_WIDTH, width) && o.height >= Math.min(MIN_VISIBLE_HEIGHT, height);
  });
  if (grabbable) {
    restored.x = state.x;
    restored.y = state.y;
  }
  return restored;
}

/** The part of a BrowserWindow state tracking needs. */
export interface TrackedWindow {
  isDestroyed(): boolean;
  isMaximized(): boolean;
  isMinimized(): boolean;
  isFullScreen(): boolean;
  getNormalBounds(): Rectangle;
  on(event: 'move' | 'resize' | 'maximize' | 'unmaximize' | 'close', listener: () => void): unknown;
}

export const SAVE_DEBOUNCE_MS = 500;

/** The settings schema's size range. */
const clampSize = (n: number): number => Math.min(20_000, Math.max(200, Math.round(n)));

export interface WindowStateTracking {
  /** Saves now if a save is pending (e.g. before quitting). */
  flush(): void;
  dispose(): void;
}

/** Saves the window's state through `save`, at most every SAVE_DEBOUNCE_MS, and on close. */
export function trackWindowState(window: TrackedWindow, save: (state: WindowState) => void, debounceMs = SAVE_DEBOUNCE_MS): WindowStateTracking {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let disposed = false;
  const capture = (): void => {
    timer = undefined;
    if (disposed || window.isDestroyed() || window.isMinimized()) return;
    // Normal bounds: a maximised or full-screen window remembers the size it restores to.
    const bounds = window.getNormalBounds();
    save({
      x: Math.round(bounds.x),
      y: Math.round(bounds.y),
      width: clampSize(bounds.width),
      height: clampSize(bounds.height),
      maximized: window.isMaximized() || window.isFullScreen(),
    });
  };
  const schedule = (): void => {
    if (timer !== undefined) clearTimeout(timer);
    timer = setTimeout(capture, debounceMs);
  };
  for (const event of ['move', 'resize', 'maximize', 'unmaximize'] as const) window.on(event, schedule);
  window.on('close', () => {
    if (timer !== undefined) clearTimeout(timer);
    capture();
  });
  return {
    flush() {
      if (timer === undefined) return;
      clearTimeout(timer);
      capture();
    },
    dispose() {
      disposed = true;
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
    },
  };
}
