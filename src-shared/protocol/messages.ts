/**
 * The SimpleChat wire protocol: one JSON object per text frame, one type per `action`.
 * Field types are exactly the original's: `userId` a JSON integer, `gender` 0|1|2,
 * `userColor` a string. New fields and actions are ours; old clients ignore them.
 */

export const Gender = { unknown: 0, male: 1, female: 2 } as const;
export type Gender = (typeof Gender)[keyof typeof Gender];

export interface Identity {
  userId: number;
  userName: string;
  gender: Gender;
  userColor: string;
}

// ---- server → client ------------------------------------------------------

export interface AuthorizedMessage extends Identity {
  action: 'Authorized';
  /** Everyone online, the newcomer included, in join order. */
  users: Identity[];
  /** Ours: hand it back as `sessionToken` on reconnect to keep the same name and id. */
  sessionToken?: string;
  /** Ours: the login proved a lasting identity, so its private dialogs are kept and can be paged. */
  lasting?: true;
}
export interface ConnectedMessage extends Identity {
  action: 'Connected';
}
export interface DisconnectedMessage extends Identity {
  action: 'Disconnected';
}
export interface ConnectionLostMessage extends Identity {
  action: 'ConnectionLost';
}
/**
 * Ours: where a chat line stands in the server's record. `messageId` rises strictly in
 * the order the server accepted lines, is never reused, and goes on after a restart;
 * `sentAt` is the server's clock then (ms since the epoch). The original server sends
 * neither, so a client must do without them.
 */
export interface LineStamp {
  messageId?: number;
  sentAt?: number;
}
/**
 * Ours: the line a chat line answers, as the server read it from its record (never
 * what the client claimed). `excerpt` is the start of the quoted line's text, escaped
 * like `text` (with its `<b>` markup dropped), cut at a word.
 */
export interface ReplyQuote {
  messageId: number;
  userName: string;
  excerpt: string;
}
/** Ours: what became of a line after it was sent, and what it answers. */
export interface LineState {
  /** The server's clock at the last edit (ms since the epoch); absent if never edited. */
  editedAt?: number;
  /** A tombstone: the line was deleted; its `text` is "" (the old text is gone for good). */
  deleted?: true;
  replyTo?: ReplyQuote;
}
export interface PublicMessage extends Identity, LineStamp, LineState {
  action: 'PublicMessage';
  /** HTML-escaped; the only markup is `<b>…</b>`. */
  text: string;
}
/** Why a private message was not delivered; the text says it for people. */
export type PrivateMessageError = 'recipient-offline';
export interface PrivateMessage extends Identity, LineStamp {
  action: 'PrivateMessage';
  text: string;
  toUserId: number;
  /** Ours: the public line this one answers (private lines are not kept, so not quotable). */
  replyTo?: ReplyQuote;
  /** Present only on the sender's own copy of an undeliverable message. */
  error?: PrivateMessageError;
  /**
   * Ours, on a line of a private dialog between two lasting identities (stored, paged with
   * DialogHistory): it reached the recipient, or waits for it to come back (a `Delivered` follows).
   */
  delivery?: PrivateDelivery;
}
export type PrivateDelivery = 'delivered' | 'waiting';
export interface PingMessage {
  action: 'Ping';
}
/** Machine-readable reasons the server refused something a client sent. */
export type ErrorCode =
  | 'invalid-json'
  | 'not-an-object'
  | 'invalid-text'
  | 'invalid-recipient'
  | 'text-too-long'
  | 'unknown-action'
  | 'rate-limited'
  /** A handshake query parameter was malformed (e.g. `userName[]=x`); its default was used. */
  | 'invalid-parameter'
  /** A `History` request whose `before` or `limit` is not what it must be. */
  | 'invalid-history-request'
  /** A `messageId` (of an Edit or Delete) or a `replyTo` that is not a positive integer. */
  | 'invalid-message-id'
  /** No line with that id that the sender can see (never stored, gone, private, or of another room). */
  | 'unknown-message'
  /**
   * A chat line's `replyTo` names no line the sender can see: the chat line is refused
   * (a code of its own, so a client knows the refusal answers its chat, not an Edit).
   */
  | 'unknown-reply'
  /** An Edit or Delete of a line someone else (another session) sent. */
  | 'not-author'
  /** An Edit of a line older than the server's edit window. */
  | 'edit-window-closed';
