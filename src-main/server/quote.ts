import { escapeHtml, plainExcerpt } from '../../src-shared/protocol';
import type { ReplyQuote } from '../../src-shared/protocol';

/*
 * A reply's quote of the line it answers, made by the server from its own record of
 * that line: the author's name and the start of the text. One quote serves every
 * client of ours (the structured `replyTo`); the original Qt client, which cannot show
 * it, gets it as a line of text on top of the reply instead.
 */

/**
 * The start of a formatted (escaped, `<b>`-marked) text as plain text escaped again:
 * no markup, so a quoted mention neither shows bold nor makes the Qt client beep.
 */
export function excerptOf(formattedText: string): string {
  return escapeHtml(plainExcerpt(formattedText));
}

/**
 * The reply's text as the Qt client gets it: `» Name: excerpt` on a line of its own, then
 * the text. Its log is a QTextBrowser that takes each line as HTML (`append(html)`, see
 * the article), so the break is `<br>`: a `\n` would be one more space there.
 */
export function legacyReplyText(quote: ReplyQuote, formattedText: string): string {
  return `» <i>${escapeHtml(quote.userName)}: ${quote.excerpt}</i><br>${formattedText}`;
}

/** `,"replyTo":{…}` for a reply, nothing otherwise. */
export function replyField(quote: ReplyQuote | null): string {
  return quote === null ? '' : `,"replyTo":${JSON.stringify(quote)}`;
}

/** A chat line's JSON for our clients, and for the Qt client (the same string when it needs nothing else). */
export interface LineJson {
  readonly payload: string;
  readonly legacy: string;
}

/**
 * A line from its `head` (every field before the reply and the text, no closing brace):
 * ours get the structured quote and the formatted text, the Qt client the quote as a line
 * of text on top (`legacyReplyText`) and its own form of the text (a file as a link).
 */
export function lineJson(head: string, quote: ReplyQuote | null, formattedText: string, legacyText: string): LineJson {
  const payload = `${head}${replyField(quote)},"text":${JSON.stringify(formattedText)}}`;
  if (quote === null && legacyText === formattedText) return { payload, legacy: payload };
  return { payload, legacy: `${head},"text":${JSON.stringify(quote === null ? legacyText : legacyReplyText(quote, legacyText))}}` };
}
