import { describe, expect, it } from 'vitest';
import { MAX_EXCERPT_LENGTH, MAX_LINE_BREAKS, formatChatText, mentions, parseRichText, plainExcerpt, plainText } from '../../../src-shared/protocol';

describe('formatChatText', () => {
  it('bolds each {…} non-greedily', () => {
    expect(formatChatText('{A} и {B}')).toBe('<b>A</b> и <b>B</b>');
  });

  it('escapes before bolding, so only <b> is markup', () => {
    expect(formatChatText(`<i>x</i> 'q' & "w" {Tom}`)).toBe(
      '&lt;i&gt;x&lt;/i&gt; &#039;q&#039; &amp; &quot;w&quot; <b>Tom</b>',
    );
  });

  it('leaves empty braces and lone braces alone', () => {
    expect(formatChatText('{} { x } {{A}}')).toBe('{} <b> x </b> {<b>A</b>}');
  });
});

describe('mentions', () => {
  it('finds <b>Name</b> with the name escaped', () => {
    expect(mentions(formatChatText('hi {Tom}'), 'Tom')).toBe(true);
    expect(mentions(formatChatText('hi Tom'), 'Tom')).toBe(false);
    expect(mentions(formatChatText('hi {Tommy}'), 'Tom')).toBe(false);
  });
});

describe('parseRichText', () => {
  it('turns exactly <b>…</b> into bold runs and unescapes the rest', () => {
    expect(parseRichText(formatChatText('a {B} <i>c</i> &amp;'))).toEqual([
      { text: 'a ', bold: false },
      { text: 'B', bold: true },
      { text: ' <i>c</i> &amp;', bold: false },
    ]);
  });

  it('keeps any other markup a hostile server sends as text', () => {
    expect(parseRichText('<img src=x onerror=alert(1)><b>x</b>')).toEqual([
      { text: '<img src=x onerror=alert(1)>', bold: false },
      { text: 'x', bold: true },
    ]);
  });
});

describe('plainText and plainExcerpt', () => {
  it('drops the markup and decodes entities', () => {
    expect(plainText('hi <b>Bob</b> &lt;3 &amp; more')).toBe('hi Bob <3 & more');
  });

  it('keeps a short text whole, spaces folded', () => {
    expect(plainExcerpt('  one\n\n<b>two</b>   three ')).toBe('one two three');
  });

  it('cuts a long text at a word, with …, within the limit in code points', () => {
    const words = Array.from({ length: 60 }, (_, i) => `word${i}`).join(' ');
    const excerpt = plainExcerpt(words);
    expect(Array.from(excerpt).length).toBeLessThanOrEqual(MAX_EXCERPT_LENGTH);
    expect(excerpt.endsWith('…')).toBe(true);
    expect(words.startsWith(excerpt.slice(0, -1))).toBe(true);
    expect(words[excerpt.length - 1]).toBe(' ');
  });

  it('cuts a text without spaces mid-word, and never splits a surrogate pair', () => {
    const excerpt = plainExcerpt('😀'.repeat(300));
    expect(Array.from(excerpt)).toHaveLength(MAX_EXCERPT_LENGTH);
    expect(excerpt).toBe(`${'😀'.repeat(MAX_EXCERPT_LENGTH - 1)}…`);
  });
});

describe('line breaks (issue 19 §3)', () => {
  it('formats each newline as <br> (what the Qt client shows as a break) and reads it back as a newline', () => {
    expect(formatChatText('one\ntwo\r\nthree\rfour')).toBe('one<br>two<br>three<br>four');
    expect(formatChatText('{Bob}\n<i>')).toBe('<b>Bob</b><br>&lt;i&gt;');
    expect(parseRichText('a<br><b>B</b><br>c')).toEqual([
      { text: 'a\n', bold: false },
      { text: 'B', bold: true },
      { text: '\nc', bold: false },
    ]);
    expect(plainText(formatChatText('one\ntwo'))).toBe('one\ntwo');
    // Other tags stay text, as before.
    expect(plainText('a<br/>b<BR>c')).toBe('a<br/>b<BR>c');
  });

  it('keeps at most MAX_LINE_BREAKS breaks; past them a newline is a space', () => {
    const formatted = formatChatText('x\n'.repeat(MAX_LINE_BREAKS + 10));
    expect(formatted.split('<br>')).toHaveLength(MAX_LINE_BREAKS + 1);
    expect(plainText(formatted).split('\n')).toHaveLength(MAX_LINE_BREAKS + 1);
  });

  it('folds breaks into spaces in a quote excerpt', () => {
    expect(plainExcerpt(formatChatText('one\ntwo'))).toBe('one two');
  });
});
