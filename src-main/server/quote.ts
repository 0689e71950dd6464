import { escapeHtml, parseRichText } from '../../src-shared/protocol';
import type { ReplyQuote } from '../../src-shared/protocol';

/*
 * A reply's quote of the line it answers, made by the server from its own record of
 * that line: the author's name and the start of the text. One quote serves every
 * client of ours (the structured `replyTo`); the original Qt client, which cannot show
 * it, gets it as a line of text on top of the reply instead.
 */

/** An excerpt is at most this many characters (code points), `…` included. */
export const MAX_EXCERPT_LENGTH = 140;
/** A cut looks back at most this far for a space to end on, or it cuts mid-word. */
const WORD_LOOKBACK = 40;

/**
 * The start of a formatted (escaped, `<b>`-marked) text as plain text escaped again:
 * no markup, so a quoted mention neither shows bold nor makes the Qt client beep.
 * Cut at a word when longer than MAX_EXCERPT_LENGTH, with `…`.
 */
export function excerptOf(formattedText: string): string {
  const plain = parseRichText(formattedText).map((run) => run.text).join('').replace(/\s+/g, ' ').trim();
  const chars = Array.from(plain);
  if (chars.length <= MAX_EXCERPT_LENGTH) return escapeHtml(plain);
  let end = MAX_EXCERPT_LENGTH - 1;
  const space = chars.lastIndexOf(' ', end);
  if (space > end - WORD_LOOKBACK) end = space;
  return `${escapeHtml(chars.slice(0, end).join('').trimEnd())}…`;
}

/**
 * The reply's text as the Qt client gets it: `» Name: excerpt` on a line of its own, then
 * the text. Its log is a QTextBrowser that takes each line as HTML (`append(html)`, see
 * the article), so the break is `<br>`: a `\n` would be one more space there.
 */
export function legacyReplyText(quote: ReplyQuote, formattedText: string): string {
  return `» <i>${escapeHtml(quote.userName)}: ${quote.excerpt}</i><br>${formattedText}`;
}
