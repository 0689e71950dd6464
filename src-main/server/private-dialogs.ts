import { DIALOG_KEY_PREFIX, formatChatText } from '../../src-shared/protocol';
import type { ReplyQuote, ServerMessage } from '../../src-shared/protocol';
import { frameText } from './broadcast';
import { errorFrame } from './error-frame';
import { historyJson } from './history-frame';
import { lineFacts, withQuoteDeleted } from './line-payload';
import type { Identities, KnownIdentity } from './identities';
import type { Member } from './member';
import { lineJson } from './quote';
import { textsWithFile } from './files/file-line';
import type { SentFile } from './files/file-line';
import type { IdentityJournal, WaitingLine } from './store/durable-state';
import { quotedIdOf } from './store/message-store';
import type { LinePage, MessageStore, StoredLine } from './store/message-store';

/*
 * Private dialogs between two lasting identities. Their lines are stored like a room's,
 * under a room key of their own per pair (`@<a>:<b>`, the identities' user ids sorted),
 * so one paging path serves rooms and dialogs; only the two identities can ever page a
 * key with their own id in it, and a line goes only to the sessions of the two. A line
 * for an identity that is offline is kept as waiting and written to it when it comes
 * back; the sender's copy says `"delivery":"waiting"`, and a `Delivered` tells it later.
 * A line with a Qt client or an unknown user on either side goes as it always did.
 */

export function dialogKey(a: number, b: number): string {
  return a <= b ? `${DIALOG_KEY_PREFIX}${a}:${b}` : `${DIALOG_KEY_PREFIX}${b}:${a}`;
}

/** The two user ids of a dialog key, or null for any other room key. */
function dialogPair(room: string): [number, number] | null {
  const match = /^@(\d+):(\d+)$/.exec(room);
  return match === null ? null : [Number(match[1]), Number(match[2])];
}


const WAITING_FIELD = '"delivery":"waiting"';
const DELIVERED_FIELD = '"delivery":"delivered"';
const HISTORY_HEAD = '{"action":"History",';

const NO_IDENTITY_FRAME = errorFrame('invalid-history-request', 'A private dialog’s history needs a lasting identity, and this login has none.');

/**
 * The sender's fields on a dialog line. A second tab of an identity has a user id of its
 * own for this session; the line names the identity's id instead, the one the other side
 * writes back to and that pages this dialog across sessions.
 */
function senderJson(from: Member, identity: KnownIdentity): string {
  if (from.userId === identity.userId) return from.identityJson;
  return JSON.stringify({ ...from.identity(), userId: identity.userId }).slice(1, -1);
}

/** What the dialogs need of the room. */
export interface DialogRoom {
  memberById(userId: number): Member | undefined;
  /** Writes a frame to one member, in order with everything else it is sent. */
  send(member: Member, frame: Buffer): void;
  /** The most bytes one History frame may take. */
  readonly historyBytes: number;
}

export class PrivateDialogs {
  /** Lines not yet delivered, by the recipient identity's user id, oldest first. */
  private readonly waiting = new Map<number, number[]>();

  constructor(
    private readonly store: MessageStore,
    private readonly identities: Identities,
    private readonly journal: IdentityJournal | null,
    private readonly room: DialogRoom,
    kept: readonly WaitingLine[],
  ) {
    for (const line of kept) this.queue(line);
  }

  /** The identity behind a user id: someone online with it, or an identity whose id it is. */
  private identityOf(userId: number): KnownIdentity | null {
    const online = this.room.memberById(userId);
    if (online !== undefined) return online.lasting;
    return this.identities.byUserId(userId) ?? null;
  }

  /**
   * Sends a private line if both sides are lasting identities (stored, delivered or left
   * waiting); false when it is not a dialog's, and today's rules apply.
   */
  /** The dialog key a private line from `from` to `toUserId` would be stored under, or null when it is not a dialog's. */
  keyFor(from: Member, toUserId: number): string | null {
    const mine = from.lasting;
    const peer = mine === null ? null : this.identityOf(toUserId);
    return mine === null || peer === null ? null : dialogKey(mine.userId, peer.userId);
  }

