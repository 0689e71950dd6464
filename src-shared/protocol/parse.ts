import { DEFAULT_HISTORY_PAGE, MAX_HISTORY_PAGE, MAX_ROOM_KEY_LENGTH, MAX_STATUS_TEXT_LENGTH, MAX_TEXT_LENGTH, MAX_USER_ID } from './limits';
import { USER_STATUSES } from './messages';
import { normalizeRoomName } from './room-name';
import type {
  LineFile,
  ChatMessage,
  ClientMessage,
  DeleteRequest,
  EditRequest,
  Gender,
  HistoryRequest,
  Identity,
  JoinRoomRequest,
  LeaveRoomRequest,
  LineStamp,
  ListedUser,
  UserStatus,
  ParseError,
  ParseErrorCode,
  ParseResult,
  PrivateMessage,
  PublicMessage,
  ReplyQuote,
  RoomSummary,
  ServerMessage,
} from './messages';

/*
 * One parser per direction. Both take a peer's raw text and never throw:
 * whatever arrives becomes a typed message or a typed error.
 */

type JsonObject = Record<string, unknown>;

function fail<T>(code: ParseErrorCode, message: string, action?: string): ParseResult<T> {
  const error: ParseError = action === undefined ? { code, message } : { code, message, action };
  return { ok: false, error };
}

function readObject(raw: string): { ok: true; value: JsonObject } | { ok: false; error: ParseError } {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return { ok: false, error: { code: 'invalid-json', message: 'The message is not valid JSON.' } };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { ok: false, error: { code: 'not-an-object', message: 'The message must be a JSON object.' } };
  }
  return { ok: true, value: value as JsonObject };
}

export function isUserId(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= MAX_USER_ID;
}

/** A messageId or a time: a positive integer JSON can carry exactly. */
export function isMessageId(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value > 0;
}

/** Counts code points without allocating for the common short text. */
export function codePointLength(text: string): number {
  if (text.length <= 1) return text.length;
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      const d = text.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) i++;
    }
    n++;
  }
  return n;
}

// ---- client → server (the server reads these) ---------------------------------

const CHAT_ACTIONS = new Set<unknown>([undefined, 'Message', 'PublicMessage', 'PrivateMessage']);

/**
 * Reads what a client sent. Chat text comes back trimmed; an empty text is a valid
 * message the server simply does not relay. The Qt client sends chat with no `action`.
 */
export function parseClientMessage(raw: string): ParseResult<ClientMessage> {
  const read = readObject(raw);
  if (!read.ok) return { ok: false, error: read.error };
  const obj = read.value;
  const action = obj.action;
  if (action === 'Pong') return { ok: true, message: { action: 'Pong' } };
  if (action === 'History') return readHistoryRequest(obj);
  if (action === 'Edit') return readEditRequest(obj);
  if (action === 'Delete') return readDeleteRequest(obj);
  if (action === 'SetStatus') return readSetStatus(obj);
  if (action === 'Buzz') return readBuzzRequest(obj);
  if (action === 'AllowBuzz') return readAllowBuzz(obj);
  if (action === 'JoinRoom') return readJoinRoom(obj);
  if (action === 'LeaveRoom') return readLeaveRoom(obj);
  if (action === 'ListRooms') return { ok: true, message: { action: 'ListRooms' } };
  if (!CHAT_ACTIONS.has(action)) {
    const shown = typeof action === 'string' ? action.slice(0, 64) : typeof action;
    return fail('unknown-action', `Unknown action: ${shown}.`, typeof action === 'string' ? shown : undefined);
  }
  const text = readText(obj.text);
  if (typeof text !== 'string') return text;
  const toUserId = obj.toUserId === undefined || obj.toUserId === null ? 0 : obj.toUserId;
  if (!isUserId(toUserId)) return fail('invalid-recipient', 'toUserId must be a non-negative integer.');
  const message: ChatMessage = { action: 'Message', text, toUserId };
  if (obj.replyTo !== undefined && obj.replyTo !== null) {
    if (!isMessageId(obj.replyTo)) return fail('invalid-message-id', 'replyTo must be the messageId of a line (a positive integer).');
    message.replyTo = obj.replyTo;
  }
  if (obj.room !== undefined) {
    const room = readRoom(obj.room);
    if (typeof room !== 'string') return room;
    if (toUserId !== PUBLIC_TO) return fail('invalid-room', 'A private message goes to a user, not to a room: leave out room.');
    message.room = room;
  }
  if (obj.file !== undefined && obj.file !== null) {
    const fileId = readFileRef(obj.file);
    if (fileId === null) return fail('invalid-file', 'file must be {"fileId":"…"}, the id an upload answered with, and nothing else.');
    message.file = { fileId };
  }
  return { ok: true, message };
}

