import { isValidColor } from '../protocol/identity';
import { MAX_HISTORY_PAGE, MAX_NAME_LENGTH, MAX_TEXT_LENGTH } from '../protocol/limits';
import type { Identity, PublicMessage, ServerMessage } from '../protocol/messages';
import { isFileId, isMessageId, isUserId } from '../protocol/parse';
import type { FileLinkOutcome, UploadOutcome } from '../protocol/files';
import { normalizeRoomName } from '../protocol/room-name';
import { MAX_LOGIN_KEY_LENGTH, MAX_ROOM_KEY_LENGTH as MAX_CHAT_ROOM_KEY_LENGTH } from '../protocol/limits';
import { cleanStatusText, isUserStatus } from '../protocol/parse';
import type { UserStatus } from '../protocol/messages';
import type { FoundRoom } from './found-room';
import { MAX_SERVER_LENGTH, validateSettingsPatch } from './settings';
import type { Settings, SettingsPatch } from './settings';
import type { ConnectRequest } from '../session/connect-url';

/*
 * The renderer ↔ main contract, defined once. Commands go renderer → main (invoke,
 * answered by a promise); events go main → renderer (pushed). The preload derives
 * its exposed API from `COMMAND_ARGUMENTS` and `EVENT_NAMES`, main derives its IPC
 * registrations from the same, and the browser bridge implements `ChatBridge` too.
 */

// ---- what commands carry ----------------------------------------------------

// The login a `connect` carries is the one the session builds its URL from.
export type { ConnectRequest } from '../session/connect-url';

export interface SendRequest {
  text: string;
  /** 0: public. */
  toUserId: number;
  /** The messageId of the public line this answers. */
  replyTo?: number;
  /** A public line for this room (one joined); absent: the lobby. */
  room?: string;
  /**
   * A file uploaded (`uploadFile`) to go with the line; the text may then be empty. Only
   * `fileId` goes to the server; `name` is for the pending line until the echo comes.
   */
  file?: { fileId: string; name: string };
}

/**
 * A file to upload to the server the session is logged in to, as the session's user.
 * `uploadId` is the renderer's own, to follow its progress and to cancel it.
 */
export interface UploadRequest {
  uploadId: string;
  name: string;
  bytes: Uint8Array;
}

export interface UploadProgress {
  uploadId: string;
  sent: number;
  total: number;
}

/** A file of a line being saved to the Downloads folder (desktop only). */
export interface DownloadStatus {
  downloadId: string;
  /** The name it is saved under (made free in the folder). */
  name: string;
  received: number;
  /** 0 when the server did not say. */
  total: number;
  state: 'progressing' | 'completed' | 'cancelled' | 'interrupted';
}

/** Longest `uploadId` accepted. */
export const MAX_UPLOAD_ID_LENGTH = 64;
/** Longest file name handed to the server (it cuts to 255 bytes itself). */
export const MAX_UPLOAD_NAME_LENGTH = 1024;
/** Bytes in one upload through the bridge; servers refuse less (25 MiB by default) themselves. */
export const MAX_UPLOAD_BYTES = 1024 * 1024 * 1024;

/** New text for a line of one's own. */
export interface EditRequest {
  messageId: number;
  text: string;
}

export interface DeleteRequest {
  messageId: number;
}

/** Asks the server for up to `limit` public lines older than the line `before` (a messageId). */
export interface OlderRequest {
  before: number;
  limit: number;
  /** A room's page (one joined); absent: the lobby. */
  room?: string;
}

/** Joins a room (creating it, locked with `key` if given, when there is none of that name). */
export interface JoinRoomRequest {
  room: string;
  key?: string;
}

export interface LeaveRoomRequest {
  room: string;
}

/** One's own status (issue 13 §3); `text` optional, one line, at most 80 characters. */
export interface StatusRequest {
  status: UserStatus;
  text: string;
}

/** A buzz to a user online (issue 13 §4). */
export interface BuzzRequest {
  toUserId: number;
}

/** Asks for a private dialog's lines with `withUserId` (older than `before`, or the newest); the answer is a DialogHistory message. */
export interface DialogRequest {
  withUserId: number;
  before?: number;
  limit: number;
}

export interface HostRequest {
  port: number;
  roomKey?: string;
  /** Take peers from anywhere; otherwise only from the local network. */
  allowInternet?: boolean;
}

