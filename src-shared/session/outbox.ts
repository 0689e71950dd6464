import type { PendingMessage } from '../bridge/contract';
import type { PrivateMessage, PublicMessage } from '../protocol/messages';
import { formatChatText } from '../protocol/rich-text';
import { foldRoomName } from '../protocol/room-name';

/*
 * Messages the user typed that the server has not confirmed yet. The server answers
 * every chat frame of ours exactly once and in order — its echo (a PublicMessage, or
 * the sender's copy of a PrivateMessage, or a recipient-offline copy) or an Error —
 * so a message stays here until that answer comes, and a connection lost before it
 * puts the message back in line for the next login. What the server shows is the
 * truth: this only decides what is still pending.
 */

/** More than this waiting is refused: the outbox is for an outage, not a mail queue. */
export const MAX_OUTBOX_MESSAGES = 200;

interface Entry {
  readonly id: string;
  readonly text: string;
  readonly toUserId: number;
  readonly queuedAt: number;
  /** The public line it answers, if any. */
  readonly replyTo: number | undefined;
  /** A room's line (its canonical name); undefined: the lobby or a private line. */
  readonly room: string | undefined;
  /** The uploaded file it carries: its echo is told by the file's id, whatever the text. */
  readonly file: { fileId: string; name: string } | undefined;
  /** How the server will print it: the echo carries this text. */
  readonly formatted: string;
  /** The login it was typed under: a private message's `toUserId` means someone only there. */
  readonly login: number;
  /** Written to the socket; the value orders the answers. 0: waiting. */
  sentSeq: number;
  /**
   * Written to a connection that was lost before the answer came: the server may
   * have taken it, so the History of a resumed session is searched for it.
   */
  maybeDelivered: boolean;
}

export type ChatEcho = PublicMessage | PrivateMessage;

export class Outbox {
  readonly #capacity: number;
  #entries: Entry[] = [];
  #nextId = 1;
  #nextSeq = 1;
  /**
   * The highest messageId among our echoes taken. Echoes come in the order the server
   * took the lines, so a line of ours in a History at or below it is one already
   * answered, never one still waiting (two equal texts are told apart by this).
   */
  #lastEchoId = 0;

  constructor(capacity: number = MAX_OUTBOX_MESSAGES) {
    this.#capacity = capacity;
  }

  get size(): number {
    return this.#entries.length;
  }

  /** Queues a message typed under `login`; undefined when the outbox is full. */
  add(
    text: string,
    toUserId: number,
    queuedAt: number,
    login = 0,
    replyTo?: number,
    room?: string,
    file?: { fileId: string; name: string },
  ): PendingMessage | undefined {
    if (this.#entries.length >= this.#capacity) return undefined;
    const entry: Entry = {
      id: `m${this.#nextId++}`,
      text,
      toUserId,
      queuedAt,
      replyTo,
      room,
      file: file === undefined ? undefined : { fileId: file.fileId, name: file.name },
      formatted: formatChatText(text),
      login,
      sentSeq: 0,
      maybeDelivered: false,
    };
    this.#entries.push(entry);
    return pending(entry);
  }

  /** Drops a waiting message; a message already written cannot be called back. */
  cancel(id: string): boolean {
    const index = this.#entries.findIndex((e) => e.id === id && e.sentSeq === 0);
    if (index < 0) return false;
    this.#entries.splice(index, 1);
    return true;
  }

  /** The oldest message waiting to be written (of those whose room, if any, `canGo` to now). */
  nextWaiting(canGo: (room: string) => boolean = () => true): PendingMessage | undefined {
    const entry = this.#entries.find((e) => e.sentSeq === 0 && (e.room === undefined || canGo(e.room)));
    return entry && pending(entry);
  }

  /** `awaitEcho: false` (a server that does not echo it) forgets it once written. */
  markSent(id: string, awaitEcho: boolean): void {
    const index = this.#entries.findIndex((e) => e.id === id);
    if (index < 0) return;
    if (!awaitEcho) {
      this.#entries.splice(index, 1);
      return;
    }
    const entry = this.#entries[index]!;
    entry.sentSeq = this.#nextSeq++;
    entry.maybeDelivered = false;
  }

  /**
   * Our own chat came back. Returns whether it answered one of ours: that one is
   * done, and so is every message written before it, which the server answered
   * earlier in a way not recognised here.
   */
  takeEcho(message: ChatEcho, selfId: number): boolean {
    if (message.userId !== selfId) return false;
    const match = this.#oldestSent((e) => {
      if (message.action === 'PublicMessage') return e.toUserId === 0 && sameRoom(e.room, message.room) && sameContent(e, message);
      if (e.toUserId !== message.toUserId || e.toUserId === 0) return false;
      return message.error !== undefined || sameContent(e, message);
    });
    if (match === undefined) return false;
    if (message.messageId !== undefined && message.messageId > this.#lastEchoId) this.#lastEchoId = message.messageId;
    this.#entries = this.#entries.filter((e) => e.sentSeq === 0 || e.sentSeq > match.sentSeq);
    return true;
  }

