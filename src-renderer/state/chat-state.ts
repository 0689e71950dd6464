import type { ConnectionStatus, HostingStatus, OlderHistory, PendingMessage, SessionNotice } from '../../src-shared/bridge';
import { formatChatText, mentions, parseRichText } from '../../src-shared/protocol';
import type { Identity, PrivateMessage, PublicMessage, ServerMessage } from '../../src-shared/protocol';
import { displayAddress } from '../format/address';
import { EMPTY_LOG, appendLines, findMessage, insertLines, lineAt, prependLines, replaceLine } from './log';
import type { ChatLine, LogStore, NewLine, PendingLine, SystemEvent } from './log';
import { EMPTY_LOG as NO_LINES, totalLines } from './log';
import type { RoomSummary } from '../../src-shared/protocol';
import { LOBBY, findRoom, sameConversation, sameRoomName } from './conversations';
import type { ConversationRef, DialogConversation, RoomConversation } from './conversations';
import { NO_STATUSES, statusesAfter } from './statuses';
import type { Statuses } from './statuses';

/**
 * Paging back through the room's history. `idle`: an older page may be asked for;
 * `loading`: one is on its way; `end`: the server has nothing older; `full`: the log holds
 * as many lines as it keeps (MAX_LOG_LINES), so older ones, which the server may still
 * have, are not kept in this window; `none`: no paging in this log (its lines came from
 * another server, whose history cannot go in front).
 */
export interface OlderLines {
  readonly state: 'idle' | 'loading' | 'end' | 'full' | 'none';
  /** The oldest public line's messageId from this server: what the next page is asked before (0: none yet). */
  readonly oldestId: number;
  /** The server the log's lines with ids came from (as in the status, no query); null before any. */
  readonly server: string | null;
}

export const NO_OLDER_LINES: OlderLines = { state: 'idle', oldestId: 0, server: null };

/**
 * Lines a reconnect may have missed: a login's History that does not reach back to the
 * newest line the log had (the server sends only its last lines). Lines with ids
 * between `after` and `before` go in before the line `before`, a page at a time.
 */
export interface MissedLines {
  readonly after: number;
  readonly before: number;
  readonly loading: boolean;
}

export interface ChatState {
  readonly connection: ConnectionStatus;
  /** Who the server says we are; null while not logged in. */
  readonly self: Identity | null;
  /**
   * Who we were at this session's last login, kept while it reconnects (so the user
   * can go on typing into the outbox); null until a login and once the session ends.
   */
  readonly lastLogin: Identity | null;
  /** Everyone online, in join order; empty while not logged in. */
  readonly users: readonly Identity[];
  readonly log: LogStore;
  /** Private mode: who Enter sends to; null for everyone. */
  readonly privateTarget: Identity | null;
  readonly hosting: HostingStatus;
  /** The session's outbox, oldest first: shown after the log until each echo comes. */
  readonly pending: readonly PendingLine[];
  /**
   * The highest messageId in the log (0: none). Ids rise in the order the server took
   * the lines, so a line at or below it that comes again (a History after a reconnect)
   * is one the log already has.
   */
  readonly lastMessageId: number;
  readonly older: OlderLines;
  readonly missed: MissedLines | null;
  /** Issue 13 §6: the rooms joined, in the order joined; each with its own log, paging, unread count and mention marker. */
  readonly rooms: readonly RoomConversation[];
  /** The private dialogs open (a line came or went, or the user opened one), each with its own log and unread count. */
  readonly dialogs: readonly DialogConversation[];
  /** The conversation shown. The lobby's log is `log` (with its paging above), as before rooms. */
  readonly current: ConversationRef;
  /** The lobby's public lines from others while another conversation was shown, and whether one mentions us. */
  readonly lobbyUnread: number;
  readonly lobbyMentioned: boolean;
  /** The server's last RoomList (for the join dialog); null before one came. */
  readonly roomList: readonly RoomSummary[] | null;
  /** A room the user asked to join: shown once the server says it is joined. */
  readonly opening: string | null;
  /** Who has a status other than online with no text (issue 13 §3). */
  readonly statuses: Statuses;
  /** The last login proved a lasting identity: user ids last across logins, so a dialog with someone offline can still be written to (it waits). */
  readonly lasting: boolean;
}

export const INITIAL_STATE: ChatState = {
  connection: { state: 'idle' },
  self: null,
  lastLogin: null,
  users: [],
  log: EMPTY_LOG,
  privateTarget: null,
  hosting: { state: 'stopped' },
  pending: [],
  lastMessageId: 0,
  older: NO_OLDER_LINES,
  missed: null,
  rooms: [],
  dialogs: [],
  current: LOBBY,
  lobbyUnread: 0,
  lobbyMentioned: false,
  roomList: null,
  opening: null,
  statuses: NO_STATUSES,
  lasting: false,
};

/** Everything that changes the state; `time` is when it happened (the reducer reads no clock). */
export type ChatEvent =
  | { type: 'message'; message: ServerMessage; time: number }
  | { type: 'status'; status: ConnectionStatus; time: number }
  | { type: 'notice'; notice: SessionNotice; time: number }
  | { type: 'hosting'; hosting: HostingStatus; time: number }
  | { type: 'outbox'; pending: readonly PendingMessage[] }
  /** The log asked for the page before `older.oldestId`, and whether the bridge took the request. */
  | { type: 'older-requested' }
  | { type: 'older-refused' }
  /** The same for the lines a reconnect missed. */
  | { type: 'missed-requested' }
  | { type: 'missed-refused' }
  | { type: 'older'; page: OlderHistory; time: number }
  | { type: 'private-started'; user: Identity }
  | { type: 'private-closed' }
  | { type: 'local-error'; message: string; time: number }
  /** The user chose a conversation (sidebar, quick switcher, Alt+Up/Down); a dialog's peer becomes the private target. */
  | { type: 'conversation-selected'; conversation: ConversationRef }
  /** The user asked to join this room: it is shown once joined. */
  | { type: 'room-opening'; room: string }
  /** The user closed a dialog (its lines stay in the lobby's log, as before). */
  | { type: 'dialog-closed'; userId: number }
  /** The user opened a dialog with someone (no line yet). */
  | { type: 'dialog-opened'; user: Identity }
  /** A room's log asked for the page before its oldest line, and whether the bridge took it. */
  | { type: 'room-older-requested'; room: string }
  | { type: 'room-older-refused'; room: string }
  /** The same for the lines a reconnect missed in a room. */
  | { type: 'room-missed-requested'; room: string }
  | { type: 'room-missed-refused'; room: string }
  /** A dialog's log asked for the page before its oldest line, and whether the bridge took it. */
  | { type: 'dialog-older-requested'; userId: number }
  | { type: 'dialog-older-refused'; userId: number };

