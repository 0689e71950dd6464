import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { normalizeRoomName, parseClientMessage, parseServerMessage } from '../../../src-shared/protocol';

describe('the room actions, as the server reads them', () => {
  it('JoinRoom, LeaveRoom, ListRooms, and room on chat and History: the name trimmed and NFC', () => {
    expect(parseClientMessage('{"action":"JoinRoom","room":"  Cafe\u0301 ","key":"k"}')).toEqual({
      ok: true, message: { action: 'JoinRoom', room: 'Café', key: 'k' },
    });
    expect(parseClientMessage('{"action":"JoinRoom","room":"Ops","key":null}')).toEqual({ ok: true, message: { action: 'JoinRoom', room: 'Ops' } });
    expect(parseClientMessage('{"action":"LeaveRoom","room":"Ops"}')).toEqual({ ok: true, message: { action: 'LeaveRoom', room: 'Ops' } });
    expect(parseClientMessage('{"action":"ListRooms","room":5}')).toEqual({ ok: true, message: { action: 'ListRooms' } });
    expect(parseClientMessage('{"action":"Message","text":"hi","room":"Ops"}')).toEqual({
      ok: true, message: { action: 'Message', text: 'hi', toUserId: 0, room: 'Ops' },
    });
    expect(parseClientMessage('{"action":"History","before":9,"room":"Ops"}')).toEqual({
      ok: true, message: { action: 'History', before: 9, limit: 50, room: 'Ops' },
    });
    // The Qt client's chat frame is as before.
    expect(parseClientMessage('{"text":"hi","toUserId":0}')).toEqual({ ok: true, message: { action: 'Message', text: 'hi', toUserId: 0 } });
  });

  it('refuses junk rooms and keys with invalid-room', () => {
    for (const raw of [
      '{"action":"JoinRoom"}',
      '{"action":"JoinRoom","room":["x"]}',
      '{"action":"JoinRoom","room":""}',
      '{"action":"JoinRoom","room":"a\\u0000"}',
      '{"action":"JoinRoom","room":"Ops","key":""}',
      '{"action":"JoinRoom","room":"Ops","key":{}}',
      '{"action":"LeaveRoom","room":5}',
      '{"action":"Message","text":"hi","room":null}',
      '{"action":"Message","text":"hi","toUserId":3,"room":"Ops"}',
      '{"action":"History","before":9,"room":""}',
    ]) {
      const parsed = parseClientMessage(raw);
      expect(parsed.ok ? null : parsed.error.code, raw).toBe('invalid-room');
    }
  });

  it('never throws, and any room it accepts is a normalised name', () => {
    const room = fc.oneof(fc.string({ maxLength: 80 }), fc.string({ unit: 'grapheme', maxLength: 80 }), fc.jsonValue());
    fc.assert(
      fc.property(room, fc.oneof(fc.constant(undefined), fc.jsonValue()), fc.constantFrom('JoinRoom', 'LeaveRoom', 'Message', 'History'), (r, key, action) => {
        const parsed = parseClientMessage(JSON.stringify({ action, room: r, key, text: 't', before: 1 }));
        if (parsed.ok && 'room' in parsed.message && parsed.message.room !== undefined) {
          expect(normalizeRoomName(parsed.message.room)).toBe(parsed.message.room);
        }
      }),
      { numRuns: 1000 },
    );
  });
});

describe('the room actions, as a client reads them', () => {
  it('RoomJoined, RoomLeft, RoomList, RoomMemberJoined/Left, and room on lines, History and changes', () => {
    const anna = { userId: 1, userName: 'Anna', gender: 2, userColor: '#16a085' };
    expect(parseServerMessage(JSON.stringify({ action: 'RoomJoined', room: 'Ops', users: [anna], locked: true }))).toEqual({
      ok: true, message: { action: 'RoomJoined', room: 'Ops', users: [anna], locked: true },
    });
    expect(parseServerMessage('{"action":"RoomLeft","room":"Ops"}')).toEqual({ ok: true, message: { action: 'RoomLeft', room: 'Ops' } });
    expect(parseServerMessage('{"action":"RoomList","rooms":[{"room":"Ops","users":2,"locked":false},{"room":5},null]}')).toEqual({
      ok: true, message: { action: 'RoomList', rooms: [{ room: 'Ops', users: 2, locked: false }] },
    });
    expect(parseServerMessage(JSON.stringify({ action: 'RoomMemberLeft', room: 'Ops', ...anna }))).toEqual({
      ok: true, message: { action: 'RoomMemberLeft', room: 'Ops', ...anna },
    });
    const line = parseServerMessage(JSON.stringify({ action: 'PublicMessage', room: 'Ops', ...anna, messageId: 5, text: 'hi' }));
    expect(line.ok && line.message.action === 'PublicMessage' && line.message.room).toBe('Ops');
    const history = parseServerMessage('{"action":"History","room":"Ops","messages":[],"hasMore":false}');
    expect(history).toEqual({ ok: true, message: { action: 'History', room: 'Ops', messages: [], hasMore: false } });
    expect(parseServerMessage('{"action":"MessageDeleted","messageId":5,"room":"Ops"}')).toEqual({ ok: true, message: { action: 'MessageDeleted', messageId: 5, room: 'Ops' } });
    for (const raw of ['{"action":"RoomJoined","room":"Ops","users":[{}],"locked":true}', '{"action":"RoomJoined","room":"Ops","users":[]}', '{"action":"RoomMemberJoined","room":"Ops"}']) {
      expect(parseServerMessage(raw).ok, raw).toBe(false);
    }
  });
});
