import { describe, expect, it } from 'vitest';
import { COMMAND_NAMES, DEFAULT_SETTINGS, EVENT_NAMES, commandChannel, eventChannel } from '../../../src-shared/bridge';
import type { BridgeCommands, HostingStatus } from '../../../src-shared/bridge';
import { RendererEvents, isOwnRendererEvent, registerCommands } from '../../../src-main/app/ipc';
import type { CommandWiringOptions, IpcReply } from '../../../src-main/app/ipc';
import { isRendererUrl } from '../../../src-main/app/security';
import { FakeIpcMain, FakeWebContents, FakeWebFrame } from '../../support/fake-electron';

/** A BridgeCommands that records its calls. */
function recordingCommands() {
  const calls: { name: string; args: unknown[] }[] = [];
  const record =
    <T>(name: string, value: T) =>
    async (...args: unknown[]): Promise<T> => {
      calls.push({ name, args });
      return value;
    };
  const stopped: HostingStatus = { state: 'stopped' };
  const commands: BridgeCommands = {
    connect: record('connect', undefined),
    disconnect: record('disconnect', undefined),
    send: record('send', undefined),
    hostRoom: record('hostRoom', stopped),
    stopHosting: record('stopHosting', undefined),
    getSettings: record('getSettings', { ...DEFAULT_SETTINGS }),
    saveSettings: record('saveSettings', { ...DEFAULT_SETTINGS }),
    requestAttention: record('requestAttention', undefined),
    setUnreadCount: record('setUnreadCount', undefined),
    cancelPending: record('cancelPending', false),
    loadOlder: record('loadOlder', false),
    editMessage: record('editMessage', false),
    deleteMessage: record('deleteMessage', false),
    setStatus: record('setStatus', undefined),
    buzz: record('buzz', false),
    loadDialog: record('loadDialog', false),
    joinRoom: record('joinRoom', false),
    leaveRoom: record('leaveRoom', false),
    listRooms: record('listRooms', false),
    uploadFile: record('uploadFile', { ok: false, error: 'not-connected', message: '' } as const),
    cancelUpload: record('cancelUpload', false),
    fileLink: record('fileLink', { ok: false, error: 'not-connected', message: '' } as const),
    showDownload: record('showDownload', false),
    reconnectNow: record('reconnectNow', undefined),
  };
  return { commands, calls };
}

function wire(commands: BridgeCommands) {
  const ipcMain = new FakeIpcMain();
  const ours = new FakeWebContents();
  const window = { isDestroyed: () => false, webContents: ours };
  const log: string[] = [];
  const dispose = registerCommands({
    ipcMain: ipcMain as unknown as CommandWiringOptions['ipcMain'],
    commands,
    isTrustedSender: (event) => isOwnRendererEvent(event, window as never, isRendererUrl),
    log: (line) => log.push(line),
  });
  return { ipcMain, ours, dispose, log };
}

const connectRequest = { server: 'chat.example', port: 27800, userName: 'Ann', userColor: '#112233', gender: 2 };

describe('IPC registrations', () => {
  it('registers exactly one handler per command, on the contract channels, and removes them all', () => {
    const { ipcMain, dispose } = wire(recordingCommands().commands);
    expect([...ipcMain.handlers.keys()].sort()).toEqual(COMMAND_NAMES.map(commandChannel).sort());
        dispose();
    expect(ipcMain.handlers.size).toBe(0);
  });

  it('passes checked arguments through to the command and its result back', async () => {
    const { commands, calls } = recordingCommands();
    const { ipcMain, ours } = wire(commands);
    const renderer = ours.connectRenderer(ipcMain);
    expect(await renderer.invoke(commandChannel('connect'), { ...connectRequest, roomKey: '' })).toEqual({ ok: true, value: undefined });
    // The empty room key is dropped by the contract's check.
    expect(calls).toEqual([{ name: 'connect', args: [connectRequest] }]);
    const reply = (await renderer.invoke(commandChannel('getSettings'))) as IpcReply;
    expect(reply).toEqual({ ok: true, value: { ...DEFAULT_SETTINGS } });
  });
});