const sameUser = (a: Identity, b: Identity): boolean => a.userId === b.userId && a.userName === b.userName;

function system(time: number, event: SystemEvent): NewLine {
  return { kind: 'system', time, event };
}

function withLines(state: ChatState, lines: readonly NewLine[]): ChatState {
  if (lines.length === 0) return state;
  const log = appendLines(state.log, lines);
  // Lines fell off the top: what is first now is not where the history begins, and no older page would fit.
  // A page on its way would go in front of lines that are gone: that too is full.
  const capped = log.dropped > state.log.dropped && (state.older.state === 'idle' || state.older.state === 'end' || state.older.state === 'loading');
  return capped ? { ...state, log, older: { ...state.older, state: 'full' } } : { ...state, log };
}

/** How many senders `identityOf` remembers; past it, it starts afresh. */
const INTERNED_IDENTITIES_MAX = 4096;
const interned = new Map<number, Identity>();

/**
 * The sender as an Identity of its own (never the parsed message). Lines from the same
 * sender share one object: a log of 100 000 lines then holds a few identities, not
 * 100 000, which is what the garbage collector would otherwise walk on every pass.
 */
function identityOf(m: Identity): Identity {
  const known = interned.get(m.userId);
  if (known !== undefined && known.userName === m.userName && known.gender === m.gender && known.userColor === m.userColor) return known;
  if (interned.size >= INTERNED_IDENTITIES_MAX) interned.clear();
  const identity: Identity = { userId: m.userId, userName: m.userName, gender: m.gender, userColor: m.userColor };
  interned.set(m.userId, identity);
  return identity;
}

function publicLine(state: ChatState, m: PublicMessage, time: number, replayed: boolean): Omit<ChatLine, 'id'> {
  const self = state.self;
  const mine = self !== null && m.userId === self.userId;
  return {
    kind: 'chat',
    time,
    from: identityOf(m),
    peer: null,
    direction: 'public',
    messageId: m.messageId ?? null,
    text: m.text,
    mentionsMe: self !== null && !mine && mentions(m.text, self.userName),
    mine,
    replayed,
    editedAt: m.editedAt ?? null,
    deleted: m.deleted === true,
    replyTo: m.replyTo ?? null,
    ...(m.file === undefined || m.deleted === true ? {} : { file: m.file }),
  };
}

/** A line the log has, changed: edited (new text) or deleted. Lines it does not have are not looked for further. */
function changeLine(state: ChatState, messageId: number, change: (line: ChatLine) => ChatLine): ChatState {
  const index = findMessage(state.log, messageId);
  if (index < 0) return state;
  const line = lineAt(state.log, index) as ChatLine;
  const changed = change(line);
  return changed === line ? state : { ...state, log: replaceLine(state.log, index, changed) };
}

function edited(state: ChatState, text: string, editedAt: number): (line: ChatLine) => ChatLine {
  const self = state.self;
  return (line) =>
    line.deleted || line.editedAt === editedAt
      ? line
      : { ...line, text, editedAt, mentionsMe: self !== null && !line.mine && line.direction === 'public' && mentions(text, self.userName) };
}

/** A deleted line's file goes with it (the server deletes it too). */
function deleted(line: ChatLine): ChatLine {
  if (line.deleted) return line;
  const { file: _gone, ...rest } = line;
  return { ...rest, text: '', deleted: true, mentionsMe: false };
}

/** Replies to a deleted line keep who they answered, never its text. */
function withQuotesOf(state: ChatState, messageId: number): ChatState {
  let log = state.log;
  for (let i = 0; i < log.count; i++) {
    const line = lineAt(log, i);
    if (line?.kind !== 'chat' || line.replyTo?.messageId !== messageId || line.replyTo.excerpt === '') continue;
    log = replaceLine(log, i, { ...line, replyTo: { ...line.replyTo, excerpt: '' } });
  }
  return log === state.log ? state : { ...state, log };
}

/** A History's lines the log has already: they may have been edited or deleted since. */
function withLineStates(state: ChatState, known: readonly PublicMessage[]): ChatState {
  let next = state;
  for (const m of known) {
    if (m.messageId === undefined) continue;
    if (m.deleted === true) next = withQuotesOf(changeLine(next, m.messageId, deleted), m.messageId);
    else if (m.editedAt !== undefined) next = changeLine(next, m.messageId, edited(next, m.text, m.editedAt));
  }
  return next;
}

function privateLine(state: ChatState, m: PrivateMessage, time: number, replayed = false): NewLine {
  const self = state.self;
  const mine = self !== null && m.userId === self.userId;
  const recipient = state.users.find((u) => u.userId === m.toUserId) ?? (state.privateTarget?.userId === m.toUserId ? state.privateTarget : null);
  // The original server's "not delivered" copy: our own identity, no recipient, a text for people.
  if (m.error !== undefined || (mine && m.toUserId === 0)) {
    return system(time, { type: 'undelivered', to: m.toUserId === 0 ? null : recipient, text: m.text });
  }
  const peer = mine ? (recipient ?? { userId: m.toUserId, userName: `#${m.toUserId}`, gender: 0, userColor: '' }) : identityOf(m);
  return {
    kind: 'chat',
    time,
    from: identityOf(m),
    peer,
    direction: mine ? 'private-out' : 'private-in',
    messageId: m.messageId ?? null,
    text: m.text,
    mentionsMe: false,
    mine,
    replayed,
    editedAt: null,
    deleted: false,
    replyTo: m.replyTo ?? null,
    ...(m.delivery === undefined ? {} : { delivery: m.delivery }),
    ...(m.file === undefined ? {} : { file: m.file }),
  };
}