export type AttentionKind = 'mention' | 'private' | 'buzz';
export interface AttentionRequest {
  kind: AttentionKind;
  /** Who wrote, for the notification title. */
  from: string;
  /** Plain text (markup removed), for the notification body. */
  text: string;
}

// ---- what events carry ------------------------------------------------------

export type ConnectionStatus =
  | { state: 'idle' }
  | { state: 'connecting'; url: string; attempt: number }
  | { state: 'open'; url: string }
  | { state: 'authorized'; self: Identity }
  | { state: 'reconnecting'; delayMs: number; attempt: number; reason: string }
  /**
   * `about`: what in the connect form the reason is about, when it is something there
   * (the address that could not be reached, the room key that was refused).
   */
  | { state: 'closed'; reason: string; byUser: boolean; code?: number; about?: ConnectProblem };

/** The part of a login the user can change to get in. */
export type ConnectProblem = 'address' | 'key';

export type HostingStatus =
  | { state: 'stopped' }
  | { state: 'starting'; port: number }
  /**
   * `addresses`: ws:// URLs others on the LAN can join; `webUrls`: the same room in a browser;
   * `locked`: joining needs the room key (the URLs carry it).
   */
  | { state: 'running'; port: number; addresses: string[]; webUrls: string[]; locked: boolean }
  | { state: 'failed'; port: number; message: string };

/**
 * A message typed but not yet confirmed by the server's echo: waiting for a login
 * (`sending: false`, cancellable) or written and awaiting its echo (`sending: true`).
 */
export interface PendingMessage {
  id: string;
  text: string;
  /** 0: public. */
  toUserId: number;
  /** A room's line; absent: the lobby (or private). */
  room?: string;
  /** When it was typed, in ms since the epoch. */
  queuedAt: number;
  sending: boolean;
  /** The public line it answers. */
  replyTo?: number;
  /** The file it carries (its text may then be empty). */
  file?: { fileId: string; name: string };
}

/** Longest id `cancelPending` accepts. */
export const MAX_PENDING_ID_LENGTH = 64;

/** What a `simplechat://host:port?name=…&key=…` link asks for (desktop only). */
export interface ConnectLink {
  server: string;
  port: number;
  userName?: string;
  roomKey?: string;
}

/**
 * The answer to `loadOlder`, told apart from the History a login gets: the lines below
 * `before`, oldest first, and whether there are older ones still; or why none came (the
 * connection went, the server refused or never answered).
 */
export type OlderHistory =
  | { ok: true; before: number; messages: PublicMessage[]; hasMore: boolean; room?: string }
  | { ok: false; before: number; reason: string; room?: string };

/** Things the session tells the user that are not protocol messages. */
export type SessionNotice =
  | { kind: 'server-newer'; action: string }
  | { kind: 'server-error'; message: string }
  | { kind: 'send-failed'; reason: string };

// ---- the contract -------------------------------------------------------------

export interface BridgeCommands {
  connect(request: ConnectRequest): Promise<void>;
  disconnect(): Promise<void>;
  send(request: SendRequest): Promise<void>;
  hostRoom(request: HostRequest): Promise<HostingStatus>;
  stopHosting(): Promise<void>;
  getSettings(): Promise<Settings>;
  saveSettings(patch: SettingsPatch): Promise<Settings>;
  requestAttention(request: AttentionRequest): Promise<void>;
  /** Unread messages while the window is not looked at; 0 clears the badge. */
  setUnreadCount(count: number): Promise<void>;
  /** Drops a message still waiting in the outbox; false when it is already on its way or unknown. */
  cancelPending(id: string): Promise<boolean>;
  /**
   * Asks for the page of history before a line; the answer comes as an `olderHistory`
   * event. False when it cannot go now (not logged in, or one is on its way already).
   */
  loadOlder(request: OlderRequest): Promise<boolean>;
  /** Edits or deletes a line of one's own; false when not logged in. The server's answer comes as a message. */
  editMessage(request: EditRequest): Promise<boolean>;
  deleteMessage(request: DeleteRequest): Promise<boolean>;
  /** Sets one's status (kept across reconnects); the server's StatusChanged comes as a message. */
  setStatus(request: StatusRequest): Promise<void>;
  /** Buzzes a user; false when not logged in. The Buzz (or an Error) comes back as a message. */
  buzz(request: BuzzRequest): Promise<boolean>;
  /** Asks for a page of a private dialog; false when not logged in. The answer comes as a DialogHistory message. */
  loadDialog(request: DialogRequest): Promise<boolean>;
  /**
   * Joins a room (the answer, RoomJoined or an Error, comes as a message); the session
   * rejoins it after every new login until it is left. False when the name is no room's.
   */
  joinRoom(request: JoinRoomRequest): Promise<boolean>;
  /** Leaves a room (RoomLeft comes as a message); false when not logged in. */
  leaveRoom(request: LeaveRoomRequest): Promise<boolean>;
  /** Asks for the server's rooms (RoomList comes as a message); false when not logged in. */
  listRooms(): Promise<boolean>;
  /**
   * Uploads a file to the server (POST /files with the session's token); progress comes as
   * `uploadProgress` events. Never rejects for what the server or the network did: the
   * outcome says it. The file then goes into a line with `send({…, file})`.
   */
  uploadFile(request: UploadRequest): Promise<UploadOutcome>;
  /** Stops an upload under way (its outcome is then `cancelled`); false when there is none of that id. */
  cancelUpload(uploadId: string): Promise<boolean>;
  /** A short-lived link to a file of a line (GET /files/<id>/link), absolute, for an image or a download. */
  fileLink(fileId: string): Promise<FileLinkOutcome>;
  /** Shows a finished download in the system's file manager (desktop only); false when it is not there. */
  showDownload(downloadId: string): Promise<boolean>;
  /** While reconnecting: tries now instead of waiting out the backoff (the outage banner's Retry now). */
  reconnectNow(): Promise<void>;
}

