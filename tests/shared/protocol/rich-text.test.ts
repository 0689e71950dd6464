import { describe, expect, it } from 'vitest';
import { formatChatText, mentions, parseRichText } from '../../../src-shared/protocol';

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