/**
 * A page of a private dialog: its lines the log lacks go in where their ids put them
 * (a dialog's lines are older than the newest public one, as often as not). Scanned
 * from the end: a page is the dialog's newest lines.
 */
function withDialogLines(state: ChatState, messages: readonly PrivateMessage[], time: number): ChatState {
  let next = state;
  for (const m of messages) {
    const id = m.messageId;
    if (id === undefined || findMessage(next.log, id) >= 0) continue;
    const line = privateLine(next, m, m.sentAt ?? time, true);
    let at = next.log.count;
    for (let i = next.log.count - 1; i >= 0; i--) {
      const kept = lineAt(next.log, i);
      if (kept?.kind !== 'chat' || kept.messageId === null) continue;
      if (kept.messageId < id) break;
      at = i;
    }
    next = at >= next.log.count ? withNewest(withLines(next, [line]), m) : { ...next, log: insertLines(next.log, at, [line]) };
  }
  return next;
}

/** A list keyed by userId: a server that repeats an id does not get two rows. */
function uniqueUsers(users: readonly Identity[]): Identity[] {
  const seen = new Set<number>();
  const unique: Identity[] = [];
  for (const user of users) {
    if (seen.has(user.userId)) continue;
    seen.add(user.userId);
    unique.push(identityOf(user));
  }
  return unique;
}

/**
 * Ends private mode when its target is gone, with a line that says so; but not in a
 * dialog shown with a lasting login: the peer keeps its id, and a line to it waits.
 */
function dropPrivateTarget(state: ChatState, stillHere: (target: Identity) => boolean, time: number): ChatState {
  const target = state.privateTarget;
  if (target === null || stillHere(target)) return state;
  if (state.lasting && state.current.kind === 'dialog' && state.current.userId === target.userId) return state;
  return withLines({ ...state, privateTarget: null }, [system(time, { type: 'private-ended', user: target })]);
}

const isKnown = (state: ChatState, m: PublicMessage | PrivateMessage): boolean =>
  m.messageId !== undefined && m.messageId <= state.lastMessageId;

function withNewest(state: ChatState, m: PublicMessage | PrivateMessage): ChatState {
  return m.messageId !== undefined && m.messageId > state.lastMessageId ? { ...state, lastMessageId: m.messageId } : state;
}

/** Notes a public line's id as the oldest the log has, when it is. */
function withOldest(state: ChatState, m: PublicMessage): ChatState {
  const id = m.messageId;
  const older = state.older;
  if (id === undefined || (older.oldestId !== 0 && older.oldestId <= id)) return state;
  return { ...state, older: { ...older, oldestId: id } };
}

/** A login's History: when it brings the log's first lines from this server, its `hasMore` says whether paging can go further. */
function withHistoryEnd(state: ChatState, hadLines: boolean, hasMore: boolean | undefined): ChatState {
  if (hadLines || hasMore !== false || state.older.state !== 'idle') return state;
  return { ...state, older: { ...state.older, state: 'end' } };
}

/** A page that answers the request for missed lines: they go in where they were missed. */
function reduceMissed(state: ChatState, missed: MissedLines, page: OlderHistory, time: number): ChatState {
  if (!page.ok) return { ...state, missed: { ...missed, loading: false } };
  const fresh = page.messages.filter((m) => m.messageId !== undefined && m.messageId > missed.after && m.messageId < missed.before);
  const at = findMessage(state.log, missed.before);
  if (at < 0) return { ...state, missed: null };
  const log = insertLines(
    state.log,
    at,
    fresh.map((m) => publicLine(state, m, m.sentAt ?? time, true)),
  );
  // Reached back to the lines the log had, or the server has nothing older: done.
  const first = page.messages[0]?.messageId;
  const more = page.hasMore && first !== undefined && first > missed.after + 1 && fresh.length === page.messages.length;
  return { ...state, log, missed: more ? { after: missed.after, before: first, loading: false } : null };
}

function reduceOlder(state: ChatState, page: OlderHistory, time: number): ChatState {
  const missed = state.missed;
  if (missed !== null && missed.loading && page.before === missed.before) return reduceMissed(state, missed, page, time);
  const older = state.older;
  if (older.state !== 'loading') return state;
  if (!page.ok) return { ...state, older: { ...older, state: 'idle' } };
  // Only lines older than the oldest the log has: a page that crossed a reconnect shows nothing twice.
  const fresh = page.messages.filter((m) => m.messageId !== undefined && (older.oldestId === 0 || m.messageId < older.oldestId));
  const log = prependLines(
    state.log,
    fresh.map((m) => publicLine(state, m, m.sentAt ?? time, true)),
  );
  // A full log takes no more in front: that is where paging ends too.
  const full = fresh.length > 0 && log.prepended - state.log.prepended < fresh.length;
  const next = fresh.reduce(withOldest, { ...state, log });
  return { ...next, older: { ...next.older, state: full ? 'full' : page.hasMore ? 'idle' : 'end' } };
}

/**
 * A new session (the user pressed Connect): lines from another server have ids of their
 * own, so neither the newest id nor paging carries over to it.
 */
function withServer(state: ChatState, server: string): ChatState {
  const older = state.older;
  if (older.server === server) return state;
  if (older.server === null) return { ...state, older: { ...older, server } };
  return { ...state, lastMessageId: 0, missed: null, older: { state: state.log.count > 0 ? 'none' : 'idle', oldestId: 0, server } };
}