/** The id of `{"fileId":"…"}` with no other field, or null. */
function readFileRef(value: unknown): string | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
  const keys = Object.keys(value);
  const fileId = (value as JsonObject).fileId;
  if (keys.length !== 1 || !isFileId(fileId)) return null;
  return fileId;
}

/** What the server makes a file's id of: 1 to 64 characters of base64url. */
export function isFileId(value: unknown): value is string {
  return typeof value === 'string' && /^[A-Za-z0-9_-]{1,64}$/.test(value);
}

/** A line's file as the server sent it, or undefined when it is not one. */
function readLineFile(value: unknown): LineFile | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const { fileId, name, size, type, url, width, height } = value as JsonObject;
  if (typeof fileId !== 'string' || typeof name !== 'string' || typeof type !== 'string' || typeof url !== 'string') return undefined;
  if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0) return undefined;
  const file: LineFile = { fileId, name, size, type, url };
  if (typeof width === 'number' && typeof height === 'number' && Number.isSafeInteger(width) && Number.isSafeInteger(height) && width > 0 && height > 0) {
    file.width = width;
    file.height = height;
  }
  return file;
}

const PUBLIC_TO = 0;

/** A room name (trimmed, NFC), or the refusal of what is not one. */
function readRoom(value: unknown): string | ParseResult<ClientMessage> {
  const room = normalizeRoomName(value);
  return room ?? fail('invalid-room', 'room must be a room name: 1 to 64 characters, no control characters.');
}

function readJoinRoom(obj: JsonObject): ParseResult<ClientMessage> {
  const room = readRoom(obj.room);
  if (typeof room !== 'string') return room;
  const message: JoinRoomRequest = { action: 'JoinRoom', room };
  if (obj.key !== undefined && obj.key !== null) {
    if (typeof obj.key !== 'string' || obj.key === '' || obj.key.length > MAX_ROOM_KEY_LENGTH) {
      return fail('invalid-room', `key must be a string of 1 to ${MAX_ROOM_KEY_LENGTH} characters.`);
    }
    message.key = obj.key;
  }
  return { ok: true, message };
}

function readLeaveRoom(obj: JsonObject): ParseResult<ClientMessage> {
  const room = readRoom(obj.room);
  if (typeof room !== 'string') return room;
  const message: LeaveRoomRequest = { action: 'LeaveRoom', room };
  return { ok: true, message };
}

/** A chat text, trimmed, or the refusal of what is not one. */
function readText(value: unknown): string | ParseResult<ClientMessage> {
  if (typeof value !== 'string') return fail('invalid-text', 'The text must be a string.');
  const text = value.trim();
  if (text.length > MAX_TEXT_LENGTH && codePointLength(text) > MAX_TEXT_LENGTH) {
    return fail('text-too-long', `The text is longer than ${MAX_TEXT_LENGTH} characters.`);
  }
  return text;
}

const badMessageId = (): ParseResult<ClientMessage> =>
  fail('invalid-message-id', 'messageId must be the messageId of a line (a positive integer).');

function readEditRequest(obj: JsonObject): ParseResult<ClientMessage> {
  if (!isMessageId(obj.messageId)) return badMessageId();
  const text = readText(obj.text);
  if (typeof text !== 'string') return text;
  if (text === '') return fail('invalid-text', 'The new text is empty: delete the line instead.');
  const message: EditRequest = { action: 'Edit', messageId: obj.messageId, text };
  return { ok: true, message };
}

