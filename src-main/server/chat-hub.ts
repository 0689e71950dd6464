import { randomBytes } from 'node:crypto';
import type { Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { RawData, WebSocket } from 'ws';
import {
  CloseCode,
  MAX_HISTORY_PAGE,
  MAX_MISSED_PINGS,
  PUBLIC_RECIPIENT,
  formatChatText,
  parseClientMessage,
} from '../../src-shared/protocol';
import type { ErrorCode, Gender, ReplyQuote, ServerMessage } from '../../src-shared/protocol';
import { addressKey } from './addresses';
import { Fanout, frameText } from './broadcast';
import type { ServerConfig } from './config';
import type { HandshakeRequest } from './handshake';
import { historyBytes, historyJson } from './history-frame';
import { editedPayload, lineFacts, quoteOf, tombstonePayload, withQuoteDeleted } from './line-payload';
import { IdentityQuota } from './identity-quota';
import { Identities } from './identities';
import type { KnownIdentity } from './identities';
import { ChatSocket, Member } from './member';
import type { LeaveAction } from './member';
import { UniqueNames } from './names';
import type { NameClaim } from './names';
import { PrivateDialogs } from './private-dialogs';
import { lineJson } from './quote';
import { errorFrame } from './error-frame';
import type { ChatRoom } from './rooms/chat-room';
import { RoomActions } from './rooms/room-actions';
import { takeToken } from './rate-limit';
import type { RateLimit } from './rate-limit';
import type { AckedMark, DurableState, KeptState, SavedSession, SessionJournal } from './store/durable-state';
import { LOBBY } from './store/message-store';
import { listedJson, setStatus } from './statuses';
import { Buzzes } from './buzz';
import type { MessageStore, StoredLine } from './store/message-store';
import type { FileAudience } from './files/file-access';
import { ownerKey, sessionPairOf, sessionPairScope } from './files/file-access';
import type { FileCatalog } from './files/file-catalog';
import { fileIdIn, sentFile, textsWithFile } from './files/file-line';
import type { SentFile } from './files/file-line';
import { DIALOG_KEY_PREFIX } from '../../src-shared/protocol';

/*
 * The hub of the chat: who is connected (names, sessions, presence), the lobby every
 * user is in, and what each action does; rooms besides the lobby are in rooms/ (the
 * registry, one room, the membership), private dialogs in private-dialogs.ts. Presence
 * and public messages go through the fan-out (framed once, written once per socket per
 * tick); replies to one user are written to that user at once, in order.
 */

export type { LeaveAction } from './member';

/** The original's wording (the Qt client shows it as is), then ours. */
export const RECIPIENT_OFFLINE_TEXT =
  'Не удалось отправить сообщение выбранному пользователю: он не в сети. ' +
  'The message was not delivered: the recipient is offline.';

const PING_FRAME = frameText('{"action":"Ping"}');
const RATE_LIMITED_FRAME = errorFrame('rate-limited', 'Too many messages: slow down and send it again.');
const UNKNOWN_MESSAGE_FRAME = errorFrame('unknown-message', 'There is no such message (it may have been deleted or is too old).');
const UNKNOWN_REPLY_FRAME = errorFrame('unknown-reply', 'The message this replies to is gone (deleted or too old); the reply was not sent.');
const NOT_AUTHOR_FRAME = errorFrame('not-author', 'Only the author of a message may edit or delete it.');
const EDIT_WINDOW_CLOSED_FRAME = errorFrame('edit-window-closed', 'This message is too old to be edited.');
const UNKNOWN_FILE_FRAME = errorFrame('unknown-file', 'There is no such file of yours for this conversation (upload it again); the line was not sent.');

/** No status on a Connected: every member is admitted as online (a resumed one's client sets its status again). */
function presenceFrame(action: 'Connected' | LeaveAction, member: Member): Buffer {
  return frameText(`{"action":"${action}",${member.identityJson}}`);
}

function rawText(data: RawData): string {
  if (Buffer.isBuffer(data)) return data.toString('utf8');
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.from(data).toString('utf8');
}

function memberOf(ws: WebSocket): Member | null {
  return (ws as ChatSocket).member;
}

function errorText(error: Error): string {
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' ? `${error.message} (${code})` : error.message;
}

/** A member who left, whose name and id wait for its session token until `expiresAt`. */
interface Reservation {
  readonly userId: number;
  readonly nameClaim: NameClaim;
  readonly gender: Gender;
  readonly userColor: string;
  readonly ackedSeq: number;
  readonly expiresAt: number;
}

/** The identity a connection joins as: fresh, or resumed from a session. */
interface Admission {
  userId: number;
  nameClaim: NameClaim;
  gender: Gender;
  userColor: string;
  sessionToken: string;
  /** For a resumed session: the History number it had surely seen (it gets the rest). */
  resumeAfter: number | null;
  /** A new session (not one resumed): the state file learns of it. */
  fresh: boolean;
  /** The original Qt client (see Member.legacy). */
  legacy: boolean;
  /** The lasting identity the login proved, if any. */
  identity?: KnownIdentity | null;
}

/** What `ws` reports for a close frame that carried no code (a browser's plain `close()`). */
const NO_STATUS_RECEIVED = 1005;

/** What `ws` reports when the connection ended without a close frame. */
const ABNORMAL_CLOSURE = 1006;

/** 1000 is the user's own disconnect; so is a close without a code. */
function isDeliberateClose(code: number): boolean {
  return code === CloseCode.normal || code === NO_STATUS_RECEIVED;
}

/**
 * The connection broke rather than closed: no close frame, or our client's own "the
 * server went silent" (it reconnects at once). Only these may be hidden by the grace.
 */
function isDrop(code: number): boolean {
  return code === ABNORMAL_CLOSURE || code === CloseCode.serverSilent;
}

function savedSession(member: Member): SavedSession {
  return {
    token: member.sessionToken,
    userId: member.userId,
    userName: member.userName,
    gender: member.gender,
    userColor: member.userColor,
    ackedSeq: member.ackedSeq,
  };
}

function newSessionToken(): string {
  return randomBytes(18).toString('base64url');
}

export class ChatHub implements FileAudience {
  /** By userId, in join order. */
  private readonly members = new Map<number, Member>();
  private readonly names = new UniqueNames();
  /** Connections by `addressKey` (IPv6 by /64). */
  private readonly perIp = new Map<string, number>();
  private readonly fanout: Fanout<Member>;
  private readonly rate: RateLimit;
  private nextUserId = 1;
  private closing = false;
  private readonly store: MessageStore;
  private readonly startedAt = performance.now();
  /** The last messageId when the room started: a client from before a restart gets every line after it. */
  private startSeq = 0;
  /** Where sessions are kept across restarts; null: nowhere. */
  private readonly journal: SessionJournal | null;
  /** Online members by session token. */
  private readonly bySession = new Map<string, Member>();
  /** Members who left recently, by session token; in expiry order. */
  private readonly reservations = new Map<string, Reservation>();
  /** The user ids of `reservations`: not handed out again while held. */
  private readonly reservedIds = new Set<number>();
  /**
   * Sessions that ended while the room is young (see `join`): their tokens are not
   * mistaken for ones from before a restart. Emptied once the room is older than the
   * resume window.
   */
  private endedWhileYoung: Set<string> | null = new Set();
  /** Cache of usersList(); null when it must be rebuilt. */
  private usersJson: string | null = null;
  private readonly emptied: Array<() => void> = [];
  /** Members in the presence grace: in `members`, but with no connection. */
  private awayCount = 0;
  private readonly graceEnded = (member: Member): void => this.endGrace(member);
  /**
   * Recent edits and deletions, oldest first, each numbered from the line sequence, so a
   * Ping's number covers them too: a resumed session is told of those it missed about
   * lines it already had. At most `historyLines` (twice that before a trim).
   */
  private readonly changes: Array<{ readonly seq: number; readonly messageId: number }> = [];
  private readonly buzzes: Buzzes;
  /** The rooms besides the lobby: registry, membership, and their actions. */
  private readonly rooms: RoomActions;
  /** Lasting identities (their ids and held names) and the private dialogs between them. */
  private readonly identities: Identities;
  private readonly dialogs: PrivateDialogs;

  // Shared by every socket (`this` is the socket): no closures per connection.
  readonly onMessage: (this: WebSocket, data: RawData, isBinary: boolean) => void;
  readonly onClose: (this: WebSocket, code: number) => void;
  readonly onError: (this: WebSocket, error: Error) => void;

  /**
   * Takes in what `durable` kept: ids go on after the last one given (wrapping past the
   * maximum), its lines are the history, and every session waits for its token a whole
   * resume window from now. From then on every change goes to `durable`, written before
   * the frames it explains.
   */
  constructor(
    private readonly config: ServerConfig,
    durable: DurableState,
    private readonly files: FileCatalog | null = null,
  ) {
    this.store = durable.messages;
    this.journal = durable.sessions;
    this.rate = { burst: config.rateBurst, perSecond: config.ratePerSecond };
    this.fanout = new Fanout<Member>(config.maxBufferedBytes, (member) =>
      this.lose(member, `slow consumer, ${member.socket.writableLength} bytes unsent`),
    );
    // Memory alone keeps nothing to write: the hot path then only checks a null.
    if (durable.sessions !== null) this.fanout.beforeWrite = () => durable.flush();
    this.restore(durable.kept);
    this.buzzes = new Buzzes(config.buzzIntervalMs, (member, frame) => this.fanout.send(member, frame));
    this.rooms = new RoomActions(config, durable, { send: (member, frame) => this.fanout.send(member, frame) }, {
      maxBufferedBytes: config.maxBufferedBytes,
      onSlowConsumer: (member) => this.lose(member, `slow consumer in a room, ${member.socket.writableLength} bytes unsent`),
      beforeWrite: this.fanout.beforeWrite,
    });
    this.identities = new Identities(
      config.maxIdentities,
      durable.kept.identities ?? [],
      durable.identities ?? null,
      new IdentityQuota(config.identitiesPerAddressPerDay, config.exemptLoopbackFromIpLimit),
      { afterMs: config.nameHoldDays * 86_400_000, forgotten: (identity) => this.names.unhold(identity) },
    );
    this.names.holdMs = config.nameHoldDays * 86_400_000;
    for (const identity of this.identities.all()) this.names.hold(identity.userName, identity);
    this.dialogs = new PrivateDialogs(
      this.store,
      this.identities,
      durable.identities ?? null,
      {
        memberById: (userId) => this.members.get(userId),
        send: (member, frame) => this.fanout.send(member, frame),
        historyBytes: this.historyBytes,
      },
      durable.kept.waiting ?? [],
    );
    const room = this;
    this.onMessage = function onMessage(this: WebSocket, data: RawData, isBinary: boolean): void {
      const member = memberOf(this);
      if (member !== null) room.receive(member, data, isBinary);
    };
    this.onClose = function onClose(this: WebSocket, code: number): void {
      const member = memberOf(this);
      if (member !== null) room.closed(member, code);
    };
    this.onError = function onError(this: WebSocket, error: Error): void {
      const member = memberOf(this);
      const who = member !== null ? member.describe() : 'a connection';
      room.config.log(`error ${who}: ${errorText(error)}`);
      if (member !== null) room.protocolError(member);
    };
  }

  /** Members with a connection (those in the presence grace have none). */
  get size(): number {
    return this.members.size - this.awayCount;
  }

  connectionsFrom(ip: string): number {
    return this.perIp.get(addressKey(ip)) ?? 0;
  }

  /** A session online, or held for a resume: its token proves the client was let in before. */
  knowsSession(sessionToken: string | null): boolean {
    if (sessionToken === null) return false;
    if (this.bySession.has(sessionToken)) return true;
    const reserved = this.reservations.get(sessionToken);
    return reserved !== undefined && reserved.expiresAt > performance.now();
  }

  /**
   * A session the room knows gets its own id back; anyone else needs a free one, and
   * there is none only when every id up to `maxUserId` is online or held (with 2^31
   * ids, only in tests).
   */
  hasIdFor(sessionToken: string | null): boolean {
    return this.knowsSession(sessionToken) || this.members.size + this.reservedIds.size < this.config.maxUserId;
  }

  get isClosing(): boolean {
    return this.closing;
  }

  /**
   * Takes in a connection that passed the handshake: Authorized to it, Connected to all.
   * With the session token of someone online, it takes that member's place (the stale
   * connection is closed; the others see nothing); with the token of someone who left
   * within the resume window, it gets that name and id back. Either way it then gets
   * the public messages it missed in a History. A token this room never gave out,
   * shortly after the room started, is a client of the server before a restart: it
   * logs in afresh and gets every public message since the start, so nothing said
   * while the others were still reconnecting is lost to it.
   */
  join(ws: ChatSocket, socket: Socket, ip: string, request: HandshakeRequest, legacy = false): Member {
    const token = request.sessionToken;
    if (token !== null) {
      const online = this.bySession.get(token);
      if (online !== undefined) return this.takeOver(online, ws, socket, ip, legacy);
      const reserved = this.reservations.get(token);
      if (reserved !== undefined && reserved.expiresAt > performance.now()) {
        this.dropReservation(token, reserved);
        // An identity the server does not know yet (it forgot them in a restart: --state-file) is learnt as at a fresh login.
        const secret = request.identity;
        const identity = this.knownIdentity(request) ?? (secret === null ? null : this.identities.add(secret, reserved.userId, reserved.nameClaim.name, ip));
        const resumed: Admission = { ...reserved, sessionToken: token, resumeAfter: reserved.ackedSeq, fresh: false, legacy, identity };
        return this.admit(ws, socket, ip, resumed, request.problems);
      }
    }
    const known = this.knownIdentity(request);
    if (known !== null) this.dropOwnReservation(known);
    if (known !== null) this.endOwnGrace(known);
    const userId = known !== null && this.idIsFree(known.userId) ? known.userId : this.takeUserId();
    const nameClaim = this.names.claim(request.userName, known);
    const admission: Admission = {
      userId,
      nameClaim,
      gender: request.gender,
      userColor: request.userColor,
      sessionToken: newSessionToken(),
      resumeAfter: token !== null && this.isYoung() && !this.endedWhileYoung!.has(token) ? this.startSeq : null,
      fresh: true,
      legacy,
      identity: known ?? (request.identity === null ? null : this.identities.add(request.identity, userId, nameClaim.name, ip)),
    };
    return this.admit(ws, socket, ip, admission, request.problems);
  }

  /** One frame from a member: rate-limited, parsed once, then acted on. */
  receive(member: Member, data: RawData, isBinary: boolean): void {
    if (member.left) return;
    const verdict = takeToken(member, this.rate, performance.now());
    if (verdict !== 'ok') {
      if (verdict === 'flood') this.expel(member, CloseCode.policyViolation, 'Too many messages');
      else this.fanout.send(member, RATE_LIMITED_FRAME);
      return;
    }
    if (isBinary) {
      this.expel(member, CloseCode.unsupportedData, 'Binary frames are not supported; send JSON text');
      return;
    }
    const parsed = parseClientMessage(rawText(data));
    if (!parsed.ok) {
      this.config.log(`error ${member.describe()}: ${parsed.error.code}`);
      this.fanout.send(member, errorFrame(parsed.error.code as ErrorCode, parsed.error.message));
      return;
    }
    const message = parsed.message;
    if (message.action === 'Pong') {
      member.missedPings = 0;
      const seq = member.pingSeqs.shift();
      if (seq !== undefined && seq > member.ackedSeq) member.ackedSeq = seq;
      return;
    }
    if (message.action === 'JoinRoom' || message.action === 'LeaveRoom' || message.action === 'ListRooms') {
      this.rooms.receive(member, message);
      return;
    }
    if (message.action === 'History' && message.room !== undefined) {
      this.rooms.history(member, message.room, message.before, message.limit);
      return;
    }
    if (message.action === 'History' && message.with !== undefined) {
      this.dialogs.page(member, message.with, message.before, message.limit);
      return;
    }
    if (message.action === 'History') {
      const page = this.store.before(LOBBY, message.before, message.limit);
      this.fanout.send(member, frameText(historyJson(page, this.historyBytes)));
      return;
    }
    if (message.action === 'Edit') {
      this.edit(member, message.messageId, message.text);
      return;
    }
    if (message.action === 'Delete') {
      this.delete(member, message.messageId);
      return;
    }
    if (message.action === 'SetStatus') return this.toPeersOf(member, setStatus(member, message.status, message.text));
    if (message.action === 'AllowBuzz') return void (member.allowsBuzz = message.allow);
    if (message.action === 'Buzz') return this.buzzes.buzz(member, this.onlineMember(message.toUserId));
    if (message.text === '' && message.file === undefined) return;
    let target: ChatRoom | null = null;
    if (message.room !== undefined) {
      target = this.rooms.roomFor(member, message.room);
      if (target === null) return;
    }
    let quote: ReplyQuote | null = null;
    if (message.replyTo !== undefined) {
      const quoted = this.visibleLine(member, message.replyTo);
      // A reply quotes a line of its own room only: a quote must not carry a room's words elsewhere.
      const sameRoom = quoted !== null && quoted.room === (target === null ? LOBBY : target.name);
      quote = quoted === null || !sameRoom ? null : quoteOf(quoted.messageId, quoted.payload);
      if (quote === null) {
        this.fanout.send(member, UNKNOWN_REPLY_FRAME);
        return;
      }
    }
    let file: SentFile | null = null;
    if (message.file !== undefined) {
      const scope = message.toUserId === PUBLIC_RECIPIENT ? (target === null ? LOBBY : target.name) : this.privateScope(member, message.toUserId);
      // A private line to someone offline gets its recipient-offline below, whatever its file.
      if (scope !== null) {
        file = this.claimFile(member, message.file.fileId, scope);
        if (file === null) return;
      }
    }
    if (message.toUserId === PUBLIC_RECIPIENT) this.publish(member, message.text, quote, target, file);
    else this.sendPrivate(member, message.toUserId, message.text, quote, file);
  }

  /**
   * The member's own file, now sent to `scope`; null once `unknown-file` is sent: no such
   * file, someone else's, or one already sent (a file goes in one line, so deleting the
   * line can delete the file).
   */
  private claimFile(member: Member, fileId: string, scope: string): SentFile | null {
    const record = this.files?.get(fileId);
    if (this.files === null || record === undefined || record.owner !== ownerKey(member) || record.scope !== null) {
      this.fanout.send(member, UNKNOWN_FILE_FRAME);
      return null;
    }
    return sentFile(this.files.sentTo(record, scope));
  }

  /** Where a private line from `member` to `toUserId` goes: a dialog, two sessions, or null (the target is offline). */
  private privateScope(member: Member, toUserId: number): string | null {
    const dialog = this.dialogs.keyFor(member, toUserId);
    if (dialog !== null) return dialog;
    const target = this.onlineMember(toUserId);
    return target === null ? null : sessionPairScope(member, target);
  }

  /** The live session with this token (online, or in its presence grace). */
  sessionMember(token: string): Member | null {
    const member = this.bySession.get(token);
    return member === undefined || member.left ? null : member;
  }

  memberById(userId: number): Member | null {
    const member = this.members.get(userId);
    return member === undefined || member.left ? null : member;
  }

  /** Whether the member sees the lobby (everyone), a room it is in, its dialog, or its private line. */
  canSee(member: Member, scope: string): boolean {
    if (member.left) return false;
    if (scope === LOBBY) return true;
    const pair = sessionPairOf(scope);
    if (pair !== null) return pair.includes(member.sessionToken);
    if (scope.startsWith(DIALOG_KEY_PREFIX)) {
      const ids = /^@(\d+):(\d+)$/.exec(scope);
      return ids !== null && member.lasting !== null && (Number(ids[1]) === member.lasting.userId || Number(ids[2]) === member.lasting.userId);
    }
    return this.rooms.memberRoom(member, scope) !== null;
  }

  /** A status change (null: none) to the member's peers; user lists are rebuilt with it. */
  private toPeersOf(member: Member, frame: Buffer | null): void {
    if (frame === null) return;
    this.usersJson = null;
    for (const room of this.rooms.membership.roomsOf(member).values()) room.statusChanged();
    // Everyone: every user is in the lobby, so a member's peers are all of them.
    this.fanout.queue(frame);
  }

  /** The member with this id who has a connection now (not one in the presence grace), or null. */
  private onlineMember(userId: number): Member | null {
    const member = this.members.get(userId);
    return member !== undefined && member.away === null ? member : null;
  }

  /**
   * A stored line the member can see: the lobby's, or one of a room it is in. A private
   * dialog's lines are stored under a dialog key no room has, so they are never found
   * here: they cannot be quoted, edited or deleted.
   */
  private visibleLine(member: Member, messageId: number): StoredLine | null {
    const line = this.store.get(messageId);
    if (line === undefined) return null;
    return line.room === LOBBY || this.rooms.memberRoom(member, line.room) !== null ? line : null;
  }

  /** Queues a frame about a stored line for whoever sees that line's room. */
  private queueFor(line: StoredLine, frame: Buffer): void {
    if (line.room === LOBBY) this.fanout.queue(frame);
    else this.rooms.registry.find(line.room)?.queue(frame);
  }

  /** `,"room":"…"` for a room's line, nothing for the lobby's. */
  private static roomField(room: string): string {
    return room === LOBBY ? '' : `,"room":${JSON.stringify(room)}`;
  }

  /** The author's line, or null once the refusal is sent: unknown, deleted, someone else's. */
  private ownLine(member: Member, messageId: number): StoredLine | null {
    const line = this.visibleLine(member, messageId);
    const facts = line === null ? null : lineFacts(line.payload);
    if (line === null || facts === null || facts.deleted) {
      this.fanout.send(member, UNKNOWN_MESSAGE_FRAME);
      return null;
    }
    // Lines restored from a state file have no author (''): no one may change them.
    if (line.authorSession === '' || line.authorSession !== member.sessionToken) {
      this.fanout.send(member, NOT_AUTHOR_FRAME);
      return null;
    }
    return line;
  }

  private edit(member: Member, messageId: number, text: string): void {
    const line = this.ownLine(member, messageId);
    if (line === null) return;
    const editedAt = Date.now();
    if (editedAt - line.sentAt >= this.config.editWindowSeconds * 1000) {
      this.fanout.send(member, EDIT_WINDOW_CLOSED_FRAME);
      return;
    }
    const formatted = formatChatText(text);
    this.replaceLine(line, editedPayload(line.payload, formatted, editedAt));
    this.noteChange(messageId);
    const edited: ServerMessage = { action: 'MessageEdited', messageId, text: formatted, editedAt };
    if (line.room !== LOBBY) edited.room = line.room;
    this.queueFor(line, frameText(JSON.stringify(edited)));
  }

  private delete(member: Member, messageId: number): void {
    const line = this.ownLine(member, messageId);
    if (line === null) return;
    this.replaceLine(line, tombstonePayload(line.payload));
    // The line's file goes with it: nobody can fetch it any more.
    const fileId = fileIdIn(line.payload);
    if (fileId !== null) this.files?.remove(fileId);
    this.forgetQuotesOf(messageId);
    this.noteChange(messageId);
    this.queueFor(line, frameText(`{"action":"MessageDeleted","messageId":${messageId}${ChatHub.roomField(line.room)}}`));
  }

  /**
   * The replies to a deleted line (in its room, or in a dialog quoting it) lose their
   * excerpt of it, in the store, so no later History shows the deleted text. Clients
   * that have them on screen drop it on the MessageDeleted.
   */
  private forgetQuotesOf(messageId: number): void {
    for (const line of this.store.repliesTo(messageId)) {
      const payload = withQuoteDeleted(line.payload, messageId);
      if (payload !== null) this.replaceLine(line, payload);
    }
  }

  private noteChange(messageId: number): void {
    const changes = this.changes;
    changes.push({ seq: this.store.nextMessageId(), messageId });
    if (changes.length > 2 * this.config.historyLines) changes.splice(0, changes.length - this.config.historyLines);
  }

  /**
   * What became of lines up to `member.ackedSeq` (which it had) since then: their
   * MessageEdited or MessageDeleted again, in their state now. Later lines are in its
   * History as they are now.
   */
  private sendMissedChanges(member: Member): void {
    const since = member.ackedSeq;
    const told = new Set<number>();
    for (let i = this.changes.length - 1; i >= 0 && this.changes[i]!.seq > since; i--) {
      const messageId = this.changes[i]!.messageId;
      if (messageId > since || told.has(messageId)) continue;
      told.add(messageId);
      // A room's changes only to its members (a session resumed later is not in its rooms yet: their History is current).
      const line = this.visibleLine(member, messageId);
      const facts = line === null ? null : lineFacts(line.payload);
      if (line === null || facts === null) continue;
      const change: ServerMessage = facts.deleted
        ? { action: 'MessageDeleted', messageId }
        : { action: 'MessageEdited', messageId, text: facts.text, editedAt: facts.editedAt };
      if (line.room !== LOBBY) change.room = line.room;
      this.fanout.send(member, frameText(JSON.stringify(change)));
    }
  }

  private replaceLine(line: StoredLine, payload: string): void {
    this.store.replace({ ...line, payload });
  }

  /** The heartbeat: drops whoever missed too many pings, then pings everyone (one frame). */
  pingAll(): void {
    if (this.closing) return;
    this.expireReservations(performance.now());
    this.saveAcked();
    const silent: Member[] = [];
    const seq = this.store.lastMessageId;
    for (const member of this.members.values()) {
      if (member.away !== null) continue;
      if (member.missedPings >= MAX_MISSED_PINGS) {
        silent.push(member);
        continue;
      }
      member.missedPings++;
      const pingSeqs = member.pingSeqs;
      pingSeqs.push(seq);
      if (pingSeqs.length > MAX_MISSED_PINGS + 1) pingSeqs.shift();
    }
    for (const member of silent) this.lose(member, `${MAX_MISSED_PINGS} pings unanswered`);
    if (this.size > 0) this.fanout.queue(PING_FRAME);
  }

  /**
   * Closes every member's connection with `code` and resolves once all are closed;
   * whoever has not answered the close within `graceMs` is cut off.
   */
  closeAll(code: number, reason: string, graceMs: number): Promise<void> {
    this.saveAcked();
    this.closing = true;
    this.fanout.flush();
    for (const member of this.members.values()) {
      if (member.away !== null) this.depart(member, member.away.action, false, member.away.since);
      else member.ws.close(code, reason);
    }
    if (this.members.size === 0) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const cutOff = setTimeout(() => {
        for (const member of this.members.values()) member.ws.terminate();
      }, graceMs);
      this.emptied.push(() => {
        clearTimeout(cutOff);
        resolve();
      });
    });
  }

  private admit(ws: ChatSocket, socket: Socket, ip: string, admission: Admission, problems: string[]): Member {
    const member = new Member(
      admission.userId,
      admission.nameClaim,
      admission.gender,
      admission.userColor,
      ws,
      socket,
      ip,
      this.rate,
      performance.now(),
      admission.sessionToken,
      admission.resumeAfter ?? this.store.lastMessageId,
      admission.legacy,
    );
    member.lasting = admission.identity ?? null;
    this.listen(member);
    this.members.set(member.userId, member);
    if (this.usersJson !== null) {
      this.usersJson += this.usersJson === '' ? listedJson(member) : `,${listedJson(member)}`;
    }
    this.bySession.set(member.sessionToken, member);
    if (this.journal !== null && admission.fresh) this.journal.started(savedSession(member), this.nextUserId);
    // The Qt client cannot resume: of its session only the id counter outlives a restart.
    if (this.journal !== null && admission.fresh && member.legacy) this.journal.ended(member.sessionToken);
    this.countIp(ip, +1);
    this.fanout.add(member);
    this.fanout.send(member, frameText(this.authorizedJson(member)));
    if (admission.resumeAfter !== null) this.sendHistory(member);
    else if (this.config.historyOnJoin > 0) this.sendRecent(member);
    if (problems.length > 0) this.fanout.send(member, errorFrame('invalid-parameter', problems.join(' ')));
    this.cameWithIdentity(member, admission.identity ?? null);
    this.fanout.queue(presenceFrame('Connected', member));
    if (!admission.fresh) this.rooms.resumed(member);
    const resumed = admission.resumeAfter !== null ? ', with History' : '';
    this.config.log(`join ${member.describe()} from ${ip} (${this.size} online${resumed})`);
    return member;
  }

  /**
   * The same session on a new connection: swap it in, tell no one else. A member still
   * online has its old connection closed; one in the presence grace just comes back.
   */
  private takeOver(member: Member, ws: ChatSocket, socket: Socket, ip: string, legacy: boolean): Member {
    const wasAway = member.away !== null;
    if (member.away !== null) {
      clearTimeout(member.away.timer);
      member.away = null;
      this.awayCount--;
      this.fanout.add(member);
    } else {
      // What was queued for the stale connection is not repeated: the new Authorized has the
      // current user list, and the History has the public messages.
      this.fanout.skipQueued(member);
      const stale = member.ws;
      stale.member = null;
      stale.close(CloseCode.replaced, 'Replaced by a new connection');
      this.countIp(member.ip, -1);
    }
    this.countIp(ip, +1);
    member.ws = ws;
    member.socket = socket;
    member.ip = ip;
    member.legacy = legacy;
    member.missedPings = 0;
    member.pingSeqs = [];
    this.listen(member);
    this.fanout.send(member, frameText(this.authorizedJson(member)));
    this.sendHistory(member);
    this.rooms.caughtUp(member, member.ackedSeq);
    this.dialogs.deliverWaiting(member);
    const how = wasAway ? 'back within the presence grace' : 'replaced its stale connection';
    this.config.log(`join ${member.describe()} from ${ip} (${this.size} online, ${how})`);
    return member;
  }

  /**
   * The next free user id. Past `maxUserId` the count starts again at 1, skipping ids
   * online or held for a session, so ids stay Qt `int`s and never run out (a join flood
   * that used them all up would otherwise lock everyone out, even across restarts).
   */
  private takeUserId(): number {
    const max = this.config.maxUserId;
    for (let tried = 0; tried < max; tried++) {
      if (this.nextUserId > max || this.nextUserId < 1) this.nextUserId = 1;
      const id = this.nextUserId++;
      if (!this.members.has(id) && !this.reservedIds.has(id) && !this.identities.ownsUserId(id)) return id;
    }
    throw new Error('ChatHub.join: every user id is in use (refusalFor checks hasIdFor first)');
  }

  /** The identity a login's secret proves, or null (none sent, or not known yet). */
  private knownIdentity(request: HandshakeRequest): KnownIdentity | null {
    return request.identity === null ? null : (this.identities.find(request.identity) ?? null);
  }

  /**
   * A fresh login of an identity whose earlier session still waits for a resume (its
   * client lost the token: an app restart, a server restart): that session is over, and
   * its id and name go back to the identity. Only the identity's own sessions have its id.
   */
  private dropOwnReservation(identity: KnownIdentity): void {
    if (!this.reservedIds.has(identity.userId)) return;
    for (const [token, reservation] of this.reservations) {
      if (reservation.userId !== identity.userId) continue;
      this.dropReservation(token, reservation);
      this.names.release(reservation.nameClaim);
      this.journal?.ended(token);
      return;
    }
  }

  /**
   * A fresh login of an identity whose own session is in the presence grace (its app
   * crashed and came back without the token): that session is over, as `dropOwnReservation`
   * ends one already told gone; a second tab still connected is left alone.
   */
  private endOwnGrace(identity: KnownIdentity): void {
    const held = this.members.get(identity.userId);
    if (held === undefined || held.away === null || held.lasting !== identity) return;
    this.depart(held, held.away.action, false, held.away.since);
    this.config.log(`gone ${held.describe()}: its identity logged in afresh`);
  }

  /** An identity's own id is given back to it when no one holds it now (a second tab of it does). */
  private idIsFree(userId: number): boolean {
    return !this.members.has(userId) && !this.reservedIds.has(userId);
  }

  /** The session of an identity: its name is held for it from now on, and what waited for it is delivered. */
  private cameWithIdentity(member: Member, identity: KnownIdentity | null): void {
    if (identity === null) return;
    this.identities.cameOnline(identity, member);
    this.names.hold(identity.userName, identity);
    this.dialogs.deliverWaiting(member);
  }

  private dropReservation(token: string, reservation: Reservation): void {
    this.reservations.delete(token);
    this.reservedIds.delete(reservation.userId);
  }

  private reserve(token: string, reservation: Reservation): void {
    this.reservations.set(token, reservation);
    this.reservedIds.add(reservation.userId);
  }

  private get historyBytes(): number {
    return historyBytes(this.config.maxBufferedBytes);
  }

  /** The lines a resumed session missed, and what became of the ones it had. */
  private sendHistory(member: Member): void {
    const page = this.store.after(LOBBY, member.ackedSeq, MAX_HISTORY_PAGE);
    this.fanout.send(member, frameText(historyJson(page, this.historyBytes)));
    this.sendMissedChanges(member);
  }

  /** The room's last lines, for a new login. */
  private sendRecent(member: Member): void {
    const page = this.store.before(LOBBY, this.store.lastMessageId + 1, this.config.historyOnJoin);
    this.fanout.send(member, frameText(historyJson(page, this.historyBytes)));
  }

  private countIp(ip: string, change: number): void {
    const key = addressKey(ip);
    const count = (this.perIp.get(key) ?? 0) + change;
    if (count > 0) this.perIp.set(key, count);
    else this.perIp.delete(key);
  }

  private restore(kept: KeptState): void {
    this.nextUserId = kept.nextUserId;
    this.startSeq = this.store.lastMessageId;
    const expiresAt = performance.now() + this.config.sessionResumeMs;
    for (const session of kept.sessions) {
      this.reserve(session.token, {
        userId: session.userId,
        nameClaim: this.names.claim(session.userName),
        gender: session.gender,
        userColor: session.userColor,
        ackedSeq: Math.min(session.ackedSeq, this.store.lastMessageId),
        expiresAt,
      });
    }
  }

  /** The sessions and the next user id as they are now (for a state file's snapshot). */
  keptState(): KeptState {
    const sessions: SavedSession[] = [];
    for (const member of this.members.values()) {
      if (member.legacy) continue;
      member.savedAckedSeq = member.ackedSeq;
      sessions.push(savedSession(member));
    }
    for (const [token, r] of this.reservations) {
      sessions.push({ token, userId: r.userId, userName: r.nameClaim.name, gender: r.gender, userColor: r.userColor, ackedSeq: r.ackedSeq });
    }
    return { nextUserId: this.nextUserId, sessions };
  }

  /** Journals the History numbers members have acknowledged since the last time. */
  private saveAcked(): void {
    if (this.journal === null) return;
    const changed: AckedMark[] = [];
    for (const member of this.members.values()) {
      if (member.ackedSeq === member.savedAckedSeq || member.legacy) continue;
      member.savedAckedSeq = member.ackedSeq;
      changed.push({ token: member.sessionToken, userId: member.userId, ackedSeq: member.ackedSeq });
    }
    if (changed.length > 0) this.journal.acked(changed);
  }

  /** Started less than a resume window ago: a token it does not know may be from before a restart. */
  private isYoung(): boolean {
    if (this.endedWhileYoung === null) return false;
    if (performance.now() - this.startedAt < this.config.sessionResumeMs) return true;
    this.endedWhileYoung = null;
    return false;
  }

  /** Frees the names of sessions that were not resumed in time. */
  private expireReservations(now: number): void {
    this.isYoung();
    for (const [token, reservation] of this.reservations) {
      if (reservation.expiresAt > now) break;
      this.dropReservation(token, reservation);
      this.names.release(reservation.nameClaim);
      this.journal?.ended(token);
    }
  }

  private listen(member: Member): void {
    const ws = member.ws;
    ws.member = member;
    ws.on('message', this.onMessage);
    ws.on('close', this.onClose);
    ws.on('error', this.onError);
  }

  private publish(from: Member, text: string, quote: ReplyQuote | null, room: ChatRoom | null = null, file: SentFile | null = null): void {
    const messageId = this.store.nextMessageId();
    const sentAt = Date.now();
    const { text: formatted, legacyText } = textsWithFile(formatChatText(text), file);
    const roomName = room === null ? LOBBY : room.name;
    // The text last, as the original sends it (readers that scan back from a frame's end find it there).
    const head = `{"action":"PublicMessage"${ChatHub.roomField(roomName)},${from.identityJson},"messageId":${messageId},"sentAt":${sentAt}${file === null ? '' : file.field}`;
    const { payload, legacy } = lineJson(head, quote, formatted, legacyText);
    this.store.append({ messageId, room: roomName, sentAt, authorSession: from.sessionToken, payload });
    // No room has the Qt client in it: one serialisation.
    if (room !== null) {
      room.queue(frameText(payload));
      return;
    }
    if (legacy === payload) this.fanout.queue(frameText(payload));
    else this.fanout.queue(frameText(payload), frameText(legacy));
  }

  private sendPrivate(from: Member, toUserId: number, text: string, quote: ReplyQuote | null, file: SentFile | null = null): void {
    if (this.dialogs.send(from, toUserId, text, quote, file)) return;
    const target = this.members.get(toUserId);
    // Someone away is shown, but not queued for: the sender learns now that it did not arrive.
    if (target === undefined || target.away !== null) {
      const payload =
        `{"action":"PrivateMessage",${from.identityJson},"text":${JSON.stringify(RECIPIENT_OFFLINE_TEXT)},` +
        `"toUserId":${toUserId},"error":"recipient-offline"}`;
      this.fanout.send(from, frameText(payload));
      return;
    }
    const { text: formatted, legacyText } = textsWithFile(formatChatText(text), file);
    const head =
      `{"action":"PrivateMessage",${from.identityJson},"messageId":${this.store.nextMessageId()},"sentAt":${Date.now()},` +
      `"toUserId":${toUserId}${file === null ? '' : file.field}`;
    const { payload, legacy } = lineJson(head, quote, formatted, legacyText);
    const frame = frameText(payload);
    const legacyFrame = legacy === payload ? frame : frameText(legacy);
    this.fanout.send(target, target.legacy ? legacyFrame : frame);
    if (target !== from) this.fanout.send(from, from.legacy ? legacyFrame : frame);
  }

  /** Everyone's identity as JSON array items, in join order; grown on join, rebuilt after a leave. */
  private usersList(): string {
    if (this.usersJson === null) {
      let users = '';
      for (const m of this.members.values()) users += users === '' ? listedJson(m) : `,${listedJson(m)}`;
      this.usersJson = users;
    }
    return this.usersJson;
  }

  private authorizedJson(member: Member): string {
    const users = this.usersList();
    const lasting = member.lasting === null ? '' : ',"lasting":true';
    return `{"action":"Authorized",${member.identityJson},"users":[${users}],"sessionToken":"${member.sessionToken}"${lasting}}`;
  }

  /**
   * The server closes a member's connection for something it did; the others see it
   * leave at once, and its session ends (we threw it out: there is nothing to resume).
   */
  private expel(member: Member, code: number, reason: string): void {
    this.config.log(`error ${member.describe()}: closed with ${code}: ${reason}`);
    this.depart(member, 'Disconnected', false, performance.now());
    member.ws.close(code, reason);
  }

  /** `ws` met a protocol error (a bad frame) and closes the connection itself: as `expel`. */
  protocolError(member: Member): void {
    if (member.left || member.away !== null) return;
    this.depart(member, 'Disconnected', false, performance.now());
  }

  /** The connection is dead or stuck: cut it without a close frame; the others will see ConnectionLost. */
  private lose(member: Member, why: string): void {
    if (member.left || member.away !== null) return;
    // Missed pings already took 3 intervals, and a stuck reader is cut for good: a grace on top would tell the others too late.
    this.depart(member, 'ConnectionLost', true, performance.now());
    this.config.log(`lost ${member.describe()}: ${why} (${this.size} online)`);
    member.ws.terminate();
  }

  /**
   * The WebSocket closed. A close the user asked for (1000, or a close frame with no
   * code, as a browser's `close()` sends) ends the session: the others see Disconnected
   * and the name and token are free at once. Any other close frame (1001 for a page
   * reload or a closed tab, …) is told at once too, but keeps the session for a resume.
   * Only a drop (see `isDrop`) of a client that can resume is hidden for the grace.
   */
  private closed(member: Member, code: number): void {
    if (member.left || member.away !== null) return;
    const now = performance.now();
    if (this.closing || isDeliberateClose(code)) this.depart(member, 'Disconnected', false, now);
    else if (!isDrop(code)) this.depart(member, 'Disconnected', true, now);
    else if (member.legacy) this.depart(member, 'ConnectionLost', false, now);
    else this.connectionEnded(member, 'ConnectionLost');
    if (!this.closing) this.config.log(`leave ${member.describe()} (code ${code}, ${this.size} online${this.graceNote(member)})`);
  }

  /**
   * A connection ended, but not the session: the member stays in the room as away for
   * the presence grace, so a quick reconnect looks to the others like nothing happened.
   */
  private connectionEnded(member: Member, action: LeaveAction): void {
    const since = performance.now();
    const graceMs = this.config.presenceGraceMs;
    if (graceMs === 0 || this.closing) {
      this.depart(member, action, true, since);
      return;
    }
    member.ws.member = null;
    this.fanout.remove(member);
    this.countIp(member.ip, -1);
    const timer = setTimeout(this.graceEnded, graceMs, member);
    timer.unref();
    member.away = { action, since, timer };
    this.awayCount++;
  }

  private graceNote(member: Member): string {
    return member.away === null ? '' : `; away, the others are told in ${this.config.presenceGraceMs} ms unless it is back`;
  }

  private endGrace(member: Member): void {
    const away = member.away;
    if (away === null || member.left) return;
    this.depart(member, away.action, true, away.since);
    this.config.log(`gone ${member.describe()}: not back within ${this.config.presenceGraceMs} ms (${away.action})`);
  }

  /**
   * The member leaves the room: the others are told `action` (not during shutdown).
   * With `keepSession`, its name and id wait for its token until the resume window
   * (counted from `since`, when the connection ended) is over. A client that cannot
   * resume (the Qt client) holds nothing: its name is free at once.
   */
  private depart(member: Member, action: LeaveAction, keepSession: boolean, since: number): void {
    if (member.away !== null) {
      clearTimeout(member.away.timer);
      member.away = null;
      this.awayCount--;
    } else {
      this.fanout.remove(member);
      this.countIp(member.ip, -1);
    }
    member.left = true;
    this.rooms.departed(member);
    if (member.lasting !== null) this.identities.wentOffline(member.lasting, member);
    this.members.delete(member.userId);
    this.usersJson = null;
    this.bySession.delete(member.sessionToken);
    const expiresAt = since + this.config.sessionResumeMs;
    if (this.closing || !keepSession || member.legacy || expiresAt <= performance.now()) {
      this.names.release(member.nameClaim);
      if (this.isYoung()) this.endedWhileYoung!.add(member.sessionToken);
      // A shutdown keeps the sessions on disk: after a restart their clients come back as themselves.
      if (this.journal !== null && !this.closing && !member.legacy) this.journal.ended(member.sessionToken);
    } else {
      if (this.journal !== null && member.ackedSeq !== member.savedAckedSeq) {
        member.savedAckedSeq = member.ackedSeq;
        this.journal.acked([{ token: member.sessionToken, userId: member.userId, ackedSeq: member.ackedSeq }]);
      }
      // The name and id wait for the session's token a while, so a reconnect gets them back.
      this.reserve(member.sessionToken, {
        userId: member.userId,
        nameClaim: member.nameClaim,
        gender: member.gender,
        userColor: member.userColor,
        ackedSeq: member.ackedSeq,
        expiresAt,
      });
    }
    if (!this.closing) this.fanout.queue(presenceFrame(action, member));
    if (this.members.size === 0 && this.emptied.length > 0) for (const done of this.emptied.splice(0)) done();
  }
}