function reduceLobbyMessage(state: ChatState, message: ServerMessage, time: number): ChatState {
  switch (message.action) {
    case 'Ping':
      return state;
    case 'Authorized': {
      const self = identityOf(message);
      // A first attempt is told in the log once it worked (one that fails is told in the connect dialog).
      const first: NewLine[] =
        state.lastLogin === null && state.older.server !== null ? [system(time, { type: 'connecting', address: displayAddress(state.older.server), attempt: 0 })] : [];
      const next = withLines(
        { ...state, self, lastLogin: self, users: uniqueUsers(message.users), lasting: message.lasting === true },
        [...first, system(time, { type: 'connected' }), system(time, { type: 'logged-in', self })],
      );
      return dropPrivateTarget(next, (t) => next.users.some((u) => sameUser(u, t)), time);
    }
    case 'Connected': {
      const user = identityOf(message);
      const users = state.users.some((u) => u.userId === user.userId) ? state.users : [...state.users, user];
      return withLines({ ...state, users }, [system(time, { type: 'joined', user })]);
    }
    case 'Disconnected':
    case 'ConnectionLost': {
      const user = identityOf(message);
      const users = state.users.filter((u) => u.userId !== user.userId);
      const line = system(time, { type: message.action === 'Disconnected' ? 'left' : 'lost', user });
      const next = withLines({ ...state, users }, [line]);
      return dropPrivateTarget(next, (t) => t.userId !== user.userId, time);
    }
    case 'PublicMessage':
      if (isKnown(state, message)) return state;
      return withOldest(withNewest(withLines(state, [publicLine(state, message, time, false)]), message), message);
    case 'History': {
      const fresh = message.messages.filter((m) => !isKnown(state, m));
      // A replayed line is shown at the server's time for it, when the server said.
      const lines = fresh.map((m) => publicLine(state, m, m.sentAt ?? time, true));
      const changed = withLineStates(state, message.messages.filter((m) => isKnown(state, m) && (m.deleted === true || m.editedAt !== undefined)));
      const next = withHistoryEnd(
        fresh.reduce((s, m) => withOldest(withNewest(s, m), m), withLines(changed, lines)),
        state.older.oldestId !== 0,
        message.hasMore,
      );
      // Nothing in it the log had, and older lines exist: some may lie between the two.
      const first = message.messages[0];
      const gap =
        state.lastMessageId > 0 && message.hasMore === true && first !== undefined && fresh[0] === first && first.messageId !== undefined;
      return gap ? { ...next, missed: { after: state.lastMessageId, before: first.messageId!, loading: false } } : next;
    }
    case 'PrivateMessage':
      // A dialog's line that waited for us comes after newer ones: known only if the log has it.
      if (message.delivery !== undefined && message.messageId !== undefined) {
        if (findMessage(state.log, message.messageId) >= 0) return state;
      } else if (isKnown(state, message)) return state;
      return withNewest(withLines(state, [privateLine(state, message, time)]), message);
    case 'Error': {
      // A refused Buzz's rate limit is its own, not the chat's.
      const code = message.refused === 'Buzz' && message.code === 'rate-limited' ? 'buzz-rate-limited' : message.code;
      return withLines(state, [system(time, { type: 'error', message: message.message, code })]);
    }
    case 'MessageEdited':
      return changeLine(state, message.messageId, edited(state, message.text, message.editedAt));
    case 'MessageDeleted':
      return withQuotesOf(changeLine(state, message.messageId, deleted), message.messageId);
    case 'StatusChanged':
      return state;
    case 'Buzz':
      return withBuzz(state, message.userId, message.toUserId, time);
    // This client joins no room yet, so none of these come (the sidebar will take them).
    case 'RoomJoined':
    case 'RoomLeft':
    case 'RoomList':
    case 'RoomMemberJoined':
    case 'RoomMemberLeft':
      return state;
    case 'DialogHistory':
      return withDialogLines(state, message.messages, time);
    case 'Delivered':
      return message.messageIds.reduce((s, id) => changeLine(s, id, (line) => (line.delivery === 'waiting' ? { ...line, delivery: 'delivered' } : line)), state);
  }
}

function withStatuses(state: ChatState, message: ServerMessage): ChatState {
  const statuses = statusesAfter(state.statuses, message);
  return statuses === state.statuses ? state : { ...state, statuses };
}

/** A Buzz to us, or the receipt of ours; one between others (a server should send none) is not shown. */
function withBuzz(state: ChatState, fromId: number, toId: number, time: number): ChatState {
  const self = state.self;
  if (self === null || (toId !== self.userId && fromId !== self.userId)) return state;
  const find = (id: number): Identity =>
    id === self.userId ? self : (state.users.find((u) => u.userId === id) ?? { userId: id, userName: `#${id}`, gender: 0, userColor: '' });
  const mine = fromId === self.userId;
  return withLines(state, [system(time, { type: 'buzz', from: find(fromId), to: find(toId), mine })]);
}

const isLive = (s: ConnectionStatus): boolean => s.state === 'open' || s.state === 'authorized';