function readDeleteRequest(obj: JsonObject): ParseResult<ClientMessage> {
  if (!isMessageId(obj.messageId)) return badMessageId();
  const message: DeleteRequest = { action: 'Delete', messageId: obj.messageId };
  return { ok: true, message };
}

function readHistoryRequest(obj: JsonObject): ParseResult<ClientMessage> {
  const dialog = obj.with;
  if (dialog !== undefined && !(isUserId(dialog) && dialog > 0)) {
    return fail('invalid-history-request', 'with must be the user id of the other side of a private dialog (a positive integer).');
  }
  const { before = dialog === undefined ? undefined : Number.MAX_SAFE_INTEGER, limit = DEFAULT_HISTORY_PAGE } = obj;
  if (!isMessageId(before)) return fail('invalid-history-request', 'before must be the messageId of a line (a positive integer).');
  if (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 1 || limit > MAX_HISTORY_PAGE) {
    return fail('invalid-history-request', `limit must be an integer from 1 to ${MAX_HISTORY_PAGE}.`);
  }
  const message: HistoryRequest = { action: 'History', before, limit };
  if (obj.room !== undefined) {
    if (dialog !== undefined) return fail('invalid-history-request', 'A History pages a room or a private dialog (with), not both.');
    const room = readRoom(obj.room);
    if (typeof room !== 'string') return room;
    message.room = room;
  }
  if (dialog !== undefined) message.with = dialog;
  return { ok: true, message };
}

export function isUserStatus(value: unknown): value is UserStatus {
  return typeof value === 'string' && (USER_STATUSES as readonly string[]).includes(value);
}

// Control characters (C0, DEL, C1) have no place in a one-line status.
const CONTROL = /[\u0000-\u001f\u007f-\u009f]+/g;

/** A status text as it is kept: one line, trimmed; null when it is not one or too long. */
export function cleanStatusText(value: unknown): string | null {
  if (value === undefined || value === null) return '';
  if (typeof value !== 'string') return null;
  const text = value.replace(CONTROL, ' ').replace(/\s+/g, ' ').trim();
  return codePointLength(text) > MAX_STATUS_TEXT_LENGTH ? null : text;
}

function readSetStatus(obj: JsonObject): ParseResult<ClientMessage> {
  if (!isUserStatus(obj.status)) return fail('invalid-status', `status must be one of ${USER_STATUSES.join(', ')}.`);
  const text = cleanStatusText(obj.text);
  if (text === null) return fail('invalid-status', `The status text must be a string of at most ${MAX_STATUS_TEXT_LENGTH} characters.`);
  return { ok: true, message: { action: 'SetStatus', status: obj.status, text } };
}

function readBuzzRequest(obj: JsonObject): ParseResult<ClientMessage> {
  if (!isUserId(obj.toUserId) || obj.toUserId === 0) return fail('invalid-buzz', 'toUserId must be the id of a user online.');
  return { ok: true, message: { action: 'Buzz', toUserId: obj.toUserId } };
}

function readAllowBuzz(obj: JsonObject): ParseResult<ClientMessage> {
  if (typeof obj.allow !== 'boolean') return fail('invalid-status', 'allow must be true or false.');
  return { ok: true, message: { action: 'AllowBuzz', allow: obj.allow } };
}

// ---- server → client (clients read these) -------------------------------------

/** Copies a valid messageId and sentAt; drops what is not one. */
function readStamp<T extends LineStamp>(obj: JsonObject, into: T): T {
  if (isMessageId(obj.messageId)) into.messageId = obj.messageId;
  if (isMessageId(obj.sentAt)) into.sentAt = obj.sentAt;
  return into;
}

function readGender(value: unknown): Gender {
  return value === 1 || value === 2 ? value : 0;
}

function readIdentity(obj: JsonObject): Identity | undefined {
  const { userId, userName, userColor } = obj;
  if (!isUserId(userId) || typeof userName !== 'string' || typeof userColor !== 'string') return undefined;
  return { userId, userName, gender: readGender(obj.gender), userColor };
}

/** An identity with the status a user list carries; a status this version does not know reads as none. */
function readListedUser(obj: JsonObject): ListedUser | undefined {
  const identity = readIdentity(obj);
  if (identity === undefined) return undefined;
  const user: ListedUser = identity;
  if (isUserStatus(obj.status)) user.status = obj.status;
  if (typeof obj.statusText === 'string' && obj.statusText !== '') user.statusText = obj.statusText;
  return user;
}

