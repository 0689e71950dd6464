import { describe, expect, it } from 'vitest';
import { parseClientMessage, parseServerMessage } from '../../../src-shared/protocol';

describe('a chat line’s file, as the server reads it', () => {
  it('takes exactly {"fileId":"…"}, with or without text', () => {
    expect(parseClientMessage('{"action":"Message","text":"","toUserId":0,"file":{"fileId":"abcDEF_-123"}}')).toEqual({
      ok: true, message: { action: 'Message', text: '', toUserId: 0, file: { fileId: 'abcDEF_-123' } },
    });
    expect(parseClientMessage('{"action":"Message","text":"hi","toUserId":0,"file":null}')).toEqual({ ok: true, message: { action: 'Message', text: 'hi', toUserId: 0 } });
  });

  it('refuses a string, a number, an array, extra fields, a bad id with invalid-file', () => {
    for (const file of ['"abc"', '5', '["abc"]', '{"fileId":"abc","url":"https://x"}', '{"fileId":5}', '{}', '{"fileId":"../x"}', `{"fileId":"${'a'.repeat(65)}"}`]) {
      const raw = `{"action":"Message","text":"x","toUserId":0,"file":${file}}`;
      const parsed = parseClientMessage(raw);
      expect(parsed.ok ? null : parsed.error.code, raw).toBe('invalid-file');
    }
  });
});

describe('a line’s file, as a client reads it', () => {
  it('keeps the fields of a well-formed file and drops a malformed one', () => {
    const file = { fileId: 'f', name: 'a.png', size: 3, type: 'image/png', url: '/files/f', width: 2, height: 1 };
    const line = { action: 'PublicMessage', userId: 1, userName: 'A', gender: 0, userColor: '#000', text: 'x' };
    const read = parseServerMessage(JSON.stringify({ ...line, file: { ...file, extra: '<script>' } }));
    expect(read.ok && read.message.action === 'PublicMessage' ? read.message.file : null).toEqual(file);
    const bad = parseServerMessage(JSON.stringify({ ...line, file: { ...file, size: '3' } }));
    expect(bad.ok && bad.message.action === 'PublicMessage' ? bad.message.file : 'x').toBeUndefined();
    const secret = parseServerMessage(JSON.stringify({ ...line, action: 'PrivateMessage', toUserId: 2, file }));
    expect(secret.ok && secret.message.action === 'PrivateMessage' ? secret.message.file : null).toEqual(file);
  });
});