export interface BridgeEvents {
  message: ServerMessage;
  status: ConnectionStatus;
  hosting: HostingStatus;
  notice: SessionNotice;
  /** Every message not yet confirmed by the server, oldest first; sent on each change. */
  outbox: PendingMessage[];
  /** The answer to `loadOlder`. */
  olderHistory: OlderHistory;
  /** A simplechat:// link was opened: show the connect dialog prefilled; never connect unasked. */
  connectLink: ConnectLink;
  /** Rooms announced on the local network (desktop only), live: the whole list on each change. */
  foundRooms: FoundRoom[];
  /** Bytes of an upload sent so far. */
  uploadProgress: UploadProgress;
  /** A download of a line's file: begun, under way, or ended (desktop only). */
  download: DownloadStatus;
}

export type CommandName = keyof BridgeCommands;
export type EventName = keyof BridgeEvents;
export type Unsubscribe = () => void;

/** What the renderer holds: every command, plus a way to listen to events. */
export interface ChatBridge extends BridgeCommands {
  on<E extends EventName>(event: E, listener: (payload: BridgeEvents[E]) => void): Unsubscribe;
}

export const commandChannel = (name: CommandName): string => `simplechat:command:${name}`;
export const eventChannel = (name: EventName): string => `simplechat:event:${name}`;

// ---- argument checks: one per command, so each must be listed ---------------

/** Turns raw IPC arguments into the command's parameters, or says what is wrong. */
export type ArgumentCheck<K extends CommandName> = (args: readonly unknown[]) => Parameters<BridgeCommands[K]> | string;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isPort = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 1 && v <= 65535;
const shortString = (v: unknown, max: number): v is string => typeof v === 'string' && v.length <= max;

/** A Uint8Array from any realm (the page's, copied into the preload's world, is not this realm's). */
const isBytes = (v: unknown): v is Uint8Array => ArrayBuffer.isView(v) && Object.prototype.toString.call(v) === '[object Uint8Array]';
const isUploadId = (v: unknown): v is string => typeof v === 'string' && v !== '' && v.length <= MAX_UPLOAD_ID_LENGTH;

function noArguments(args: readonly unknown[]): [] | string {
  return args.length === 0 ? [] : 'takes no arguments';
}

function oneObject(args: readonly unknown[]): Record<string, unknown> | string {
  if (args.length !== 1) return 'takes one argument';
  return isObject(args[0]) ? args[0] : 'the argument must be an object';
}

