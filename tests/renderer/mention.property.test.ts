import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cleanUserName, formatChatText, mentions, parseRichText } from '../../src-shared/protocol';
import { insertMention } from '../../src-renderer/format/mention';

/*
 * The mention path end to end: the input inserts `{name}`, the server formats it, and
 * the receiver's mention rule finds it — for any draft and any name a server can hand
 * out — while the formatter never emits a tag but <b>, and text with no braces
 * mentions nobody.
 */

const RUNS = { numRuns: 1000 };
const anyName = fc.string({ unit: 'grapheme', minLength: 1, maxLength: 40 }).map((raw) => cleanUserName(raw, 'Инкогнито'));
const draft = fc.string({ unit: fc.constantFrom('{', '}', '<', '>', '&', '"', "'", ' ', 'a', 'б', '\n') });

describe('mentions (the Qt client’s rule) with the formatter and the input', () => {
  it('a mention inserted into any draft is found by the receiver, and renders as one bold run of the name', () => {
    fc.assert(
      fc.property(draft, anyName, (text, name) => {
        const formatted = formatChatText(insertMention(text, name).trim());
        expect(mentions(formatted, name)).toBe(true);
        expect(parseRichText(formatted).some((run) => run.bold && run.text === name)).toBe(true);
        for (const tag of formatted.match(/<[^>]*>/g) ?? []) expect(['<b>', '</b>', '<br>']).toContain(tag);
      }),
      RUNS,
    );
  });

  it('never throws, and text without braces mentions nobody, whatever it contains', () => {
    fc.assert(
      fc.property(fc.string(), anyName, (text, name) => {
        expect(mentions(formatChatText(text.replace(/[{}]/g, '')), name)).toBe(false);
        expect(typeof mentions(text, name)).toBe('boolean');
        expect(mentions(formatChatText(`{${name}}`), '')).toBe(false);
      }),
      RUNS,
    );
  });
});