function reduceStatus(state: ChatState, status: ConnectionStatus, time: number): ChatState {
  state = conversationsAfterStatus(state, status);
  const was = state.connection;
  let next: ChatState = { ...state, connection: status };
  // A page on its way is lost with the connection (the session says so too).
  if (status.state !== 'authorized' && next.older.state === 'loading') next = { ...next, older: { ...next.older, state: 'idle' } };
  if (status.state !== 'authorized' && next.missed?.loading === true) next = { ...next, missed: { ...next.missed, loading: false } };
  if (status.state !== 'authorized' && next.dialogs.some((d) => d.older.state === 'loading')) {
    next = { ...next, dialogs: next.dialogs.map((d) => (d.older.state === 'loading' ? { ...d, older: { ...d.older, state: 'idle' } } : d)) };
  }
  switch (status.state) {
    case 'idle':
      return { ...next, self: null, lastLogin: null, users: [] };
    case 'connecting':
      if (status.attempt === 0) next = withServer(next, status.url);
      // Attempt 0 is a new session (the user pressed Connect), not a reconnect: its line waits for the login.
      if (status.attempt === 0) return { ...next, self: null, users: [], lastLogin: null };
      // A reconnect is shown by the outage banner, not a line per try; who was here stays, greyed.
      return { ...next, self: null };
    case 'open':
      // "Connected!" comes with the login: a server that opens and then refuses the key never said it.
      return next;
    case 'authorized':
      // The Authorized message fills in the user list and says "logged in"; this only keeps `self` right.
      return { ...next, self: state.self ?? status.self };
    case 'reconnecting':
      // One line when the connection drops; the tries are the outage banner's, and who was here stays, greyed.
      if (!isLive(was)) return { ...next, self: null };
      return withLines({ ...next, self: null }, [system(time, { type: 'closed', reason: status.reason, byUser: false })]);
    case 'closed': {
      const event: SystemEvent = { type: 'closed', reason: status.reason, byUser: status.byUser };
      if (status.code !== undefined) event.code = status.code;
      const ended = { ...next, self: null, lastLogin: null, users: [] };
      // A first attempt that failed is said in the connect dialog, beside what to change.
      if (state.lastLogin === null && !status.byUser) return ended;
      return withLines(ended, [system(time, event)]);
    }
  }
}

/** Who a pending private message goes to: someone online, else the private target (kept while reconnecting). */
function recipientOf(state: ChatState, userId: number): Identity {
  return (
    state.users.find((u) => u.userId === userId) ??
    (state.privateTarget?.userId === userId ? state.privateTarget : undefined) ?? { userId, userName: `#${userId}`, gender: 0, userColor: '' }
  );
}

/**
 * Mirrors the outbox. A line keeps what it was given when it first appeared (who
 * from, who to): while reconnecting nobody is online to look names up in.
 */
function reduceOutbox(state: ChatState, outbox: readonly PendingMessage[]): ChatState {
  const before = new Map(state.pending.map((line) => [line.id, line]));
  const from = state.self ?? state.lastLogin;
  const pending = outbox.map((m): PendingLine => {
    const known = before.get(m.id);
    if (known !== undefined) return known.sending === m.sending ? known : { ...known, sending: m.sending };
    return {
      id: m.id,
      time: m.queuedAt,
      from: from ?? state.pending.at(-1)?.from ?? null,
      to: m.toUserId === 0 ? null : recipientOf(state, m.toUserId),
      ...(m.room === undefined ? {} : { room: m.room }),
      // A file's line with no text of its own: the file's name stands in until the echo.
      runs: parseRichText(formatChatText(m.text === '' && m.file !== undefined ? `📎 ${m.file.name}` : m.text)),
      sending: m.sending,
    };
  });
  const unchanged = pending.length === state.pending.length && pending.every((line, i) => line === state.pending[i]);
  return unchanged ? state : { ...state, pending };
}

/**
 * Whether the input takes text: logged in, or reconnecting after a login in this
 * session (what is typed then waits in the outbox). Not before the first login, and
 * not after the session ended (the user disconnected, or the server refused us).
 */
export function canCompose(state: ChatState): boolean {
  if (state.self !== null) return true;
  const s = state.connection.state;
  return state.lastLogin !== null && (s === 'reconnecting' || s === 'connecting' || s === 'open' || s === 'authorized');
}

/** A notice is said in the lobby, as before; and where the user looks, when that is a room or a dialog. */
function reduceNotice(state: ChatState, notice: SessionNotice, time: number): ChatState {
  const after = reduceLobbyNotice(state, notice, time);
  const line = lineAt(after.log, after.log.count - 1);
  if (after.log === state.log || line === undefined || line.kind !== 'system') return after;
  return withLineShown(after, system(line.time, line.event));
}

function reduceLobbyNotice(state: ChatState, notice: SessionNotice, time: number): ChatState {
  switch (notice.kind) {
    case 'server-newer':
      return withLines(state, [system(time, { type: 'server-newer', action: notice.action })]);
    case 'server-error':
      return withLines(state, [system(time, { type: 'error', message: notice.message })]);
    case 'send-failed':
      return withLines(state, [system(time, { type: 'send-failed', reason: notice.reason })]);
  }
}

function reduceHosting(state: ChatState, hosting: HostingStatus, time: number): ChatState {
  // The same status may come twice: as hostRoom's answer and as main's pushed event.
  if (JSON.stringify(hosting) === JSON.stringify(state.hosting)) return state;
  const next = { ...state, hosting };
  switch (hosting.state) {
    case 'running':
      return withLines(next, [
        system(time, { type: 'hosting', port: hosting.port, addresses: hosting.addresses, webUrls: hosting.webUrls }),
      ]);
    case 'failed':
      return withLines(next, [system(time, { type: 'hosting-failed', port: hosting.port, message: hosting.message })]);
    case 'stopped':
      return state.hosting.state === 'running' ? withLines(next, [system(time, { type: 'hosting-stopped' })]) : next;
    case 'starting':
      return next;
  }
}