  send(from: Member, toUserId: number, text: string, quote: ReplyQuote | null, file: SentFile | null = null): boolean {
    const mine = from.lasting;
    if (mine === null) return false;
    const peer = this.identityOf(toUserId);
    if (peer === null) return false;
    const recipients = peer.connected();
    const delivered = recipients.length > 0;
    const messageId = this.store.nextMessageId();
    const sentAt = Date.now();
    const { text: formatted, legacyText } = textsWithFile(formatChatText(text), file);
    const head =
      `{"action":"PrivateMessage",${senderJson(from, mine)},"messageId":${messageId},"sentAt":${sentAt},` +
      `"toUserId":${peer.userId},${delivered ? DELIVERED_FIELD : WAITING_FIELD}${file === null ? '' : file.field}`;
    const { payload, legacy } = lineJson(head, quote, formatted, legacyText);
    this.store.append({ messageId, room: dialogKey(mine.userId, peer.userId), sentAt, authorSession: from.sessionToken, payload });
    if (!delivered) {
      this.forgetPruned(peer.userId);
      const line = { messageId, toUserId: peer.userId };
      this.queue(line);
      this.journal?.waiting(line);
    }
    const frame = frameText(payload);
    const legacyFrame = legacy === payload ? frame : frameText(legacy);
    for (const member of new Set([...recipients, ...mine.connected(), from])) this.room.send(member, member.legacy ? legacyFrame : frame);
    return true;
  }

  /** Answers `{"action":"History","with":N,…}` with a `DialogHistory` of the member's dialog with N. */
  page(member: Member, withUserId: number, before: number, limit: number): void {
    const mine = member.lasting;
    if (mine === null) {
      this.room.send(member, NO_IDENTITY_FRAME);
      return;
    }
    const peer = this.identityOf(withUserId);
    const stored: LinePage = peer === null ? { lines: [], hasMore: false } : this.store.before(dialogKey(mine.userId, peer.userId), before, limit);
    const page: LinePage = { lines: stored.lines.map((line) => this.withoutDeletedQuote(line)), hasMore: stored.hasMore };
    // The same budgeted frame as a room's History, under its own action and naming the dialog.
    const json = historyJson(page, this.room.historyBytes);
    this.room.send(member, frameText(`{"action":"DialogHistory","with":${withUserId},${json.slice(HISTORY_HEAD.length)}`));
  }

  /** A session of an identity is connected: what waited for it goes to it now, and the senders are told. */
  deliverWaiting(member: Member): void {
    const identity = member.lasting;
    if (identity === null) return;
    const ids = this.waiting.get(identity.userId);
    if (ids === undefined) return;
    this.waiting.delete(identity.userId);
    const bySender = new Map<number, number[]>();
    for (const messageId of ids) {
      this.journal?.delivered(messageId);
      const stored = this.store.get(messageId);
      const line = stored === undefined ? undefined : this.withoutDeletedQuote(stored);
      const pair = line === undefined ? null : dialogPair(line.room);
      if (line === undefined || pair === null) continue;
      const payload = line.payload.replace(WAITING_FIELD, DELIVERED_FIELD);
      this.store.replace({ ...line, payload });
      this.room.send(member, frameText(payload));
      const sender = pair[0] === identity.userId ? pair[1] : pair[0];
      const told = bySender.get(sender);
      if (told === undefined) bySender.set(sender, [messageId]);
      else told.push(messageId);
    }
    for (const [sender, messageIds] of bySender) {
      const notice = frameText(JSON.stringify({ action: 'Delivered', toUserId: identity.userId, messageIds } satisfies ServerMessage));
      for (const session of this.identities.byUserId(sender)?.connected() ?? []) this.room.send(session, notice);
    }
  }

  /** The line, its quote emptied (in the store too) if the line it quotes was deleted since. */
  private withoutDeletedQuote(line: StoredLine): StoredLine {
    // A deletion empties its replies' quotes in the store; this mends a line stored before that was so.
    const quotedId = quotedIdOf(line.payload);
    if (quotedId === null) return line;
    const quoted = this.store.get(quotedId);
    if (quoted === undefined || lineFacts(quoted.payload)?.deleted !== true) return line;
    const payload = withQuoteDeleted(line.payload, quotedId);
    if (payload === null) return line;
    const mended = { ...line, payload };
    this.store.replace(mended);
    return mended;
  }

  /**
   * Forgets the oldest lines waiting for `userId` that retention has taken (it takes the
   * oldest first), so what waits for an identity that never comes back stays within what
   * the store keeps, however long someone writes to it.
   */
  private forgetPruned(userId: number): void {
    const list = this.waiting.get(userId);
    if (list === undefined) return;
    let gone = 0;
    while (gone < list.length && this.store.get(list[gone]!) === undefined) this.journal?.delivered(list[gone++]!);
    if (gone === list.length) this.waiting.delete(userId);
    else if (gone > 0) list.splice(0, gone);
  }

  private queue(line: WaitingLine): void {
    const list = this.waiting.get(line.toUserId);
    if (list === undefined) this.waiting.set(line.toUserId, [line.messageId]);
    else list.push(line.messageId);
  }
}
