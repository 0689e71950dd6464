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
    for (const bad of [
      '{"action":"History"}',
      '{"action":"History","before":0}',
      '{"action":"History","before":9,"limit":201}',
      '{"action":"History","before":9,"room":"Ops","with":3}',
    ]) {
      const result = parseClientMessage(bad);
      expect(result.ok === false && result.error.code).toBe('invalid-history-request');
    }
  });
});

describe('Edit, Delete and replies (issue 12, §4–§6)', () => {
  const refusal = (raw: string): string | undefined => {
    const result = parseClientMessage(raw);
    return result.ok ? undefined : result.error.code;
  };

  it('reads an Edit with its text trimmed and a Delete', () => {
    expect(parseClientMessage('{"action":"Edit","messageId":12,"text":"  new  "}')).toEqual({
      ok: true,
      message: { action: 'Edit', messageId: 12, text: 'new' },
    });
    expect(parseClientMessage('{"action":"Delete","messageId":12}')).toEqual({ ok: true, message: { action: 'Delete', messageId: 12 } });
  });

  it.each([0, -3, 1.5, '12', null, 2 ** 53, [1], { id: 1 }, true])('refuses the messageId %j of an Edit or a Delete', (bad) => {
    expect(refusal(JSON.stringify({ action: 'Edit', messageId: bad, text: 'x' }))).toBe('invalid-message-id');
    expect(refusal(JSON.stringify({ action: 'Delete', messageId: bad }))).toBe('invalid-message-id');
  });

  it('refuses an Delete with no messageId and an Edit with no, empty, non-string or too long text', () => {
    expect(refusal('{"action":"Delete"}')).toBe('invalid-message-id');
    expect(refusal('{"action":"Edit","messageId":1}')).toBe('invalid-text');
    expect(refusal('{"action":"Edit","messageId":1,"text":"   "}')).toBe('invalid-text');
    expect(refusal('{"action":"Edit","messageId":1,"text":{"a":1}}')).toBe('invalid-text');
    expect(refusal(JSON.stringify({ action: 'Edit', messageId: 1, text: 'x'.repeat(4097) }))).toBe('text-too-long');
    expect(parseClientMessage(JSON.stringify({ action: 'Edit', messageId: 1, text: 'x'.repeat(4096) })).ok).toBe(true);
  });

  it('reads replyTo on a chat message, public or private; null is no reply', () => {
    expect(parseClientMessage('{"action":"Message","text":"yes","toUserId":0,"replyTo":7}')).toEqual({
      ok: true,
      message: { action: 'Message', text: 'yes', toUserId: 0, replyTo: 7 },
    });
    expect(parseClientMessage('{"text":"yes","toUserId":3,"replyTo":7}')).toEqual({
      ok: true,
      message: { action: 'Message', text: 'yes', toUserId: 3, replyTo: 7 },
    });
    expect(parseClientMessage('{"text":"yes","replyTo":null}')).toEqual({ ok: true, message: { action: 'Message', text: 'yes', toUserId: 0 } });
  });

  it.each([0, -1, 2.5, '7', 2 ** 53, {}, [7], false])('refuses the replyTo %j', (bad) => {
    expect(refusal(JSON.stringify({ text: 'x', replyTo: bad }))).toBe('invalid-message-id');
  });

  const line = { action: 'PublicMessage', userId: 1, userName: 'a', gender: 0, userColor: '#abc', text: 'hi', messageId: 9, sentAt: 1_800_000_000_000 };

  it('reads editedAt and a reply quote of a PublicMessage, and drops malformed ones', () => {
    const replyTo = { messageId: 3, userName: 'Аня', excerpt: 'what &lt;is&gt; it' };
    expect(parseServerMessage(JSON.stringify({ ...line, editedAt: 1_800_000_000_500, replyTo }))).toEqual({
      ok: true,
      message: { ...line, editedAt: 1_800_000_000_500, replyTo },
    });
    for (const bad of [{ ...replyTo, messageId: 0 }, { ...replyTo, userName: 5 }, { messageId: 3, userName: 'x' }, 'quote', 3]) {
      expect(parseServerMessage(JSON.stringify({ ...line, editedAt: -1, replyTo: bad }))).toEqual({ ok: true, message: line });
    }
  });

  it('reads a tombstone with no text, whatever text came with it', () => {
    expect(parseServerMessage(JSON.stringify({ ...line, text: '', deleted: true }))).toEqual({ ok: true, message: { ...line, text: '', deleted: true } });
    expect(parseServerMessage(JSON.stringify({ ...line, text: 'old', deleted: true, replyTo: { messageId: 3, userName: 'a', excerpt: 'b' } }))).toEqual({
      ok: true,
      message: { ...line, text: '', deleted: true },
    });
    expect(parseServerMessage(JSON.stringify({ ...line, deleted: 'yes' }))).toEqual({ ok: true, message: line });
  });

  it('reads the reply quote of a PrivateMessage', () => {
    const replyTo = { messageId: 3, userName: 'a', excerpt: 'b' };
    const priv = { ...line, action: 'PrivateMessage', toUserId: 2 };
    expect(parseServerMessage(JSON.stringify({ ...priv, replyTo }))).toEqual({ ok: true, message: { ...priv, replyTo } });
  });

  it('reads MessageEdited and MessageDeleted, and refuses malformed ones', () => {
    expect(parseServerMessage('{"action":"MessageEdited","messageId":9,"text":"new","editedAt":1800000000000}')).toEqual({
      ok: true,
      message: { action: 'MessageEdited', messageId: 9, text: 'new', editedAt: 1_800_000_000_000 },
    });
    expect(parseServerMessage('{"action":"MessageDeleted","messageId":9,"extra":1}')).toEqual({ ok: true, message: { action: 'MessageDeleted', messageId: 9 } });
    for (const bad of [
      '{"action":"MessageEdited","messageId":9,"text":"new"}',
      '{"action":"MessageEdited","messageId":"9","text":"new","editedAt":1}',
      '{"action":"MessageEdited","messageId":9,"text":5,"editedAt":1}',
      '{"action":"MessageDeleted"}',
      '{"action":"MessageDeleted","messageId":-9}',
    ]) {
      expect(parseServerMessage(bad)).toMatchObject({ ok: false, error: { code: 'invalid-message' } });
    }
  });
});