/** The whole UI state, one event at a time. Pure: never mutates, reads no clock. */
export function reduce(state: ChatState, event: ChatEvent): ChatState {
  switch (event.type) {
    case 'message':
      return withStatuses(reduceMessage(state, event.message, event.time), event.message);
    case 'status':
      return reduceStatus(state, event.status, event.time);
    case 'notice':
      return reduceNotice(state, event.notice, event.time);
    case 'hosting':
      return reduceHosting(state, event.hosting, event.time);
    case 'outbox':
      return reduceOutbox(state, event.pending);
    case 'private-started':
      return { ...state, privateTarget: identityOf(event.user) };
    case 'private-closed':
      return state.privateTarget === null ? state : { ...state, privateTarget: null };
    case 'older-requested':
      return canLoadOlder(state) ? { ...state, older: { ...state.older, state: 'loading' } } : state;
    case 'older-refused':
      return state.older.state === 'loading' ? { ...state, older: { ...state.older, state: 'idle' } } : state;
    case 'older':
      if (event.page.room !== undefined) return reduceRoomOlder(state, event.page.room, event.page, event.time);
      return reduceOlder(state, event.page, event.time);
    case 'conversation-selected':
      return selectConversation(state, event.conversation);
    case 'room-opening':
      return { ...state, opening: event.room };
    case 'dialog-closed':
      return closeDialog(state, event.userId);
    case 'dialog-opened':
      return event.user.userId === state.self?.userId ? state : withDialog(state, identityOf(event.user));
    case 'room-older-requested':
      return withRoomPaging(state, event.room, (older) => (older.state === 'idle' && older.oldestId > 0 && state.self !== null ? { ...older, state: 'loading' } : older));
    case 'room-missed-requested':
      return inRoom(state, event.room, (view) => (canLoadMissed(view) ? { ...view, missed: { ...view.missed!, loading: true } } : view));
    case 'room-missed-refused':
      return inRoom(state, event.room, (view) => ({ ...view, missed: null }));
    case 'dialog-older-requested':
      return canLoadDialogOlder(state, event.userId) ? withDialogPaging(state, event.userId, (older) => ({ ...older, state: 'loading' })) : state;
    case 'dialog-older-refused':
      return withDialogPaging(state, event.userId, (older) => (older.state === 'loading' ? { ...older, state: 'idle' } : older));
    case 'room-older-refused':
      return withRoomPaging(state, event.room, (older) => (older.state === 'loading' ? { ...older, state: 'idle' } : older));
    case 'missed-requested':
      return canLoadMissed(state) ? { ...state, missed: { ...state.missed!, loading: true } } : state;
    case 'missed-refused':
      // Not asked again (the session could not send it): what was missed stays missed, as before paging.
      return state.missed === null ? state : { ...state, missed: null };
    case 'local-error':
      return withLines(state, [system(event.time, { type: 'error', message: event.message })]);
  }
}

/** Whether the page before the oldest line may be asked for now (the session asks for one page at a time). */
export function canLoadOlder(state: ChatState): boolean {
  return state.older.state === 'idle' && state.older.oldestId > 0 && state.self !== null && state.missed?.loading !== true;
}

/** Whether the lines a reconnect missed may be asked for now. */
export function canLoadMissed(state: ChatState): boolean {
  return state.missed !== null && !state.missed.loading && state.older.state !== 'loading' && state.self !== null;
}

/** Whether a line should ask for the user's attention, and why. */
export function attentionFor(line: ChatLine): 'mention' | 'private' | null {
  if (line.mine || line.replayed) return null;
  if (line.direction === 'private-in') return 'private';
  return line.mentionsMe ? 'mention' : null;
}

// ---- conversations: rooms and dialogs (issue 13 §6) ------------------------------------

/**
 * Every server message: a room's goes to that room alone (a lobby-only log never shows a
 * room's line); a private line goes to its dialog too; the rest is the lobby's, as before.
 */
function reduceMessage(state: ChatState, message: ServerMessage, time: number): ChatState {
  const routed = reduceRoomMessage(state, message, time);
  if (routed !== null) return routed;
  const before = withDialogMessage(withoutMemberOnLeave(state, message, time), message, time);
  const after = reduceLobbyMessage(before, message, time);
  return withErrorShown(withLobbyUnread(before, after), message, time);
}

/** A room's message, folded into that room; null for one that is not a room's. */
function reduceRoomMessage(state: ChatState, message: ServerMessage, time: number): ChatState | null {
  switch (message.action) {
    case 'RoomJoined': {
      const known = findRoom(state.rooms, message.room);
      const users = uniqueUsers(message.users);
      const room: RoomConversation = known === undefined
        ? { name: message.room, locked: message.locked, users, log: NO_LINES, older: NO_OLDER_LINES, missed: null, lastMessageId: 0, unread: 0, mentioned: false }
        : { ...known, name: message.room, locked: message.locked, users };
      const rooms = known === undefined ? [...state.rooms, room] : state.rooms.map((r) => (r === known ? room : r));
      const opened = state.opening !== null && sameRoomName(state.opening, message.room);
      const next: ChatState = { ...state, rooms, opening: opened ? null : state.opening };
      return opened ? selectConversation(next, { kind: 'room', room: message.room }) : next;
    }
    case 'RoomLeft': {
      const known = findRoom(state.rooms, message.room);
      if (known === undefined) return state;
      const shown = state.current.kind === 'room' && sameRoomName(state.current.room, message.room);
      return { ...state, rooms: state.rooms.filter((r) => r !== known), current: shown ? LOBBY : state.current };
    }
    case 'RoomList':
      return { ...state, roomList: message.rooms };
    case 'RoomMemberJoined':
    case 'RoomMemberLeft': {
      const user = identityOf(message);
      const joined = message.action === 'RoomMemberJoined';
      return inRoom(state, message.room, (view) => {
        const users = joined
          ? view.users.some((u) => u.userId === user.userId) ? view.users : [...view.users, user]
          : view.users.filter((u) => u.userId !== user.userId);
        return withLines({ ...view, users }, [system(time, { type: joined ? 'joined' : 'left', user, inRoom: true })]);
      });
    }
    case 'PublicMessage':
    case 'History':
    case 'MessageEdited':
    case 'MessageDeleted': {
      if (message.room === undefined) return null;
      const { room, ...lobbyShaped } = message;
      // A room's lines from the server are the lobby's rules in another log (echoes, edits, replays).
      return inRoom(state, room, (view) => reduceLobbyMessage(view, lobbyShaped as ServerMessage, time));
    }
    default:
      return null;
  }
}