  /** Written and not yet answered. */
  isAwaiting(id: string): boolean {
    return this.#entries.some((e) => e.id === id && e.sentSeq !== 0);
  }

  /** The server refused message `id`, in flight, for good; it is removed and returned. */
  takeRefused(id: string): PendingMessage | undefined {
    const entry = this.#entries.find((e) => e.id === id && e.sentSeq !== 0);
    if (entry === undefined) return undefined;
    this.#entries = this.#entries.filter((e) => e !== entry);
    return pending(entry);
  }

  /** The server could not take message `id`, in flight, now: it waits again, in its place. */
  requeueRefused(id: string): boolean {
    const entry = this.#entries.find((e) => e.id === id && e.sentSeq !== 0);
    if (entry === undefined) return false;
    entry.sentSeq = 0;
    return true;
  }

  /** The connection is gone: whatever awaited an answer waits to be written again. */
  connectionLost(): boolean {
    let changed = false;
    for (const entry of this.#entries) {
      if (entry.sentSeq === 0) continue;
      entry.sentSeq = 0;
      entry.maybeDelivered = true;
      changed = true;
    }
    return changed;
  }

  /** A resumed session's missed public messages: ours among them were delivered after all. */
  takeHistory(messages: readonly PublicMessage[], selfId: number, room?: string): boolean {
    let changed = false;
    for (const message of messages) {
      if (message.userId !== selfId) continue;
      if (message.messageId !== undefined && message.messageId <= this.#lastEchoId) continue;
      const index = this.#entries.findIndex((e) => e.maybeDelivered && e.sentSeq === 0 && e.toUserId === 0 && sameRoom(e.room, room) && sameContent(e, message));
      if (index < 0) continue;
      this.#entries.splice(index, 1);
      if (message.messageId !== undefined) this.#lastEchoId = message.messageId;
      changed = true;
    }
    return changed;
  }

  /**
   * A new login (not a resumed one): user ids from before may now belong to someone
   * else (a restarted server counts from 1 again), so private messages typed under an
   * earlier login are taken out rather than risk reaching the wrong person.
   */
  takePrivateBefore(login: number): PendingMessage[] {
    const stale = this.#entries.filter((e) => e.toUserId !== 0 && e.login < login && e.sentSeq === 0);
    if (stale.length > 0) this.#entries = this.#entries.filter((e) => !stale.includes(e));
    return stale.map(pending);
  }

  /** The room was left: its messages still waiting can no longer go, and are taken out. */
  takeRoom(room: string): PendingMessage[] {
    const gone = this.#entries.filter((e) => e.room !== undefined && e.sentSeq === 0 && sameRoom(e.room, room));
    if (gone.length > 0) this.#entries = this.#entries.filter((e) => !gone.includes(e));
    return gone.map(pending);
  }

  /** Everything pending, oldest first: a fresh array of fresh objects. */
  snapshot(): PendingMessage[] {
    return this.#entries.map(pending);
  }

  clear(): boolean {
    const had = this.#entries.length > 0;
    this.#entries = [];
    return had;
  }

  #oldestSent(accept: (entry: Entry) => boolean): Entry | undefined {
    let best: Entry | undefined;
    for (const entry of this.#entries) {
      if (entry.sentSeq !== 0 && accept(entry) && (best === undefined || entry.sentSeq < best.sentSeq)) best = entry;
    }
    return best;
  }
}

function pending(entry: Entry): PendingMessage {
  const message: PendingMessage = { id: entry.id, text: entry.text, toUserId: entry.toUserId, queuedAt: entry.queuedAt, sending: entry.sentSeq !== 0 };
  if (entry.replyTo !== undefined) message.replyTo = entry.replyTo;
  if (entry.room !== undefined) message.room = entry.room;
  if (entry.file !== undefined) message.file = { ...entry.file };
  return message;
}

/** The line the server made of an entry: a file's by its id (the server writes its text when none was typed), a text's by its text. */
function sameContent(entry: Entry, message: ChatEcho): boolean {
  if (entry.file !== undefined) return message.file?.fileId === entry.file.fileId;
  return message.file === undefined && entry.formatted === message.text;
}

/** Both the lobby, or one room however it was spelt. */
function sameRoom(a: string | undefined, b: string | undefined): boolean {
  return a === undefined || b === undefined ? a === b : foldRoomName(a) === foldRoomName(b);
}
