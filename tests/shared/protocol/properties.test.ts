import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  MAX_NAME_LENGTH,
  cleanUserName,
  escapeHtml,
  formatChatText,
  isValidColor,
  normalizeColor,
  parseClientMessage,
  parseRichText,
  parseServerMessage,
} from '../../../src-shared/protocol';

// Property tests: no input throws, and the formatter never emits a tag but <b>.
const RUNS = { numRuns: 2000 };

const jsonish = fc.oneof(
  fc.string(),
  fc.json(),
  fc.jsonValue().map((v) => JSON.stringify(v)),
  fc.record({
    action: fc.oneof(fc.constantFrom('Pong', 'Message', 'Authorized', 'Connected', 'PublicMessage', 'PrivateMessage', 'History', 'Error', 'Ping', 'Edit', 'Delete', 'MessageEdited', 'MessageDeleted'), fc.string()),
    messageId: fc.oneof(fc.integer(), fc.double(), fc.string(), fc.constant(null)),
    replyTo: fc.oneof(fc.integer(), fc.jsonValue()),
    editedAt: fc.oneof(fc.integer(), fc.jsonValue()),
    deleted: fc.jsonValue(),
    text: fc.oneof(fc.string(), fc.jsonValue()),
    toUserId: fc.oneof(fc.integer(), fc.double(), fc.string(), fc.constant(null)),
    userId: fc.oneof(fc.integer(), fc.string()),
    userName: fc.oneof(fc.string(), fc.jsonValue()),
    userColor: fc.oneof(fc.string(), fc.jsonValue()),
    gender: fc.jsonValue(),
    users: fc.oneof(fc.array(fc.jsonValue()), fc.jsonValue()),
    messages: fc.oneof(fc.array(fc.jsonValue()), fc.jsonValue()),
  }, { requiredKeys: [] }).map((o) => JSON.stringify(o)),
);

describe('protocol properties', () => {
  it('parseClientMessage never throws and returns a result', () => {
    fc.assert(fc.property(jsonish, (raw) => {
      const result = parseClientMessage(raw);
      expect(typeof result.ok).toBe('boolean');
      if (result.ok && result.message.action === 'Message') {
        expect(result.message.text).toBe(result.message.text.trim());
        expect(Number.isInteger(result.message.toUserId)).toBe(true);
      }
    }), RUNS);
  });

  it('parseServerMessage never throws, and what it accepts is well-typed', () => {
    fc.assert(fc.property(jsonish, (raw) => {
      const result = parseServerMessage(raw);
      if (result.ok && 'userName' in result.message) {
        expect(Number.isInteger(result.message.userId)).toBe(true);
        expect([0, 1, 2]).toContain(result.message.gender);
        expect(typeof result.message.userName).toBe('string');
      }
    }), RUNS);
  });

  it('formatChatText emits no tag but <b> and </b>, balanced', () => {
    fc.assert(fc.property(fc.string({ unit: fc.constantFrom('{', '}', '<', '>', '&', '"', "'", 'a', ' ', '/', 'b') }), (text) => {
      const out = formatChatText(text);
      const tags = out.match(/<[^>]*>/g) ?? [];
      for (const tag of tags) expect(['<b>', '</b>']).toContain(tag);
      expect(tags.filter((t) => t === '<b>').length).toBe(tags.filter((t) => t === '</b>').length);
      expect(out.replace(/<\/?b>/g, '')).not.toMatch(/[<>"']/);
    }), RUNS);
  });

  it('parseRichText gives back the original text of formatChatText, braces aside', () => {
    fc.assert(fc.property(fc.string(), (text) => {
      const plain = parseRichText(formatChatText(text)).map((r) => r.text).join('');
      expect(plain).toBe(text.replace(/\{([^{}]+)\}/g, '$1'));
    }), RUNS);
  });

  it('parseRichText never throws on arbitrary markup', () => {
    fc.assert(fc.property(fc.string(), (html) => {
      for (const run of parseRichText(html)) expect(run.text.length).toBeGreaterThan(0);
    }), RUNS);
  });

  it('escapeHtml leaves no markup character', () => {
    fc.assert(fc.property(fc.string(), (text) => {
      expect(escapeHtml(text)).not.toMatch(/[<>"']/);
    }), RUNS);
  });

  it('cleanUserName returns a clean, trimmed, short name or the fallback', () => {
    fc.assert(fc.property(fc.oneof(fc.string(), fc.string({ unit: 'binary' }), fc.jsonValue()), (raw) => {
      const name = cleanUserName(raw, 'Guest');
      expect(name).toBe(name.trim());
      expect(Array.from(name).length).toBeLessThanOrEqual(MAX_NAME_LENGTH);
      expect(name).toMatch(/^[\p{L}\p{Nd}\-_ ]+$/u);
      expect(name).not.toMatch(/ {2}/);
      expect(cleanUserName(name, 'Guest')).toBe(name);
    }), RUNS);
  });

  it('normalizeColor always yields a valid colour', () => {
    fc.assert(fc.property(fc.oneof(fc.string(), fc.jsonValue()), (raw) => {
      expect(isValidColor(normalizeColor(raw))).toBe(true);
    }), RUNS);
  });
});
