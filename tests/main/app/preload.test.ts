import { beforeAll, describe, expect, it } from 'vitest';
import { COMMAND_NAMES, commandChannel, eventChannel } from '../../../src-shared/bridge';
import { FakeIpcMain, FakeWebContents } from '../../support/fake-electron';
import { buildPreload, loadPreload } from './helpers';

beforeAll(() => buildPreload());

function setUp() {
  const ipcMain = new FakeIpcMain();
  const contents = new FakeWebContents();
  const renderer = contents.connectRenderer(ipcMain);
  const received: { channel: string; args: unknown[] }[] = [];
  for (const name of COMMAND_NAMES) {
    ipcMain.handle(commandChannel(name), (_event, ...args) => {
      received.push({ channel: commandChannel(name), args });
      return { ok: true, value: name === 'getSettings' ? { port: 1 } : undefined };
    });
  }
  return { ipcMain, contents, renderer, received, ...loadPreload(renderer) };
}

describe('the preload bundle (dist/preload/preload.cjs) in a sandbox', () => {
  it('requires nothing but electron and exposes window.chat only', () => {
    const { required, exposed } = setUp();
    expect([...new Set(required)]).toEqual(['electron']);
    expect([...exposed.keys()]).toEqual(['chat']);
  });

  it('exposes every command of the contract and `on`, nothing else', () => {
    const { chat } = setUp();
    expect(Object.keys(chat).sort()).toEqual([...COMMAND_NAMES, 'on'].sort());
    for (const key of Object.keys(chat)) expect(typeof (chat as unknown as Record<string, unknown>)[key]).toBe('function');
    expect(Object.isFrozen(chat)).toBe(true);
  });

  it('invokes the command channel with the checked arguments and returns the value', async () => {
    const { chat, received } = setUp();
    await chat.send({ text: 'hello', toUserId: 3 });
    expect(await chat.getSettings()).toEqual({ port: 1 });
    expect(received).toEqual([
      { channel: commandChannel('send'), args: [{ text: 'hello', toUserId: 3 }] },
      { channel: commandChannel('getSettings'), args: [] },
    ]);
  });

  it('refuses bad arguments before anything is sent', async () => {
    const { chat, received } = setUp();
    await expect(chat.send({ text: 42, toUserId: 0 } as never)).rejects.toThrow(/chat\.send: text must be a string/);
    await expect(chat.connect({ server: 'x', port: -1 } as never)).rejects.toThrow(/chat\.connect: port must be an integer/);
    await expect((chat.disconnect as (...a: unknown[]) => Promise<void>)('now')).rejects.toThrow(/takes no arguments/);
    await expect((chat.setUnreadCount as (n: unknown) => Promise<void>)(-1)).rejects.toThrow(/count must be a non-negative integer/);
    expect(received).toEqual([]);
  });

  it("turns main's error replies (and malformed replies) into rejections with the message", async () => {
    const { chat, ipcMain } = setUp();
    ipcMain.removeHandler(commandChannel('stopHosting'));
    ipcMain.handle(commandChannel('stopHosting'), () => ({ ok: false, error: 'stopHosting: refused' }));
    await expect(chat.stopHosting()).rejects.toThrow('stopHosting: refused');
    ipcMain.removeHandler(commandChannel('disconnect'));
    ipcMain.handle(commandChannel('disconnect'), () => 'surprise');
    await expect(chat.disconnect()).rejects.toThrow(/no valid reply/);
  });

  it('delivers event payloads (never the IPC event) to listeners, until unsubscribed', () => {
    const { chat, contents, renderer } = setUp();
    const seen: unknown[][] = [];
    const off = chat.on('status', (...args: unknown[]) => seen.push(args));
    contents.send(eventChannel('status'), { state: 'idle' });
    expect(seen).toEqual([[{ state: 'idle' }]]);
    off();
    off();
    contents.send(eventChannel('status'), { state: 'idle' });
    expect(seen).toHaveLength(1);
    expect(renderer.listenerCount(eventChannel('status'))).toBe(0);
  });

  it('throws for unknown event names and non-function listeners', () => {
    const { chat, renderer } = setUp();
    expect(() => chat.on('__proto__' as never, () => {})).toThrow(/unknown event/);
    expect(() => chat.on('simplechat:command:send' as never, () => {})).toThrow(/unknown event/);
    expect(() => chat.on('message', 'alert(1)' as never)).toThrow(/listener must be a function/);
    expect(renderer.listenerCount('__proto__')).toBe(0);
  });
});
