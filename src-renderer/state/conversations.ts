import { foldRoomName } from '../../src-shared/protocol';
import type { Identity, RoomSummary } from '../../src-shared/protocol';
import type { MissedLines, OlderLines } from './chat-state';
import type { LogStore } from './log';

/*
 * The conversations of one server besides the lobby (issue 13 §6): the rooms joined and
 * the private dialogs open, each with a log of its own, its unread count and (rooms) a
 * mention marker; and which conversation is shown. The reducer in chat-state.ts folds
 * them; these are the shapes and the pure look-ups the components share.
 */

/** Which conversation is shown: the lobby (the original's one room), a room by its canonical name, or a dialog with a user. */
export type ConversationRef = { readonly kind: 'lobby' } | { readonly kind: 'room'; readonly room: string } | { readonly kind: 'dialog'; readonly userId: number };

export const LOBBY: ConversationRef = Object.freeze({ kind: 'lobby' });

export interface RoomConversation {
  /** The canonical name (the creator's spelling). */
  readonly name: string;
  readonly locked: boolean;
  /** Its members online, in join order; empty while not logged in. */
  readonly users: readonly Identity[];
  readonly log: LogStore;
  readonly older: OlderLines;
  /** Lines a reconnect may have missed in this room (see MissedLines). */
  readonly missed: MissedLines | null;
  /** The highest messageId in its log (0: none). */
  readonly lastMessageId: number;
  /** Lines from others since it was last shown. */
  readonly unread: number;
  /** One of them mentions us. */
  readonly mentioned: boolean;
}

export interface DialogConversation {
  /** The other person, as last seen. */
  readonly peer: Identity;
  readonly log: LogStore;
  readonly lastMessageId: number;
  readonly unread: number;
  /** Paging back through the dialog kept by the server (a lasting login's): `oldestId` is its oldest line's id here. */
  readonly older: OlderLines;
}

export const sameRoomName = (a: string, b: string): boolean => foldRoomName(a) === foldRoomName(b);

export function findRoom(rooms: readonly RoomConversation[], name: string): RoomConversation | undefined {
  return rooms.find((r) => sameRoomName(r.name, name));
}

export function sameConversation(a: ConversationRef, b: ConversationRef): boolean {
  if (a.kind === 'lobby' || b.kind === 'lobby') return a.kind === b.kind;
  if (a.kind === 'room') return b.kind === 'room' && sameRoomName(a.room, b.room);
  return b.kind === 'dialog' && a.userId === b.userId;
}

/** The order the sidebar, Alt+Up/Down and the quick switcher go through: the lobby, the rooms, the dialogs. */
export function conversationOrder(rooms: readonly RoomConversation[], dialogs: readonly DialogConversation[]): ConversationRef[] {
  return [LOBBY, ...rooms.map((r): ConversationRef => ({ kind: 'room', room: r.name })), ...dialogs.map((d): ConversationRef => ({ kind: 'dialog', userId: d.peer.userId }))];
}

/** The conversation `step` places from `current` in that order, wrapping around. */
export function stepConversation(order: readonly ConversationRef[], current: ConversationRef, step: number): ConversationRef {
  if (order.length === 0) return LOBBY;
  const at = Math.max(0, order.findIndex((c) => sameConversation(c, current)));
  return order[(((at + step) % order.length) + order.length) % order.length]!;
}

/**
 * The current conversation as kept in the settings per server: `room:<name>`,
 * `dialog:<user name>` (user ids change with each login), `user:<user id>:<user name>`
 * with a lasting login (its peers keep their ids: the dialog is found by it, online or
 * not), or absent for the lobby.
 */
export function conversationToSetting(ref: ConversationRef, dialogs: readonly DialogConversation[], lasting = false): string | null {
  if (ref.kind === 'room') return `room:${ref.room}`;
  if (ref.kind === 'dialog') {
    const peer = dialogs.find((d) => d.peer.userId === ref.userId)?.peer;
    if (peer === undefined) return null;
    return lasting ? `user:${peer.userId}:${peer.userName}` : `dialog:${peer.userName}`;
  }
  return null;
}

export type SavedConversation = { kind: 'room'; room: string } | { kind: 'dialog'; userName: string; userId?: number };

const SAVED_USER = /^user:([1-9][0-9]{0,14}):(.+)$/s;

export function conversationFromSetting(value: string | undefined): SavedConversation | null {
  if (value === undefined) return null;
  if (value.startsWith('room:') && value.length > 5) return { kind: 'room', room: value.slice(5) };
  const user = SAVED_USER.exec(value);
  if (user !== null) return { kind: 'dialog', userId: Number(user[1]), userName: user[2]! };
  if (value.startsWith('dialog:') && value.length > 7) return { kind: 'dialog', userName: value.slice(7) };
  return null;
}

/** Rooms of the server's list, by name, for the join dialog (none until a RoomList came). */
export type RoomListing = readonly RoomSummary[] | null;
