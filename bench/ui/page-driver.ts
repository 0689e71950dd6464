/**
 * Runs inside the page (passed to addInitScript, so it must be self-contained):
 * the stand-in `window.chat` bridge the desktop preload would expose, plus the
 * bench's probes — a long-task observer and a frame-gap recorder — and feeders
 * that push `message` events the way main's IPC does, one task per event.
 */
export interface PageDriver {
  /** Pushes a bridge event to the page's listeners, as main would. */
  emit(event: string, payload: unknown): void;
  /** Starts a probe window: clears long tasks and frame gaps recorded so far. */
  resetProbes(): void;
  probes(): { longTasks: number[]; maxFrameGapMs: number };
  /** `count` public messages at `perSecond`, each its own task; resolves when all are pushed. */
  feedAtRate(first: number, count: number, perSecond: number): Promise<number>;
  /** `count` public messages back to back, each its own task; resolves after the frame that shows the last one. */
  feedFlatOut(first: number, count: number): Promise<number>;
  /** `count` messages in batches of `batch` per task (to build a long log quickly). */
  feedInBatches(first: number, count: number, batch: number): Promise<void>;
  nextFrame(): Promise<void>;
}

declare global {
  interface Window {
    __benchDriver: PageDriver;
  }
}

export function installPageDriver(setup: { settings: unknown; self: { userId: number; userName: string; gender: 0 | 1 | 2; userColor: string } }): void {
  type Listener = (payload: unknown) => void;
  const listeners = new Map<string, Set<Listener>>();
  const resolved = <T>(value: T) => Promise.resolve(value);
  let settings = setup.settings as Record<string, unknown>;
  // The ChatBridge surface (src-shared/bridge/contract.ts); commands succeed and do nothing.
  const bridge = {
    connect: () => resolved(undefined),
    disconnect: () => resolved(undefined),
    send: () => resolved(undefined),
    hostRoom: () => resolved({ state: 'stopped' }),
    stopHosting: () => resolved(undefined),
    getSettings: () => resolved(settings),
    saveSettings: (patch: Record<string, unknown>) => {
      settings = { ...settings, ...patch };
      return resolved(settings);
    },
    requestAttention: () => resolved(undefined),
    setUnreadCount: () => resolved(undefined),
    on(event: string, listener: Listener) {
      let set = listeners.get(event);
      if (!set) listeners.set(event, (set = new Set()));
      set.add(listener);
      return () => set!.delete(listener);
    },
  };
  Object.defineProperty(window, 'chat', { value: bridge, configurable: false, writable: false });

  let longTasks: number[] = [];
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) longTasks.push(entry.duration);
  }).observe({ type: 'longtask', buffered: true });

  let maxFrameGapMs = 0;
  let lastFrame = 0;
  const onFrame = (now: number) => {
    if (lastFrame > 0) maxFrameGapMs = Math.max(maxFrameGapMs, now - lastFrame);
    lastFrame = now;
    requestAnimationFrame(onFrame);
  };
  requestAnimationFrame(onFrame);

  const emit = (event: string, payload: unknown) => {
    for (const listener of listeners.get(event) ?? []) listener(payload);
  };
  const senders = [
    { userId: 2, userName: 'Аня', gender: 2, userColor: '#8e44ad' },
    { userId: 3, userName: 'Bob', gender: 1, userColor: '#27ae60' },
    { userId: 4, userName: 'Инкогнито', gender: 0, userColor: '#d35400' },
  ];
  // Realistic lines: some bold runs, some long enough to wrap, one in ten mentions us.
  const chatLine = (n: number) => {
    const from = senders[n % senders.length]!;
    const mention = n % 10 === 0 ? `<b>${setup.self.userName}</b>, ` : '';
    const tail = n % 7 === 0 ? ' — and a longer sentence that goes on for a while so that this line wraps in a narrow window, as real ones do' : '';
    return { action: 'PublicMessage', ...from, text: `${mention}line ${n}: the quick brown fox jumps over <b>the lazy dog</b>${tail}` };
  };

  // A message port delivers each event as a task of its own, as Electron's IPC does.
  const channel = new MessageChannel();
  let queue: Array<() => void> = [];
  channel.port1.onmessage = () => queue.shift()?.();
  const inOwnTask = (work: () => void) => {
    queue.push(work);
    channel.port2.postMessage(null);
  };
  const nextFrame = () => new Promise<void>((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));

  window.__benchDriver = {
    emit,
    resetProbes() {
      longTasks = [];
      maxFrameGapMs = 0;
      lastFrame = 0;
    },
    probes: () => ({ longTasks: longTasks.slice(), maxFrameGapMs }),
    feedAtRate(first, count, perSecond) {
      return new Promise((resolve) => {
        const start = performance.now();
        let sent = 0;
        const tick = () => {
          const due = Math.min(count, Math.floor(((performance.now() - start) * perSecond) / 1000) + 1);
          for (; sent < due; sent++) {
            const n = first + sent;
            inOwnTask(() => emit('message', chatLine(n)));
          }
          if (sent < count) setTimeout(tick, 1);
          else inOwnTask(() => resolve(performance.now() - start));
        };
        tick();
      });
    },
    feedFlatOut(first, count) {
      return new Promise((resolve) => {
        const start = performance.now();
        for (let i = 0; i < count; i++) inOwnTask(() => emit('message', chatLine(first + i)));
        inOwnTask(() => void nextFrame().then(() => resolve(performance.now() - start)));
      });
    },
    async feedInBatches(first, count, batch) {
      for (let done = 0; done < count; done += batch) {
        for (let i = done; i < Math.min(count, done + batch); i++) emit('message', chatLine(first + i));
        await nextFrame();
      }
    },
    nextFrame,
  };
  queue = [];
}
