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

/** Ours: what a user says about being available (issue 13 §3). */
export const USER_STATUSES = ['online', 'working', 'resting', 'away', 'busy'] as const;
export type UserStatus = (typeof USER_STATUSES)[number];
/**
 * Ours, on each identity in a user list (`Authorized.users`) and on `Connected`, never on
 * chat lines. Absent (from this server too, while a user never set one; from older servers
 * and the original always): online, no text.
 */
export interface UserPresence {
  status?: UserStatus;
  /** HTML-escaped like chat text (no markup); absent when empty. */
  statusText?: string;
}
/** An identity as user lists carry it. */
export interface ListedUser extends Identity, UserPresence {}

// ---- server → client ------------------------------------------------------

export interface AuthorizedMessage extends Identity {
  action: 'Authorized';
  /** Everyone online, the newcomer included, in join order (ours: with their statuses). */
  users: ListedUser[];
  /** Ours: hand it back as `sessionToken` on reconnect to keep the same name and id. */
  sessionToken?: string;
  /** Ours: the login proved a lasting identity, so its private dialogs are kept and can be paged. */
  lasting?: true;
}
export interface ConnectedMessage extends Identity, UserPresence {
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
/**
 * Ours: the file a line carries, from the server's records. `url` is relative to the
 * server's address and grants nothing by itself (see docs/SERVER.md, *Files*).
 */
export interface LineFile {
  fileId: string;
  name: string;
  size: number;
  type: string;
  url: string;
  width?: number;
  height?: number;
}
export interface PublicMessage extends Identity, LineStamp, LineState {
  action: 'PublicMessage';
  file?: LineFile;
  /** Ours: the room the line was said in (canonical name); absent for the lobby. */
  room?: string;
  /** HTML-escaped; the only markup is `<b>…</b>`. */
  text: string;
}
/** Why a private message was not delivered; the text says it for people. */
export type PrivateMessageError = 'recipient-offline';
export interface PrivateMessage extends Identity, LineStamp {
  action: 'PrivateMessage';
  file?: LineFile;
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
  | 'edit-window-closed'
  /** A SetStatus (or AllowBuzz) that is not one: an unknown status, a text that is not a string or too long. */
  | 'invalid-status'
  /** A Buzz whose `toUserId` is not a user id, or one's own. */
  | 'invalid-buzz'
  /** A Buzz to a user who is not online (unknown, gone, or with no connection in the presence grace). */
  | 'user-offline'
  /** A Buzz to a user who turned buzzes off (or whose client cannot take them: the original Qt client). */
  | 'buzz-off'
  /** A `room` that is not a room name (not a string, empty, too long, control characters). */
  | 'invalid-room'
  /** No room by that name (LeaveRoom, History, a chat line). */
  | 'unknown-room'
  /** A chat line, History or LeaveRoom for a room the sender is not in. */
  | 'not-in-room'
  /** A locked room and a missing or wrong key (or too many wrong keys: the message says when to try again). */
  | 'room-forbidden'
  /** The server holds its most rooms, or the sender is in its most rooms. */
  | 'too-many-rooms'
  /** A chat line's `file` that is not `{"fileId":"…"}` (a string, a number, extra fields). */
  | 'invalid-file'
  /** A chat line's file that is not the sender's, unknown, or already sent to another room or dialog: the line is not sent. */
  | 'unknown-file';
export interface ErrorMessage {
  action: 'Error';
  /** One of ErrorCode from this server; a newer server may send others. */
  code: ErrorCode | (string & {});
  /** For people: English. */
  message: string;
  /**
   * Ours: the action of the frame refused, when it is not a chat line (today only
   * `Buzz`), so a client can tell which of its frames the Error answers.
   */
  refused?: string;
}
/**
 * Ours: public lines, oldest first. Right after `Authorized` the room's last lines (a
 * new login) or the ones a resumed session missed; after a `History` request, the page
 * asked for. `hasMore`: older lines than the first one here exist (absent from older
 * servers of ours: unknown).
 */
export interface HistoryMessage {
  action: 'History';
  /** Ours: the room these lines are of; absent for the lobby. */
  room?: string;
  messages: PublicMessage[];
  hasMore?: boolean;
}

/** Ours: a line was edited; `text` is escaped and formatted as a chat line's. */
export interface MessageEditedMessage {
  action: 'MessageEdited';
  messageId: number;
  text: string;
  editedAt: number;
  /** The line's room; absent for the lobby. */
  room?: string;
}
/** Ours: a line was deleted; show it as deleted (its text is gone). */
export interface MessageDeletedMessage {
  action: 'MessageDeleted';
  messageId: number;
  /** The line's room; absent for the lobby. */
  room?: string;
}
/** Ours: a room as a list shows it. `users`: its members online (never who they are in a locked room). */
export interface RoomSummary {
  room: string;
  users: number;
  locked: boolean;
}
/**
 * Ours: the answer to a JoinRoom: the room's canonical name (the creator's spelling),
 * its members (the joiner included, in join order) and whether it has a key. The room's
 * History follows.
 */
export interface RoomJoinedMessage {
  action: 'RoomJoined';
  room: string;
  users: ListedUser[];
  locked: boolean;
}
/** Ours: the answer to a LeaveRoom. */
export interface RoomLeftMessage {
  action: 'RoomLeft';
  room: string;
}
/** Ours: the answer to a ListRooms, by name. */
export interface RoomListMessage {
  action: 'RoomList';
  rooms: RoomSummary[];
}
/** Ours: to a room's members: someone joined it (the joiner itself gets RoomJoined instead). */
export interface RoomMemberJoinedMessage extends Identity {
  action: 'RoomMemberJoined';
  room: string;
}
/**
 * Ours: to a room's members: someone left it with a LeaveRoom. A user who leaves the
 * server is told once, by the lobby's Disconnected or ConnectionLost, for every room.
 */
export interface RoomMemberLeftMessage extends Identity {
  action: 'RoomMemberLeft';
  room: string;
}

/** Ours: a user's status changed; to everyone who shares a room with the user, the user too. */
export interface StatusChangedMessage {
  action: 'StatusChanged';
  userId: number;
  status: UserStatus;
  /** HTML-escaped like chat text (no markup); "" for none. */
  text: string;
}
/** Ours: `userId` buzzed `toUserId`; to the recipient, and the same frame to the sender as its receipt. */
export interface BuzzMessage {
  action: 'Buzz';
  userId: number;
  toUserId: number;
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
  | MessageDeletedMessage
  | StatusChangedMessage
  | BuzzMessage
  | RoomJoinedMessage
  | RoomLeftMessage
  | RoomListMessage
  | RoomMemberJoinedMessage
  | RoomMemberLeftMessage;
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
  /** Ours: a public line for this room (one the sender is in); absent: the lobby. */
  room?: string;
  /** Ours: a file the sender uploaded (POST /files); the text may then be empty. */
  file?: { fileId: string };
}
/** Ours: asks for up to `limit` public lines older than `before` (a messageId), answered with a History. */
export interface HistoryRequest {
  action: 'History';
  before: number;
  limit: number;
  /** Ours: the room to page (one the sender is in); absent: the lobby. */
  room?: string;
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
/** Ours: sets one's status; `text` trimmed, at most MAX_STATUS_TEXT_LENGTH characters ("" or absent: none). */
export interface SetStatusRequest {
  action: 'SetStatus';
  status: UserStatus;
  text: string;
}
/** Ours: asks the server to signal `toUserId` (a sound and a shaking window on their side). */
export interface BuzzRequest {
  action: 'Buzz';
  toUserId: number;
}
/** Ours: whether this session takes buzzes (on until said otherwise); no answer. */
export interface AllowBuzzRequest {
  action: 'AllowBuzz';
  allow: boolean;
}
/** Ours: joins a room, creating it (locked with `key`, if given) when there is none of that name. */
export interface JoinRoomRequest {
  action: 'JoinRoom';
  /** Trimmed and in NFC (see normalizeRoomName). */
  room: string;
  key?: string;
}
export interface LeaveRoomRequest {
  action: 'LeaveRoom';
  room: string;
}
export interface ListRoomsRequest {
  action: 'ListRooms';
}
export type ClientMessage =
  | PongMessage
  | ChatMessage
  | HistoryRequest
  | EditRequest
  | DeleteRequest
  | SetStatusRequest
  | BuzzRequest
  | AllowBuzzRequest
  | JoinRoomRequest
  | LeaveRoomRequest
  | ListRoomsRequest;

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
