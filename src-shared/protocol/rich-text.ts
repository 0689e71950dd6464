/*
 * Chat text on the wire is HTML-escaped and its only markup is <b>…</b>, made from
 * {…} by the server, and <br> for a line break (the original Qt client's log takes
 * HTML, where a bare newline is a space). The server formats with formatChatText;
 * clients read with parseRichText, which turns exactly that markup into bold runs and
 * newlines and everything else into plain text, so nothing a peer sends can become an
 * element.
 */

/** Line breaks kept in one message; past them a newline is a space, so one line cannot fill everyone's log. */
export const MAX_LINE_BREAKS = 40;

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#039;',
};
const ESCAPE = /[&<>"']/g;

export function escapeHtml(text: string): string {
  return text.replace(ESCAPE, (c) => ESCAPES[c]!);
}

// Innermost braces only, never empty: `{A} и {B}` gives two bold runs, `{{A}}` one.
const MENTION = /\{([^{}]+)\}/g;

const NEWLINE = /\r\n?|\n/g;

/** Escapes, turns each `{…}` into `<b>…</b>` and each newline (up to MAX_LINE_BREAKS) into `<br>`. Emits no other tag. */
export function formatChatText(text: string): string {
  let breaks = 0;
  return escapeHtml(text)
    .replace(MENTION, '<b>$1</b>')
    .replace(NEWLINE, () => (++breaks <= MAX_LINE_BREAKS ? '<br>' : ' '));
}

/** True when a formatted text mentions `userName` (the Qt client's rule). */
export function mentions(formattedText: string, userName: string): boolean {
  return userName !== '' && formattedText.includes(`<b>${escapeHtml(userName)}</b>`);
}

export interface RichTextRun {
  text: string;
  bold: boolean;
}

const ENTITY = /&(amp|lt|gt|quot|#0*39|#x0*27);/g;
const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"' };

function unescapeHtml(text: string): string {
  if (!text.includes('&')) return text;
  return text.replace(ENTITY, (_, name: string) => ENTITIES[name] ?? "'");
}

const TAG = /<\/?b>|<br>/g;

/**
 * Splits formatted text into plain and bold runs. `<b>` and `</b>` are the only
 * markup, and `<br>`, which is a newline in the run; any other tag-like text stays
 * text. An unclosed `<b>` runs to the end.
 */
export function parseRichText(formatted: string): RichTextRun[] {
  const runs: RichTextRun[] = [];
  let bold = false;
  let last = 0;
  const push = (raw: string): void => {
    if (raw === '') return;
    const text = unescapeHtml(raw);
    const prev = runs[runs.length - 1];
    if (prev && prev.bold === bold) prev.text += text;
    else runs.push({ text, bold });
  };
  for (const match of formatted.matchAll(TAG)) {
    push(formatted.slice(last, match.index));
    if (match[0] === '<br>') push('\n');
    else bold = match[0] === '<b>';
    last = match.index + match[0].length;
  }
  push(formatted.slice(last));
  return runs;
}

/** Formatted text as the words a reader sees: no markup, entities decoded. */
export function plainText(formatted: string): string {
  return parseRichText(formatted)
    .map((run) => run.text)
    .join('');
}

/** A quote's excerpt is at most this many characters (code points), `…` included. */
export const MAX_EXCERPT_LENGTH = 140;
/** A cut looks back at most this far for a space to end on, or it cuts mid-word. */
const WORD_LOOKBACK = 40;

/**
 * The start of a formatted text as plain text, spaces folded, cut at a word with `…`
 * when longer than MAX_EXCERPT_LENGTH: the one rule for a quote, whoever shows it.
 */
export function plainExcerpt(formatted: string): string {
  const plain = plainText(formatted).replace(/\s+/g, ' ').trim();
  const chars = Array.from(plain);
  if (chars.length <= MAX_EXCERPT_LENGTH) return plain;
  let end = MAX_EXCERPT_LENGTH - 1;
  const space = chars.lastIndexOf(' ', end);
  if (space > end - WORD_LOOKBACK) end = space;
  return `${chars.slice(0, end).join('').trimEnd()}…`;
}
