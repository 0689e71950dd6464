import type { ReplyQuote } from '../../src-shared/protocol';
import { excerptOf } from './quote';
import { QUOTE_MARK } from './store/message-store';

/*
 * A stored line is the PublicMessage JSON it goes out as. An edit or a deletion is
 * rare next to a send, so it reads that JSON back, changes it and writes it again,
 * keeping the field order; the hot path never parses a line.
 */

type LineObject = Record<string, unknown>;

/** The stored JSON as an object, or null when it is not a line this server wrote. */
function readLine(payload: string): LineObject | null {
  try {
    const value: unknown = JSON.parse(payload);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as LineObject) : null;
  } catch {
    return null;
  }
}

/** What an edit, a delete or a reply needs to know of a stored line. */
export interface LineFacts {
  readonly userName: string;
  /** Formatted (escaped, `<b>`-marked). */
  readonly text: string;
  readonly deleted: boolean;
  /** 0 if never edited. */
  readonly editedAt: number;
}

export function lineFacts(payload: string): LineFacts | null {
  const line = readLine(payload);
  if (line === null || typeof line.userName !== 'string' || typeof line.text !== 'string') return null;
  const editedAt = typeof line.editedAt === 'number' ? line.editedAt : 0;
  return { userName: line.userName, text: line.text, deleted: line.deleted === true, editedAt };
}

/** The quote of a stored line, for a reply to it; null for a tombstone or a line unreadable. */
export function quoteOf(messageId: number, payload: string): ReplyQuote | null {
  const facts = lineFacts(payload);
  if (facts === null || facts.deleted) return null;
  return { messageId, userName: facts.userName, excerpt: excerptOf(facts.text) };
}

/** The line with its new (formatted) text and the time of the edit. */
export function editedPayload(payload: string, formattedText: string, editedAt: number): string {
  const line = readLine(payload);
  if (line === null) throw new Error('editedPayload: the stored line is not JSON');
  line.text = formattedText;
  line.editedAt = editedAt;
  return JSON.stringify(line);
}

/**
 * The line's tombstone: who sent it and when, `"text":""` (the Qt client's field stays a
 * string) and `"deleted":true`. The old text, the edit time and the quote are gone.
 */
export function tombstonePayload(payload: string): string {
  const line = readLine(payload);
  if (line === null) throw new Error('tombstonePayload: the stored line is not JSON');
  const { action, userId, userName, gender, userColor, messageId, sentAt } = line;
  return JSON.stringify({ action, userId, userName, gender, userColor, text: '', messageId, sentAt, deleted: true });
}

/**
 * A reply whose quoted line was deleted: its quote keeps who was quoted, but the
 * excerpt is emptied, so the deleted text survives nowhere. Null when `payload` does
 * not quote `quotedId`.
 */
export function withQuoteDeleted(payload: string, quotedId: number): string | null {
  if (!payload.includes(`${QUOTE_MARK}${quotedId},`)) return null;
  const line = readLine(payload);
  const quote = line?.replyTo as LineObject | undefined;
  if (line === null || quote === undefined || quote.messageId !== quotedId || quote.excerpt === '') return null;
  quote.excerpt = '';
  return JSON.stringify(line);
}