describe('sender checks', () => {
  it('refuses a foreign webContents without running the command', async () => {
    const { commands, calls } = recordingCommands();
    const { ipcMain, log } = wire(commands);
    const stranger = new FakeWebContents();
    const reply = (await stranger.connectRenderer(ipcMain).invoke(commandChannel('send'), { text: 'hi', toUserId: 0 })) as IpcReply;
    expect(reply.ok).toBe(false);
    expect(reply.ok === false && reply.error).toMatch(/send: refused: the sender is not the SimpleChat window/);
    expect(calls).toEqual([]);
    expect(log.join('\n')).toMatch(/refused send/);
  });

  it('refuses our own window when the sender is an iframe, a vanished frame, or another page', async () => {
    const { commands, calls } = recordingCommands();
    const { ipcMain, ours } = wire(commands);
    const iframe = new FakeWebFrame('app://simplechat/index.html');
    for (const frame of [() => iframe, () => null]) {
      const reply = (await ours.connectRenderer(ipcMain, frame).invoke(commandChannel('disconnect'))) as IpcReply;
      expect(reply.ok).toBe(false);
    }
    ours.mainFrame.url = 'https://evil.example/';
    expect(((await ours.connectRenderer(ipcMain).invoke(commandChannel('disconnect'))) as IpcReply).ok).toBe(false);
    expect(calls).toEqual([]);
  });

  it('refuses everyone once our window is destroyed', () => {
    const ours = new FakeWebContents();
    const event = { sender: ours, senderFrame: ours.mainFrame } as never;
    expect(isOwnRendererEvent(event, { isDestroyed: () => false, webContents: ours } as never, isRendererUrl)).toBe(true);
    expect(isOwnRendererEvent(event, { isDestroyed: () => true, webContents: ours } as never, isRendererUrl)).toBe(false);
    expect(isOwnRendererEvent(event, null, isRendererUrl)).toBe(false);
  });
});

describe('argument validation', () => {
  const bad: [string, unknown[], RegExp][] = [
    ['connect', [], /connect: takes one argument/],
    ['connect', ['chat.example'], /the argument must be an object/],
    ['connect', [{ ...connectRequest, port: 70000 }], /port must be an integer/],
    ['connect', [{ ...connectRequest, server: '' }], /server must be a non-empty string/],
    ['connect', [{ ...connectRequest, userColor: 'red; background:url(x)' }], /userColor/],
    ['connect', [{ ...connectRequest, gender: 7 }], /gender/],
    ['send', [{ text: 'x'.repeat(10_000), toUserId: 0 }], /text must be a string of at most/],
    ['send', [{ text: 'hi', toUserId: -1 }], /toUserId/],
    ['send', [{ text: 'hi', toUserId: 0 }, 'extra'], /takes one argument/],
    ['hostRoom', [{ port: 0 }], /port must be an integer from 1 to 65535/],
    ['disconnect', [1], /takes no arguments/],
    ['saveSettings', [{ window: { x: 0 } }], /unknown or read-only setting: window/],
    ['saveSettings', [{ port: 'x' }], /invalid value for port/],
    ['requestAttention', [{ kind: 'spam', from: 'a', text: 'b' }], /kind must be mention, private or buzz/],
    ['setUnreadCount', [1.5], /count must be a non-negative integer/],
    ['setStatus', [{ status: 'asleep', text: '' }], /status must be one of/],
    ['setStatus', [{ status: 'busy', text: 'x'.repeat(81) }], /text must be a string of at most 80/],
    ['buzz', [{ toUserId: 0 }], /toUserId must be a user id/],
    ['buzz', [{ toUserId: '2' }], /toUserId must be a user id/],
  ];

  it.each(bad)('%s(%j) is refused with a clear error and never reaches the command', async (name, args, message) => {
    const { commands, calls } = recordingCommands();
    const { ipcMain, ours } = wire(commands);
    const reply = (await ours.connectRenderer(ipcMain).invoke(commandChannel(name as never), ...args)) as IpcReply;
    expect(reply.ok).toBe(false);
    expect(reply.ok === false && reply.error).toMatch(message);
    expect(reply.ok === false && reply.error.startsWith(`${name}: `)).toBe(true);
    expect(calls).toEqual([]);
  });

  it('turns a command that throws into an error reply, not a crash', async () => {
    const { commands } = recordingCommands();
    commands.send = async () => {
      throw new Error('not connected');
    };
    const { ipcMain, ours, log } = wire(commands);
    expect(await ours.connectRenderer(ipcMain).invoke(commandChannel('send'), { text: 'hi', toUserId: 0 })).toEqual({ ok: false, error: 'send: not connected' });
    expect(log.join('\n')).toMatch(/send failed: not connected/);
  });
});