/** The state as the lobby's reducer sees it, with one room's log, paging and members in place of the lobby's. */
function inRoom(state: ChatState, name: string, change: (view: ChatState) => ChatState): ChatState {
  const room = findRoom(state.rooms, name);
  // Lines of a room not joined (left meanwhile) are not kept.
  if (room === undefined) return state;
  const view: ChatState = { ...state, log: room.log, older: room.older, lastMessageId: room.lastMessageId, users: room.users, missed: room.missed, privateTarget: null };
  const after = change(view);
  const shown = state.current.kind === 'room' && sameRoomName(state.current.room, room.name);
  const fresh = shown ? [] : newChatLines(room.log, after.log);
  const changed: RoomConversation = {
    ...room,
    log: after.log,
    older: after.older,
    missed: after.missed,
    lastMessageId: after.lastMessageId,
    users: after.users,
    unread: room.unread + fresh.length,
    mentioned: room.mentioned || fresh.some((l) => l.mentionsMe),
  };
  return { ...state, rooms: state.rooms.map((r) => (r === room ? changed : r)) };
}

/** Lines from others appended to a log (not replayed, not ours): what counts as unread. */
export function newChatLines(before: LogStore, after: LogStore): ChatLine[] {
  const added = Math.min(after.count, totalLines(after) - totalLines(before));
  const lines: ChatLine[] = [];
  for (let i = after.count - added; i < after.count; i++) {
    const line = lineAt(after, i);
    if (line?.kind === 'chat' && !line.mine && !line.replayed) lines.push(line);
  }
  return lines;
}

function withRoomPaging(state: ChatState, name: string, change: (older: OlderLines) => OlderLines): ChatState {
  const room = findRoom(state.rooms, name);
  if (room === undefined) return state;
  const older = change(room.older);
  return older === room.older ? state : { ...state, rooms: state.rooms.map((r) => (r === room ? { ...room, older } : r)) };
}

function reduceRoomOlder(state: ChatState, name: string, page: OlderHistory, time: number): ChatState {
  return inRoom(state, name, (view) => reduceOlder(view, page, time));
}

/** Someone left the server: gone from every room's list, with a line in the rooms they were in. */
function withoutMemberOnLeave(state: ChatState, message: ServerMessage, time: number): ChatState {
  if (message.action !== 'Disconnected' && message.action !== 'ConnectionLost') return state;
  const user = identityOf(message);
  let next = state;
  for (const room of state.rooms) {
    if (!room.users.some((u) => u.userId === user.userId)) continue;
    next = inRoom(next, room.name, (view) =>
      withLines({ ...view, users: view.users.filter((u) => u.userId !== user.userId) }, [system(time, { type: message.action === 'Disconnected' ? 'left' : 'lost', user })]),
    );
  }
  return next;
}

function withDialog(state: ChatState, peer: Identity): ChatState {
  if (state.dialogs.some((d) => d.peer.userId === peer.userId)) return state;
  return { ...state, dialogs: [...state.dialogs, { peer, log: NO_LINES, lastMessageId: 0, unread: 0, older: NO_OLDER_LINES }] };
}

/** A private line (or a dialog's page, or its delivery marks) also goes to its dialog's own log. */
function withDialogMessage(state: ChatState, message: ServerMessage, time: number): ChatState {
  const self = state.self;
  if (self === null) return state;
  let peer: Identity | undefined;
  if (message.action === 'PrivateMessage') {
    if (message.error !== undefined || (message.userId === self.userId && message.toUserId === 0)) return state;
    const mine = message.userId === self.userId;
    const peerId = mine ? message.toUserId : message.userId;
    peer = mine ? (state.users.find((u) => u.userId === peerId) ?? (state.privateTarget?.userId === peerId ? state.privateTarget : undefined)) : identityOf(message);
    peer ??= state.dialogs.find((d) => d.peer.userId === peerId)?.peer;
  } else if (message.action === 'DialogHistory') {
    const peerId = message.with;
    const theirs = message.messages.find((m) => m.userId === peerId);
    peer = state.dialogs.find((d) => d.peer.userId === peerId)?.peer ?? state.users.find((u) => u.userId === peerId) ?? (theirs === undefined ? undefined : identityOf(theirs));
  } else if (message.action === 'Delivered') {
    peer = state.dialogs.find((d) => d.peer.userId === message.toUserId)?.peer;
  }
  if (peer === undefined) return state;
  const withIt = withDialog(state, peer);
  const dialog = withIt.dialogs.find((d) => d.peer.userId === peer.userId)!;
  const view: ChatState = { ...withIt, log: dialog.log, lastMessageId: dialog.lastMessageId, older: { state: 'none', oldestId: 0, server: null }, missed: null };
  const after = reduceLobbyMessage(view, message, time);
  // Lines shown in the lobby's log (private mode there) are seen there.
  const seen = withIt.current.kind === 'lobby' || (withIt.current.kind === 'dialog' && withIt.current.userId === peer.userId);
  const fresh = seen ? 0 : newChatLines(dialog.log, after.log).length;
  const changed: DialogConversation = { ...dialog, log: after.log, lastMessageId: after.lastMessageId, unread: dialog.unread + fresh, older: dialogOlderAfter(dialog.older, message) };
  return { ...withIt, dialogs: withIt.dialogs.map((d) => (d === dialog ? changed : d)) };
}

/** A dialog's paging after one of its messages: the oldest id it has, and whether a page (the one asked for, or the first) says it goes no further. */
function dialogOlderAfter(older: OlderLines, message: ServerMessage): OlderLines {
  const ids = message.action === 'DialogHistory' ? message.messages.map((m) => m.messageId) : message.action === 'PrivateMessage' ? [message.messageId] : [];
  let oldestId = older.oldestId;
  for (const id of ids) if (id !== undefined && (oldestId === 0 || id < oldestId)) oldestId = id;
  let state = older.state;
  if (message.action === 'DialogHistory') {
    if (state === 'loading') state = message.hasMore ? 'idle' : 'end';
    else if (state === 'idle' && !message.hasMore) state = 'end';
  }
  return state === older.state && oldestId === older.oldestId ? older : { ...older, state, oldestId };
}