describe('statuses and buzz (issue 13 §3–§4)', () => {
  it('reads SetStatus with its text made one line and trimmed (absent: none), Buzz and AllowBuzz', () => {
    expect(parseClientMessage('{"action":"SetStatus","status":"resting","text":" tea\\n\\tand\\u0007 cake "}')).toEqual({
      ok: true,
      message: { action: 'SetStatus', status: 'resting', text: 'tea and cake' },
    });
    expect(parseClientMessage('{"action":"SetStatus","status":"away"}')).toEqual({ ok: true, message: { action: 'SetStatus', status: 'away', text: '' } });
    expect(parseClientMessage('{"action":"Buzz","toUserId":7}')).toEqual({ ok: true, message: { action: 'Buzz', toUserId: 7 } });
    expect(parseClientMessage('{"action":"AllowBuzz","allow":false}')).toEqual({ ok: true, message: { action: 'AllowBuzz', allow: false } });
  });

  it.each([
    ['{"action":"SetStatus","status":"Away"}', 'invalid-status'],
    ['{"action":"SetStatus","status":"online","text":{}}', 'invalid-status'],
    [`{"action":"SetStatus","status":"online","text":"${'я'.repeat(81)}"}`, 'invalid-status'],
    ['{"action":"Buzz"}', 'invalid-buzz'],
    ['{"action":"Buzz","toUserId":0}', 'invalid-buzz'],
    ['{"action":"AllowBuzz","allow":1}', 'invalid-status'],
  ])('refuses %s with %s', (raw, code) => {
    const result = parseClientMessage(raw);
    expect(result.ok ? null : result.error.code).toBe(code);
  });

  it('reads StatusChanged, Buzz, listed statuses and an Error’s refused action; drops what is not one', () => {
    expect(parseServerMessage('{"action":"StatusChanged","userId":2,"status":"busy","text":"x"}')).toEqual({
      ok: true,
      message: { action: 'StatusChanged', userId: 2, status: 'busy', text: 'x' },
    });
    expect(parseServerMessage('{"action":"StatusChanged","userId":2,"status":"busy"}')).toMatchObject({ ok: true, message: { text: '' } });
    expect(parseServerMessage('{"action":"StatusChanged","userId":2,"status":"asleep","text":""}').ok).toBe(false);
    expect(parseServerMessage('{"action":"Buzz","userId":2,"toUserId":1}')).toEqual({ ok: true, message: { action: 'Buzz', userId: 2, toUserId: 1 } });
    expect(parseServerMessage('{"action":"Buzz","userId":"2","toUserId":1}').ok).toBe(false);
    const connected = parseServerMessage('{"action":"Connected","userId":3,"userName":"Cy","gender":0,"userColor":"#000","status":"nope","statusText":5}');
    expect(connected).toEqual({ ok: true, message: { action: 'Connected', userId: 3, userName: 'Cy', gender: 0, userColor: '#000' } });
    expect(parseServerMessage('{"action":"Error","code":"buzz-off","message":"m","refused":"Buzz"}')).toEqual({
      ok: true,
      message: { action: 'Error', code: 'buzz-off', message: 'm', refused: 'Buzz' },
    });
  });
});