export const COMMAND_ARGUMENTS: { [K in CommandName]: ArgumentCheck<K> } = {
  connect(args) {
    const o = oneObject(args);
    if (typeof o === 'string') return o;
    if (!shortString(o.server, MAX_SERVER_LENGTH) || o.server.trim() === '') return 'server must be a non-empty string';
    if (!isPort(o.port)) return 'port must be an integer from 1 to 65535';
    // Long names are allowed through: the server cleans and cuts them.
    if (!shortString(o.userName, MAX_NAME_LENGTH * 8)) return 'userName must be a string';
    if (!isValidColor(o.userColor)) return 'userColor must be #rgb or #rrggbb';
    if (o.gender !== 0 && o.gender !== 1 && o.gender !== 2) return 'gender must be 0, 1 or 2';
    if (o.roomKey !== undefined && !shortString(o.roomKey, MAX_LOGIN_KEY_LENGTH)) return 'roomKey must be a short string';
    const request: ConnectRequest = { server: o.server, port: o.port, userName: o.userName, userColor: o.userColor, gender: o.gender };
    if (o.roomKey !== undefined && o.roomKey !== '') request.roomKey = o.roomKey;
    return [request];
  },
  disconnect: noArguments,
  send(args) {
    const o = oneObject(args);
    if (typeof o === 'string') return o;
    // Room for escaping growth is the server's business; here the raw text's cap.
    if (!shortString(o.text, MAX_TEXT_LENGTH * 2)) return `text must be a string of at most ${MAX_TEXT_LENGTH} characters`;
    if (!isUserId(o.toUserId)) return 'toUserId must be a non-negative integer';
    if (o.replyTo !== undefined && !isMessageId(o.replyTo)) return 'replyTo must be a message id';
    const request: SendRequest = { text: o.text, toUserId: o.toUserId };
    if (o.replyTo !== undefined) request.replyTo = o.replyTo;
    if (o.file !== undefined) {
      const file = o.file;
      if (!isObject(file) || !isFileId(file.fileId) || !shortString(file.name, MAX_UPLOAD_NAME_LENGTH)) return 'file must be {fileId, name} of an uploaded file';
      request.file = { fileId: file.fileId, name: file.name };
    }
    if (o.room !== undefined) {
      const room = normalizeRoomName(o.room);
      if (room === null || o.toUserId !== 0) return 'room must be a room name, on a public line';
      request.room = room;
    }
    return [request];
  },
  hostRoom(args) {
    const o = oneObject(args);
    if (typeof o === 'string') return o;
    if (!isPort(o.port)) return 'port must be an integer from 1 to 65535';
    if (o.roomKey !== undefined && !shortString(o.roomKey, MAX_LOGIN_KEY_LENGTH)) return 'roomKey must be a short string';
    if (o.allowInternet !== undefined && typeof o.allowInternet !== 'boolean') return 'allowInternet must be a boolean';
    const request: HostRequest = { port: o.port };
    if (o.roomKey !== undefined && o.roomKey !== '') request.roomKey = o.roomKey;
    if (o.allowInternet === true) request.allowInternet = true;
    return [request];
  },
  stopHosting: noArguments,
  getSettings: noArguments,
  saveSettings(args) {
    if (args.length !== 1) return 'takes one argument';
    const patch = validateSettingsPatch(args[0]);
    return typeof patch === 'string' ? patch : [patch];
  },
  requestAttention(args) {
    const o = oneObject(args);
    if (typeof o === 'string') return o;
    if (o.kind !== 'mention' && o.kind !== 'private' && o.kind !== 'buzz') return 'kind must be mention, private or buzz';
    if (!shortString(o.from, 256) || !shortString(o.text, MAX_TEXT_LENGTH * 8)) return 'from and text must be strings';
    return [{ kind: o.kind, from: o.from, text: o.text }];
  },
  setUnreadCount(args) {
    if (args.length !== 1) return 'takes one argument';
    const n = args[0];
    return typeof n === 'number' && Number.isInteger(n) && n >= 0 && n <= 1_000_000 ? [n] : 'count must be a non-negative integer';
  },
  cancelPending(args) {
    if (args.length !== 1) return 'takes one argument';
    const id = args[0];
    return typeof id === 'string' && id !== '' && id.length <= MAX_PENDING_ID_LENGTH ? [id] : 'id must be a pending message id';
  },
  loadOlder(args) {
    const o = oneObject(args);
    if (typeof o === 'string') return o;
    if (!isMessageId(o.before)) return 'before must be a message id';
    if (typeof o.limit !== 'number' || !Number.isInteger(o.limit) || o.limit < 1 || o.limit > MAX_HISTORY_PAGE) {
      return `limit must be an integer from 1 to ${MAX_HISTORY_PAGE}`;
    }
    if (o.room === undefined) return [{ before: o.before, limit: o.limit }];
    const room = normalizeRoomName(o.room);
    return room === null ? 'room must be a room name' : [{ before: o.before, limit: o.limit, room }];
  },
  editMessage(args) {
    const o = oneObject(args);
    if (typeof o === 'string') return o;
    if (!isMessageId(o.messageId)) return 'messageId must be a message id';
    if (!shortString(o.text, MAX_TEXT_LENGTH * 2)) return `text must be a string of at most ${MAX_TEXT_LENGTH} characters`;
    return [{ messageId: o.messageId, text: o.text }];
  },
  deleteMessage(args) {
    const o = oneObject(args);
    if (typeof o === 'string') return o;
    if (!isMessageId(o.messageId)) return 'messageId must be a message id';
    return [{ messageId: o.messageId }];
  },
  setStatus(args) {
    const o = oneObject(args);
    if (typeof o === 'string') return o;
    if (!isUserStatus(o.status)) return 'status must be one of online, working, resting, away, busy';
    const text = cleanStatusText(o.text);
    if (text === null) return 'text must be a string of at most 80 characters';
    return [{ status: o.status, text }];
  },
  buzz(args) {
    const o = oneObject(args);
    if (typeof o === 'string') return o;
    if (!isUserId(o.toUserId) || o.toUserId === 0) return 'toUserId must be a user id';
    return [{ toUserId: o.toUserId }];
  },
  loadDialog(args) {
    const o = oneObject(args);
    if (typeof o === 'string') return o;
    if (!isUserId(o.withUserId) || o.withUserId === 0) return 'withUserId must be a user id';
    if (o.before !== undefined && !isMessageId(o.before)) return 'before must be a message id';
    if (typeof o.limit !== 'number' || !Number.isInteger(o.limit) || o.limit < 1 || o.limit > MAX_HISTORY_PAGE) {
      return `limit must be an integer from 1 to ${MAX_HISTORY_PAGE}`;
    }
    const request: DialogRequest = { withUserId: o.withUserId, limit: o.limit };
    if (o.before !== undefined) request.before = o.before;
    return [request];
  },
  joinRoom(args) {
    const o = oneObject(args);
    if (typeof o === 'string') return o;
    const room = normalizeRoomName(o.room);
    if (room === null) return 'room must be a room name';
    if (o.key !== undefined && (!shortString(o.key, MAX_CHAT_ROOM_KEY_LENGTH) || o.key === '')) return 'key must be a short non-empty string';
    return [o.key === undefined ? { room } : { room, key: o.key }];
  },
  leaveRoom(args) {
    const o = oneObject(args);
    if (typeof o === 'string') return o;
    const room = normalizeRoomName(o.room);
    return room === null ? 'room must be a room name' : [{ room }];
  },
  listRooms: noArguments,
  uploadFile(args) {
    const o = oneObject(args);
    if (typeof o === 'string') return o;
    if (!isUploadId(o.uploadId)) return 'uploadId must be a short non-empty string';
    if (!shortString(o.name, MAX_UPLOAD_NAME_LENGTH)) return 'name must be a string';
    if (!isBytes(o.bytes) || o.bytes.length > MAX_UPLOAD_BYTES) return 'bytes must be a Uint8Array of at most 1 GiB';
    return [{ uploadId: o.uploadId, name: o.name, bytes: o.bytes }];
  },
  cancelUpload(args) {
    if (args.length !== 1) return 'takes one argument';
    return isUploadId(args[0]) ? [args[0]] : 'uploadId must be a short non-empty string';
  },
  fileLink(args) {
    if (args.length !== 1) return 'takes one argument';
    return isFileId(args[0]) ? [args[0]] : 'fileId must be a file id';
  },
  showDownload(args) {
    if (args.length !== 1) return 'takes one argument';
    return isUploadId(args[0]) ? [args[0]] : 'downloadId must be a short non-empty string';
  },
  reconnectNow: noArguments,
};

export const COMMAND_NAMES = Object.keys(COMMAND_ARGUMENTS) as CommandName[];

const EVENTS: { [E in EventName]: true } = {
  message: true,
  status: true,
  hosting: true,
  notice: true,
  outbox: true,
  olderHistory: true,
  connectLink: true,
  foundRooms: true,
  uploadProgress: true,
  download: true,
};
export const EVENT_NAMES = Object.keys(EVENTS) as EventName[];
