import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import vm from 'node:vm';
import type { ChatBridge } from '../../../src-shared/bridge';
import { ensureBuilt } from '../../support/build';
import type { FakeIpcRenderer } from '../../support/fake-electron';

export const ROOT = resolve(__dirname, '../../..');
export const PRELOAD_BUNDLE = join(ROOT, 'dist/preload/preload.cjs');

/** The real preload bundle, as `npm test` builds it (built here only when missing or stale). */
export function buildPreload(): void {
  ensureBuilt('preload');
}

export interface LoadedPreload {
  /** What the preload passed to contextBridge.exposeInMainWorld, by key. */
  exposed: Map<string, unknown>;
  /** Every module the bundle asked `require` for. */
  required: string[];
  chat: ChatBridge;
}

/**
 * Runs dist/preload/preload.cjs as a sandboxed preload runs: in its own context, with a
 * `require` that knows only 'electron' (anything else throws, as in a sandbox).
 */
export function loadPreload(ipcRenderer: FakeIpcRenderer): LoadedPreload {
  const code = readFileSync(PRELOAD_BUNDLE, 'utf8');
  const exposed = new Map<string, unknown>();
  const required: string[] = [];
  const electron = {
    ipcRenderer,
    contextBridge: {
      exposeInMainWorld(key: string, api: unknown) {
        if (exposed.has(key)) throw new Error(`already exposed: ${key}`);
        exposed.set(key, api);
      },
    },
  };
  const sandboxRequire = (id: string): unknown => {
    required.push(id);
    if (id === 'electron') return electron;
    throw new Error(`module not found in a sandboxed preload: ${id}`);
  };
  const module = { exports: {} as unknown };
  const context = vm.createContext({});
  const wrapper = vm.runInContext(`(function (exports, require, module) {${code}\n})`, context, { filename: PRELOAD_BUNDLE }) as (
    exports: unknown,
    require: (id: string) => unknown,
    module: { exports: unknown },
  ) => void;
  wrapper(module.exports, sandboxRequire, module);
  return { exposed, required, chat: exposed.get('chat') as ChatBridge };
}

/** A port free on 127.0.0.1 right now. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const address = server.address();
  await new Promise<void>((done) => server.close(() => done()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

/** Resolves with the first value `pick` accepts, from events delivered by `subscribe`; rejects after `ms`. */
export function waitFor<T, R>(
  subscribe: (listener: (value: T) => void) => () => void,
  pick: (value: T) => R | undefined,
  ms = 5_000,
  what = 'event',
): Promise<R> {
  return new Promise<R>((resolvePromise, reject) => {
    let unsubscribe: () => void = () => {};
    const timer = setTimeout(() => {
      unsubscribe();
      reject(new Error(`timed out after ${ms} ms waiting for ${what}`));
    }, ms);
    unsubscribe = subscribe((value) => {
      const picked = pick(value);
      if (picked === undefined) return;
      clearTimeout(timer);
      unsubscribe();
      resolvePromise(picked);
    });
  });
}
