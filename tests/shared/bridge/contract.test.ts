import { describe, expect, it } from 'vitest';
import { COMMAND_ARGUMENTS, COMMAND_NAMES, EVENT_NAMES, commandChannel, eventChannel } from '../../../src-shared/bridge';

describe('bridge contract', () => {
  it('names every command and event once, on distinct channels', () => {
    const channels = [...COMMAND_NAMES.map(commandChannel), ...EVENT_NAMES.map(eventChannel)];
    expect(new Set(channels).size).toBe(channels.length);
    expect(COMMAND_NAMES).toContain('connect');
    expect(EVENT_NAMES).toEqual(expect.arrayContaining(['message', 'status', 'hosting', 'notice']));
  });

  const good = { server: '::1', port: 27800, userName: 'Аня', userColor: '#16a085', gender: 2 };

  it('passes a good connect request through, dropping extra fields', () => {
    expect(COMMAND_ARGUMENTS.connect([{ ...good, extra: '<script>' }])).toEqual([good]);
  });

  it.each([
    [[], 'takes one argument'],
    [[good, good], 'takes one argument'],
    [[{ ...good, port: '27800' }], 'port must be an integer from 1 to 65535'],
    [[{ ...good, server: '' }], 'server must be a non-empty string'],
    [[{ ...good, userColor: 'red' }], 'userColor must be #rgb or #rrggbb'],
    [[{ ...good, gender: 3 }], 'gender must be 0, 1 or 2'],
  ])('refuses connect(%j)', (args, message) => {
    expect(COMMAND_ARGUMENTS.connect(args)).toBe(message);
  });

  it('checks send, unread count and no-argument commands', () => {
    expect(COMMAND_ARGUMENTS.send([{ text: 'hi', toUserId: 3 }])).toEqual([{ text: 'hi', toUserId: 3 }]);
    expect(COMMAND_ARGUMENTS.send([{ text: 'hi', toUserId: -3 }])).toBe('toUserId must be a non-negative integer');
    expect(COMMAND_ARGUMENTS.send([{ text: 5, toUserId: 0 }])).toMatch(/^text must be a string/);
    expect(COMMAND_ARGUMENTS.setUnreadCount([2])).toEqual([2]);
    expect(COMMAND_ARGUMENTS.setUnreadCount([1.5])).toBe('count must be a non-negative integer');
    expect(COMMAND_ARGUMENTS.disconnect([])).toEqual([]);
    expect(COMMAND_ARGUMENTS.disconnect([1])).toBe('takes no arguments');
  });

  it('checks the room commands, and room on send and loadOlder (issue 13 §6)', () => {
    expect(COMMAND_ARGUMENTS.joinRoom([{ room: '  Ops ', key: 'k', extra: 1 }])).toEqual([{ room: 'Ops', key: 'k' }]);
    expect(COMMAND_ARGUMENTS.joinRoom([{ room: 'Ops' }])).toEqual([{ room: 'Ops' }]);
    for (const bad of [{ room: '' }, { room: 5 }, { room: ['x'] }, { room: 'a\u0000b' }, { room: 'x'.repeat(65) }, { room: 'Ops', key: '' }, { room: 'Ops', key: 'k'.repeat(257) }]) {
      expect(typeof COMMAND_ARGUMENTS.joinRoom([bad])).toBe('string');
    }
    expect(COMMAND_ARGUMENTS.leaveRoom([{ room: 'Ops' }])).toEqual([{ room: 'Ops' }]);
    expect(typeof COMMAND_ARGUMENTS.leaveRoom([{ room: null }])).toBe('string');
    expect(COMMAND_ARGUMENTS.listRooms([])).toEqual([]);
    expect(typeof COMMAND_ARGUMENTS.listRooms([1])).toBe('string');
    expect(COMMAND_ARGUMENTS.send([{ text: 'hi', toUserId: 0, room: ' Ops' }])).toEqual([{ text: 'hi', toUserId: 0, room: 'Ops' }]);
    expect(typeof COMMAND_ARGUMENTS.send([{ text: 'hi', toUserId: 2, room: 'Ops' }])).toBe('string');
    expect(typeof COMMAND_ARGUMENTS.send([{ text: 'hi', toUserId: 0, room: 7 }])).toBe('string');
    expect(COMMAND_ARGUMENTS.loadOlder([{ before: 5, limit: 10, room: 'Ops' }])).toEqual([{ before: 5, limit: 10, room: 'Ops' }]);
    expect(typeof COMMAND_ARGUMENTS.loadOlder([{ before: 5, limit: 10, room: '' }])).toBe('string');
  });
});