function withDialogPaging(state: ChatState, userId: number, change: (older: OlderLines) => OlderLines): ChatState {
  const dialog = state.dialogs.find((d) => d.peer.userId === userId);
  if (dialog === undefined) return state;
  const older = change(dialog.older);
  return older === dialog.older ? state : { ...state, dialogs: state.dialogs.map((d) => (d === dialog ? { ...dialog, older } : d)) };
}

/** Whether the page before a dialog's oldest line may be asked for now (the server keeps dialogs of lasting logins only). */
export function canLoadDialogOlder(state: ChatState, userId: number): boolean {
  const dialog = state.dialogs.find((d) => d.peer.userId === userId);
  return dialog !== undefined && state.lasting && dialog.older.state === 'idle' && dialog.older.oldestId > 0 && state.self !== null;
}

/** Lobby lines from others while another conversation is shown. */
function withLobbyUnread(before: ChatState, after: ChatState): ChatState {
  if (after.current.kind === 'lobby' || after.log === before.log) return after;
  const fresh = newChatLines(before.log, after.log).filter((l) => l.direction === 'public');
  if (fresh.length === 0) return after;
  return { ...after, lobbyUnread: after.lobbyUnread + fresh.length, lobbyMentioned: after.lobbyMentioned || fresh.some((l) => l.mentionsMe) };
}

/** An Error is said in the lobby, as before; and where the user looks, when that is a room or a dialog. */
function withErrorShown(state: ChatState, message: ServerMessage, time: number): ChatState {
  if (message.action !== 'Error') return state;
  return withLineShown(state, system(time, { type: 'error', message: message.message, code: message.code }));
}

/** A system line in the room or dialog shown too (the lobby's log has it already). */
function withLineShown(state: ChatState, line: NewLine): ChatState {
  const current = state.current;
  if (current.kind === 'room') return inRoom(state, current.room, (view) => withLines(view, [line]));
  if (current.kind === 'dialog') {
    return { ...state, dialogs: state.dialogs.map((d) => (d.peer.userId === current.userId ? { ...d, log: appendLines(d.log, [line]) } : d)) };
  }
  return state;
}

function selectConversation(state: ChatState, ref: ConversationRef): ChatState {
  if (ref.kind === 'room') {
    const room = findRoom(state.rooms, ref.room);
    if (room === undefined) return state;
    const rooms = room.unread === 0 && !room.mentioned ? state.rooms : state.rooms.map((r) => (r === room ? { ...room, unread: 0, mentioned: false } : r));
    return { ...state, rooms, current: { kind: 'room', room: room.name }, privateTarget: null };
  }
  if (ref.kind === 'dialog') {
    const dialog = state.dialogs.find((d) => d.peer.userId === ref.userId);
    if (dialog === undefined) return state;
    const dialogs = dialog.unread === 0 ? state.dialogs : state.dialogs.map((d) => (d === dialog ? { ...dialog, unread: 0 } : d));
    const online = state.users.find((u) => u.userId === dialog.peer.userId);
    return { ...state, dialogs, current: ref, privateTarget: online ?? dialog.peer };
  }
  if (sameConversation(state.current, LOBBY) && state.lobbyUnread === 0 && !state.lobbyMentioned) return state;
  return { ...state, current: LOBBY, lobbyUnread: 0, lobbyMentioned: false, privateTarget: state.current.kind === 'dialog' ? null : state.privateTarget };
}

function closeDialog(state: ChatState, userId: number): ChatState {
  if (!state.dialogs.some((d) => d.peer.userId === userId)) return state;
  const shown = state.current.kind === 'dialog' && state.current.userId === userId;
  const next = { ...state, dialogs: state.dialogs.filter((d) => d.peer.userId !== userId) };
  return shown ? { ...next, current: LOBBY, privateTarget: null } : next;
}

/**
 * The connection's changes for the conversations: nobody is in a room while not logged in
 * (the session joins them again after the login); another server has rooms and dialogs of its own.
 */
function conversationsAfterStatus(state: ChatState, status: ConnectionStatus): ChatState {
  if (status.state === 'connecting' && status.attempt === 0 && state.older.server !== null && state.older.server !== status.url) {
    return { ...state, rooms: [], dialogs: [], current: LOBBY, lobbyUnread: 0, lobbyMentioned: false, roomList: null, opening: null };
  }
  if (status.state === 'authorized' || status.state === 'open' || !state.rooms.some((r) => r.users.length > 0)) return state;
  return { ...state, rooms: state.rooms.map((r) => (r.users.length === 0 ? r : { ...r, users: [] })) };
}

/** The log, paging and pending lines of the conversation shown. */
export function shownConversation(state: ChatState): { log: LogStore; older: OlderLines; pending: readonly PendingLine[]; users: readonly Identity[] } {
  const current = state.current;
  if (current.kind === 'room') {
    const room = findRoom(state.rooms, current.room);
    if (room !== undefined) return { log: room.log, older: room.older, pending: state.pending.filter((p) => p.room !== undefined && sameRoomName(p.room, room.name)), users: room.users };
  }
  if (current.kind === 'dialog') {
    const dialog = state.dialogs.find((d) => d.peer.userId === current.userId);
    if (dialog !== undefined) return { log: dialog.log, older: state.lasting ? dialog.older : NO_PAGING, pending: state.pending.filter((p) => p.to?.userId === dialog.peer.userId), users: state.users };
  }
  return { log: state.log, older: state.older, pending: state.pending.filter((p) => p.room === undefined), users: state.users };
}

const NO_PAGING: OlderLines = { state: 'none', oldestId: 0, server: null };

/** The rooms whose missed lines may be asked for now (the session pages one at a time). */
export function roomsMissingLines(state: ChatState): RoomConversation[] {
  return state.rooms.filter((r) => r.missed !== null && !r.missed.loading && r.older.state !== 'loading' && state.self !== null);
}

/** Whether the shown room's page before its oldest line may be asked for now. */
export function canLoadRoomOlder(state: ChatState, name: string): boolean {
  const room = findRoom(state.rooms, name);
  return room !== undefined && room.older.state === 'idle' && room.older.oldestId > 0 && state.self !== null;
}