describe('events to the renderer', () => {
  const status = (state: 'idle') => ({ state });

  it('queues until the page has loaded, then delivers in order', () => {
    const events = new RendererEvents();
    const contents = new FakeWebContents();
    events.emit('status', status('idle'));
    events.emit('notice', { kind: 'server-error', message: 'x' });
    expect(contents.sent).toEqual([]);
    events.attach(contents);
    expect(contents.sent.map((s) => s.channel)).toEqual([eventChannel('status'), eventChannel('notice')]);
    events.emit('hosting', { state: 'stopped' });
    expect(contents.sent.at(-1)).toEqual({ channel: eventChannel('hosting'), args: [{ state: 'stopped' }] });
    expect(EVENT_NAMES.map(eventChannel)).toContain(contents.sent.at(-1)!.channel);
  });

  it('gives a reloaded page the latest status and hosting first, then what happened meanwhile', () => {
    const events = new RendererEvents();
    const contents = new FakeWebContents();
    events.attach(contents);
    events.emit('hosting', { state: 'running', port: 1, addresses: [], webUrls: [], locked: false });
    events.emit('status', { state: 'open', url: 'ws://x' });
    events.detach();
    events.emit('notice', { kind: 'server-newer', action: 'Foo' });
    const before = contents.sent.length;
    events.attach(contents);
    expect(contents.sent.slice(before).map((s) => s.channel)).toEqual([eventChannel('hosting'), eventChannel('status'), eventChannel('notice')]);
  });

  it('a page reloaded while logged in gets the room as it is now', () => {
    const events = new RendererEvents();
    const contents = new FakeWebContents();
    events.attach(contents);
    const ann = { userId: 1, userName: 'Ann', gender: 2, userColor: '#abc' } as const;
    const bob = { userId: 2, userName: 'Bob', gender: 1, userColor: '#123' } as const;
    const cy = { userId: 3, userName: 'Cy', gender: 0, userColor: '#456' } as const;
    events.emit('status', { state: 'authorized', self: ann });
    events.emit('message', { action: 'Authorized', ...ann, users: [ann, bob] });
    events.emit('message', { action: 'Connected', ...cy });
    events.emit('message', { action: 'Disconnected', ...bob });
    events.emit('message', { action: 'PublicMessage', ...cy, text: 'hi' });
    events.detach();
    const before = contents.sent.length;
    events.attach(contents);
    const replay = contents.sent.slice(before);
    expect(replay.map((s) => s.channel)).toEqual([eventChannel('status'), eventChannel('message')]);
    expect(replay[1]!.args[0]).toEqual({ action: 'Authorized', ...ann, users: [ann, cy] });
  });

  it('a page reloaded while logged in gets everyone’s status as it is now (issue 13 §3)', () => {
    const events = new RendererEvents();
    const contents = new FakeWebContents();
    events.attach(contents);
    const ann = { userId: 1, userName: 'Ann', gender: 2, userColor: '#abc' } as const;
    const bob = { userId: 2, userName: 'Bob', gender: 1, userColor: '#123' } as const;
    const cy = { userId: 3, userName: 'Cy', gender: 0, userColor: '#456' } as const;
    events.emit('status', { state: 'authorized', self: ann });
    events.emit('message', { action: 'Authorized', ...ann, users: [ann, { ...bob, status: 'busy', statusText: 'call' }] });
    events.emit('message', { action: 'Connected', ...cy, status: 'away' });
    events.emit('message', { action: 'StatusChanged', userId: 2, status: 'online', text: '' });
    events.emit('message', { action: 'StatusChanged', userId: 1, status: 'working', text: 'x &amp; y' });
    events.detach();
    const before = contents.sent.length;
    events.attach(contents);
    expect(contents.sent.slice(before)[1]!.args[0]).toEqual({
      action: 'Authorized',
      ...ann,
      users: [{ ...ann, status: 'working', statusText: 'x &amp; y' }, bob, { ...cy, status: 'away' }],
    });
  });

  it('no stale room for a page reloaded while not logged in', () => {
    const events = new RendererEvents();
    const contents = new FakeWebContents();
    events.attach(contents);
    const ann = { userId: 1, userName: 'Ann', gender: 2, userColor: '#abc' } as const;
    events.emit('message', { action: 'Authorized', ...ann, users: [ann] });
    events.emit('status', { state: 'reconnecting', delayMs: 1000, attempt: 1, reason: 'gone' });
    events.detach();
    const before = contents.sent.length;
    events.attach(contents);
    expect(contents.sent.slice(before).map((s) => s.channel)).toEqual([eventChannel('status')]);
  });

  it('never sends to a destroyed page', () => {
    const events = new RendererEvents();
    const contents = new FakeWebContents();
    events.attach(contents);
    contents.destroyed = true;
    expect(() => events.emit('status', status('idle'))).not.toThrow();
  });
});