/** A list of users (with their statuses), or undefined if any entry is not one. */
function readUsers(value: unknown): ListedUser[] | undefined {
  if (!Array.isArray(value)) return undefined;
  const users: ListedUser[] = [];
  for (const entry of value) {
    const user = typeof entry === 'object' && entry !== null ? readListedUser(entry as JsonObject) : undefined;
    if (!user) return undefined;
    users.push(user);
  }
  return users;
}

function readReplyQuote(value: unknown): ReplyQuote | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const { messageId, userName, excerpt } = value as JsonObject;
  if (!isMessageId(messageId) || typeof userName !== 'string' || typeof excerpt !== 'string') return undefined;
  return { messageId, userName, excerpt };
}

function readPublic(obj: JsonObject): PublicMessage | undefined {
  const identity = readIdentity(obj);
  if (!identity || typeof obj.text !== 'string') return undefined;
  const message: PublicMessage = { action: 'PublicMessage', ...identity, text: obj.text };
  readStamp(obj, message);
  if (typeof obj.room === 'string') message.room = obj.room;
  if (isMessageId(obj.editedAt)) message.editedAt = obj.editedAt;
  if (obj.deleted === true) {
    // A tombstone carries no text, whatever a server put there.
    message.deleted = true;
    message.text = '';
    return message;
  }
  const replyTo = readReplyQuote(obj.replyTo);
  if (replyTo) message.replyTo = replyTo;
  const file = readLineFile(obj.file);
  if (file) message.file = file;
  return message;
}

const invalid = (action: string): ParseResult<ServerMessage> =>
  fail('invalid-message', `The server sent a malformed ${action} message.`, action);

/**
 * Reads what a server sent. Fields are checked by type; a gender out of range reads
 * as unknown (0), as the Qt client does. Extra fields are dropped. An action this
 * version does not know is an `unknown-action` error, so the client can tell the
 * user that the server is newer than the app.
 */