export interface ErrorMessage {
  action: 'Error';
  /** One of ErrorCode from this server; a newer server may send others. */
  code: ErrorCode | (string & {});
  /** For people: English. */
  message: string;
}
/**
 * Ours: public lines, oldest first. Right after `Authorized` the room's last lines (a
 * new login) or the ones a resumed session missed; after a `History` request, the page
 * asked for. `hasMore`: older lines than the first one here exist (absent from older
 * servers of ours: unknown).
 */
export interface HistoryMessage {
  action: 'History';
  messages: PublicMessage[];
  hasMore?: boolean;
}

/** Ours: a line was edited; `text` is escaped and formatted as a chat line's. */
export interface MessageEditedMessage {
  action: 'MessageEdited';
  messageId: number;
  text: string;
  editedAt: number;
}
/** Ours: a line was deleted; show it as deleted (its text is gone). */
export interface MessageDeletedMessage {
  action: 'MessageDeleted';
  messageId: number;
}

/**
 * Ours: a page of a private dialog (the answer to a History request with `with`), oldest
 * first. `with` is the user id the request named.
 */
export interface DialogHistoryMessage {
  action: 'DialogHistory';
  with: number;
  messages: PrivateMessage[];
  hasMore: boolean;
}
/** Ours: private lines that were waiting have reached `toUserId`. */
export interface DeliveredMessage {
  action: 'Delivered';
  toUserId: number;
  messageIds: number[];
}

export type ServerMessage =
  | DialogHistoryMessage
  | DeliveredMessage
  | AuthorizedMessage
  | ConnectedMessage
  | DisconnectedMessage
  | ConnectionLostMessage
  | PublicMessage
  | PrivateMessage
  | PingMessage
  | ErrorMessage
  | HistoryMessage
  | MessageEditedMessage
  | MessageDeletedMessage;
export type ServerAction = ServerMessage['action'];

// ---- client → server ------------------------------------------------------

export interface PongMessage {
  action: 'Pong';
}
/**
 * A chat line. The Qt client sends `{"text","toUserId"}` with no action; ours may
 * send `"action":"Message"`. `toUserId` 0 (or absent) means public.
 */
export interface ChatMessage {
  action: 'Message';
  text: string;
  toUserId: number;
  /** Ours: the messageId of a public line this one answers; the server adds the quote. */
  replyTo?: number;
}
/** Ours: asks for up to `limit` public lines older than `before` (a messageId), answered with a History. */
export interface HistoryRequest {
  action: 'History';
  before: number;
  limit: number;
  /** Ours: a private dialog's lines instead (with this user id), answered with a DialogHistory; `before` may then be absent (the newest). */
  with?: number;
}
/** Ours: new text for a line of one's own (same session), within the server's edit window. */
export interface EditRequest {
  action: 'Edit';
  messageId: number;
  /** Trimmed; must not be empty (that is a Delete). */
  text: string;
}
/** Ours: deletes a line of one's own (same session). */
export interface DeleteRequest {
  action: 'Delete';
  messageId: number;
}
export type ClientMessage = PongMessage | ChatMessage | HistoryRequest | EditRequest | DeleteRequest;

// ---- parsing results --------------------------------------------------------

/** Why a peer's frame could not be read. Never thrown: returned. */
export type ParseErrorCode = ErrorCode | 'invalid-message';
export interface ParseError {
  code: ParseErrorCode;
  message: string;
  /** For `unknown-action`: the action that was not known. */
  action?: string;
}
export type ParseResult<T> = { ok: true; message: T } | { ok: false; error: ParseError };
