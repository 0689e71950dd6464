import { describe, expect, it } from 'vitest';
import { parseClientMessage, parseServerMessage } from '../../../src-shared/protocol';

describe('parseClientMessage', () => {
  it('reads the Qt client chat shape (no action) as a trimmed message', () => {
    expect(parseClientMessage('{"text":"  hi  ","toUserId":0}')).toEqual({
      ok: true,
      message: { action: 'Message', text: 'hi', toUserId: 0 },
    });
  });

  it('reads Pong', () => {
    expect(parseClientMessage('{"action":"Pong"}')).toEqual({ ok: true, message: { action: 'Pong' } });
  });

  it.each([
    ['not json', 'invalid-json'],
    ['5', 'not-an-object'],
    ['null', 'not-an-object'],
    ['[1]', 'not-an-object'],
    ['{"text":["x"]}', 'invalid-text'],
    ['{"text":"x","toUserId":-1}', 'invalid-recipient'],
    ['{"text":"x","toUserId":1.5}', 'invalid-recipient'],
    ['{"text":"x","toUserId":"3"}', 'invalid-recipient'],
    ['{"action":"Nope","text":"x"}', 'unknown-action'],
    [JSON.stringify({ text: 'x'.repeat(4097) }), 'text-too-long'],
  ])('refuses %s with %s', (raw, code) => {
    const result = parseClientMessage(raw);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.code).toBe(code);
  });

  it('counts the 4096 limit in characters, not UTF-16 units', () => {
    const emoji = '😀'.repeat(4096);
    expect(parseClientMessage(JSON.stringify({ text: emoji })).ok).toBe(true);
    expect(parseClientMessage(JSON.stringify({ text: emoji + '😀' })).ok).toBe(false);
  });
});

describe('parseServerMessage', () => {
  const ann = { userId: 1, userName: 'Аня', gender: 2, userColor: '#16a085' };

  it('reads the original Authorized example', () => {
    const raw = JSON.stringify({ action: 'Authorized', ...ann, users: [ann] });
    expect(parseServerMessage(raw)).toEqual({ ok: true, message: { action: 'Authorized', ...ann, users: [ann] } });
  });

  it('drops fields it does not know and keeps sessionToken', () => {
    const raw = JSON.stringify({ action: 'Authorized', ...ann, users: [], sessionToken: 't', evil: '<b>' });
    const result = parseServerMessage(raw);
    expect(result).toEqual({ ok: true, message: { action: 'Authorized', ...ann, users: [], sessionToken: 't' } });
  });

  it('reports an unknown action by name', () => {
    const result = parseServerMessage('{"action":"Typing","userId":1}');
    expect(result).toMatchObject({ ok: false, error: { code: 'unknown-action', action: 'Typing' } });
  });

  it.each([
    '{"action":"Connected","userId":"1","userName":"a","gender":0,"userColor":"#000"}',
    '{"action":"PublicMessage","userId":1,"userName":"a","gender":0,"userColor":"#000"}',
    '{"action":"Authorized","userId":1,"userName":"a","gender":0,"userColor":"#000","users":[5]}',
    '{"action":"Error","code":1}',
  ])('refuses a malformed message %s', (raw) => {
    expect(parseServerMessage(raw)).toMatchObject({ ok: false, error: { code: 'invalid-message' } });
  });

  it('reads an out-of-range gender as unknown', () => {
    const raw = JSON.stringify({ action: 'Connected', ...ann, gender: 7 });
    expect(parseServerMessage(raw)).toMatchObject({ ok: true, message: { gender: 0 } });
  });
});

describe('message ids, times and History (issue 12)', () => {
  it('reads a line’s messageId and sentAt, and drops ones that are not positive safe integers', () => {
    const line = { action: 'PublicMessage', userId: 1, userName: 'a', gender: 0, userColor: '#abc', text: 'hi' };
    expect(parseServerMessage(JSON.stringify({ ...line, messageId: 7, sentAt: 1_800_000_000_000 }))).toEqual({
      ok: true,
      message: { ...line, messageId: 7, sentAt: 1_800_000_000_000 },
    });
    for (const bad of [0, -1, 1.5, '7', 2 ** 53, null]) {
      expect(parseServerMessage(JSON.stringify({ ...line, messageId: bad, sentAt: bad }))).toEqual({ ok: true, message: line });
    }
    // The original server sends neither.
    expect(parseServerMessage(JSON.stringify(line))).toEqual({ ok: true, message: line });
  });

  it('reads hasMore of a History when it is a boolean', () => {
    expect(parseServerMessage('{"action":"History","messages":[],"hasMore":true}')).toEqual({
      ok: true,
      message: { action: 'History', messages: [], hasMore: true },
    });
    expect(parseServerMessage('{"action":"History","messages":[],"hasMore":"yes"}')).toEqual({
      ok: true,
      message: { action: 'History', messages: [] },
    });
  });

  it('reads a History request, limit 50 by default', () => {
    expect(parseClientMessage('{"action":"History","before":99}')).toEqual({ ok: true, message: { action: 'History', before: 99, limit: 50 } });
    expect(parseClientMessage('{"action":"History","before":99,"limit":200}')).toEqual({
      ok: true,
      message: { action: 'History', before: 99, limit: 200 },
    });
    for (const bad of ['{"action":"History"}', '{"action":"History","before":0}', '{"action":"History","before":9,"limit":201}']) {
      const result = parseClientMessage(bad);
      expect(result.ok === false && result.error.code).toBe('invalid-history-request');
    }
  });
});