export function parseServerMessage(raw: string): ParseResult<ServerMessage> {
  const read = readObject(raw);
  if (!read.ok) return { ok: false, error: read.error };
  const obj = read.value;
  const action = obj.action;
  switch (action) {
    case 'Ping':
      return { ok: true, message: { action: 'Ping' } };
    case 'Authorized': {
      const identity = readIdentity(obj);
      const users = readUsers(obj.users);
      if (!identity || !users) return invalid(action);
      const message: ServerMessage = { action, ...identity, users };
      if (typeof obj.sessionToken === 'string') message.sessionToken = obj.sessionToken;
      if (obj.lasting === true) message.lasting = true;
      return { ok: true, message };
    }
    case 'Connected': {
      const user = readListedUser(obj);
      return user ? { ok: true, message: { action, ...user } } : invalid(action);
    }
    case 'Disconnected':
    case 'ConnectionLost': {
      const identity = readIdentity(obj);
      return identity ? { ok: true, message: { action, ...identity } } : invalid(action);
    }
    case 'PublicMessage': {
      const message = readPublic(obj);
      return message ? { ok: true, message } : invalid(action);
    }
    case 'PrivateMessage': {
      const identity = readIdentity(obj);
      if (!identity || typeof obj.text !== 'string') return invalid(action);
      // The original's error copy and old servers may omit toUserId.
      const toUserId = isUserId(obj.toUserId) ? obj.toUserId : 0;
      const message: PrivateMessage = { action, ...identity, text: obj.text, toUserId };
      readStamp(obj, message);
      const replyTo = readReplyQuote(obj.replyTo);
      if (replyTo) message.replyTo = replyTo;
      if (obj.error === 'recipient-offline') message.error = obj.error;
      if (obj.delivery === 'delivered' || obj.delivery === 'waiting') message.delivery = obj.delivery;
      const file = readLineFile(obj.file);
      if (file) message.file = file;
      return { ok: true, message };
    }
    case 'DialogHistory': {
      if (!isUserId(obj.with) || !Array.isArray(obj.messages)) return invalid(action);
      const messages: PrivateMessage[] = [];
      for (const entry of obj.messages) {
        const read = typeof entry === 'object' && entry !== null ? parseServerMessage(JSON.stringify(entry)) : null;
        if (read !== null && read.ok && read.message.action === 'PrivateMessage') messages.push(read.message);
      }
      return { ok: true, message: { action, with: obj.with, messages, hasMore: obj.hasMore === true } };
    }
    case 'Delivered': {
      const ids = obj.messageIds;
      if (!isUserId(obj.toUserId) || !Array.isArray(ids) || !ids.every(isMessageId)) return invalid(action);
      return { ok: true, message: { action, toUserId: obj.toUserId, messageIds: ids as number[] } };
    }
    case 'Error': {
      if (typeof obj.code !== 'string' || typeof obj.message !== 'string') return invalid(action);
      const error: ServerMessage = { action, code: obj.code, message: obj.message };
      if (typeof obj.refused === 'string') error.refused = obj.refused.slice(0, 64);
      return { ok: true, message: error };
    }
    case 'History': {
      if (!Array.isArray(obj.messages)) return invalid(action);
      const messages: PublicMessage[] = [];
      for (const entry of obj.messages) {
        const message = typeof entry === 'object' && entry !== null ? readPublic(entry as JsonObject) : undefined;
        if (message) messages.push(message);
      }
      const history: ServerMessage = { action, messages };
      if (typeof obj.hasMore === 'boolean') history.hasMore = obj.hasMore;
      if (typeof obj.room === 'string') history.room = obj.room;
      return { ok: true, message: history };
    }
    case 'MessageEdited': {
      const { messageId, text, editedAt } = obj;
      if (!isMessageId(messageId) || typeof text !== 'string' || !isMessageId(editedAt)) return invalid(action);
      const edited: ServerMessage = { action, messageId, text, editedAt };
      if (typeof obj.room === 'string') edited.room = obj.room;
      return { ok: true, message: edited };
    }
    case 'MessageDeleted': {
      if (!isMessageId(obj.messageId)) return invalid(action);
      const deleted: ServerMessage = { action, messageId: obj.messageId };
      if (typeof obj.room === 'string') deleted.room = obj.room;
      return { ok: true, message: deleted };
    }
    case 'RoomJoined': {
      const users = readUsers(obj.users);
      if (typeof obj.room !== 'string' || users === undefined || typeof obj.locked !== 'boolean') return invalid(action);
      return { ok: true, message: { action, room: obj.room, users, locked: obj.locked } };
    }
    case 'RoomLeft': {
      if (typeof obj.room !== 'string') return invalid(action);
      return { ok: true, message: { action, room: obj.room } };
    }
    case 'RoomList': {
      if (!Array.isArray(obj.rooms)) return invalid(action);
      const rooms: RoomSummary[] = [];
      for (const entry of obj.rooms) {
        if (typeof entry !== 'object' || entry === null) continue;
        const { room, users, locked } = entry as JsonObject;
        if (typeof room === 'string' && isUserId(users) && typeof locked === 'boolean') rooms.push({ room, users, locked });
      }
      return { ok: true, message: { action, rooms } };
    }
    case 'RoomMemberJoined':
    case 'RoomMemberLeft': {
      const identity = readIdentity(obj);
      if (!identity || typeof obj.room !== 'string') return invalid(action);
      return { ok: true, message: { action, ...identity, room: obj.room } };
    }
    case 'StatusChanged': {
      const { userId, status, text } = obj;
      if (!isUserId(userId) || !isUserStatus(status)) return invalid(action);
      return { ok: true, message: { action, userId, status, text: typeof text === 'string' ? text : '' } };
    }
    case 'Buzz': {
      if (!isUserId(obj.userId) || !isUserId(obj.toUserId)) return invalid(action);
      return { ok: true, message: { action, userId: obj.userId, toUserId: obj.toUserId } };
    }
    default: {
      const shown = typeof action === 'string' ? action.slice(0, 64) : String(typeof action);
      return fail('unknown-action', `Unknown action from the server: ${shown}.`, shown);
    }
  }
}
