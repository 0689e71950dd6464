import { contextBridge, ipcRenderer } from 'electron';
import type { IpcRenderer } from 'electron';
import { COMMAND_ARGUMENTS, COMMAND_NAMES, EVENT_NAMES, commandChannel, eventChannel } from '../src-shared/bridge';
import type { BridgeCommands, ChatBridge, CommandName, Unsubscribe } from '../src-shared/bridge';
import type { IpcReply } from './app/ipc';

/*
 * The sandboxed preload: exposes `window.chat`, a ChatBridge built from the contract
 * and nothing else. Arguments are checked here too, so a page bug fails fast with the
 * command's name, and main checks them again because it trusts no renderer.
 */

type RendererIpc = Pick<IpcRenderer, 'invoke' | 'on' | 'removeListener'>;

const isReply = (value: unknown): value is IpcReply =>
  typeof value === 'object' &&
  value !== null &&
  ((value as IpcReply).ok === true || ((value as IpcReply).ok === false && typeof (value as { error?: unknown }).error === 'string'));

export function createChatBridge(ipc: RendererIpc): ChatBridge {
  const commands: Partial<Record<CommandName, (...args: unknown[]) => Promise<unknown>>> = {};
  for (const name of COMMAND_NAMES) {
    commands[name] = async (...args: unknown[]) => {
      const checked = COMMAND_ARGUMENTS[name](args);
      if (typeof checked === 'string') throw new TypeError(`chat.${name}: ${checked}`);
      const reply: unknown = await ipc.invoke(commandChannel(name), ...checked);
      if (!isReply(reply)) throw new Error(`chat.${name}: the main process sent no valid reply`);
      if (!reply.ok) throw new Error(reply.error);
      return reply.value;
    };
  }

  const events = new Set<string>(EVENT_NAMES);
  const on: ChatBridge['on'] = (event, listener): Unsubscribe => {
    if (typeof event !== 'string' || !events.has(event)) throw new TypeError(`chat.on: unknown event ${String(event).slice(0, 40)}`);
    if (typeof listener !== 'function') throw new TypeError('chat.on: the listener must be a function');
    // The IPC event (with its sender) stays here: the page gets the payload only.
    const forward = (_event: unknown, payload: unknown): void => listener(payload as never);
    const channel = eventChannel(event);
    ipc.on(channel, forward);
    let subscribed = true;
    return () => {
      if (!subscribed) return;
      subscribed = false;
      ipc.removeListener(channel, forward);
    };
  };

  return Object.freeze({ ...(commands as BridgeCommands), on });
}

contextBridge.exposeInMainWorld('chat', createChatBridge(ipcRenderer));
