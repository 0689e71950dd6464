import type { FoundRoom, Language, Theme } from '../../src-shared/bridge';
import type { Gender, Identity } from '../../src-shared/protocol';
import type { ConversationRef } from '../state/conversations';
import type { UploadFailure, UserStatus } from '../../src-shared/protocol';

/** What the connect dialog hands up when the user presses Connect; already checked. */
export interface ConnectForm {
  server: string;
  port: number;
  userName: string;
  userColor: string;
  gender: Gender;
  hostRoom: boolean;
  /** The hosted room's key when `hostRoom`, else the key for `server`; '' for none. */
  roomKey: string;
  /** With `hostRoom`: take peers from anywhere, not only the local network. */
  allowInternet: boolean;
  /** With `hostRoom`: announce the room on the local network. */
  visibleOnNetwork: boolean;
  /** With `hostRoom`: the name others see in their lists; '' for the default. */
  roomName: string;
  /** With `hostRoom`: the room keeps its history on disk. */
  roomHistory: boolean;
  /** The form was filled from a room found on the network (its `host:port`), and left so. */
  foundRoom?: string;
}

/** Every event a component sends up, with its detail: one map, so senders and listeners agree. */
export interface ChatUiEvents {
  /** The sidebar, the quick switcher or Alt+Up/Down chose a conversation to show. */
  'conversation-chosen': { conversation: ConversationRef };
  /** Leave a room (its × in the sidebar). */
  'room-leave-requested': { room: string };
  /** Close a private dialog (its × in the sidebar). */
  'dialog-close-requested': { userId: number };
  /** Open the "Join or create a room" dialog. */
  'room-dialog-requested': Record<string, never>;
  /** The join dialog's Join: the name as typed (trimmed) and the key ('' for none). */
  'room-join-requested': { room: string; key: string };
  /** The join dialog or the quick switcher was closed without a choice. */
  'overlay-dismissed': Record<string, never>;
  /** A name was clicked (log or list), or Space on a listed user: mention them. */
  'nick-activated': { user: Identity };
  /** Double-click or Enter on a listed user: talk to them privately. */
  'private-requested': { user: Identity };
  'private-closed': Record<string, never>;
  'draft-changed': { text: string };
  'message-submitted': { text: string };
  /** Cancel on a pending line: drop that message from the outbox. */
  'pending-cancel-requested': { id: string };
  /** A line's actions (toolbar or context menu), and a click on a reply's quote. */
  'reply-requested': { messageId: number };
  'edit-requested': { messageId: number };
  'delete-requested': { messageId: number };
  'quote-activated': { messageId: number };
  /** Up in the empty input: edit one's last line. */
  'edit-last-requested': Record<string, never>;
  'edit-cancelled': Record<string, never>;
  'reply-cancelled': Record<string, never>;
  /** The reader reached the top of the log: load the page before its oldest line. */
  'older-requested': Record<string, never>;
  'connect-requested': ConnectForm;
  'disconnect-requested': Record<string, never>;
  'dialog-dismissed': Record<string, never>;
  'language-changed': { language: Language };
  'theme-changed': { theme: Theme };
  /** A room found on the network was clicked: fill the form with it (never join by itself). */
  'found-room-chosen': { room: FoundRoom };
  /** The status picker: one's own status chosen by hand, and the "Allow buzzes" switch. */
  'status-chosen': { status: UserStatus; text: string };
  'allow-buzz-changed': { allow: boolean };
  /** Buzz in a listed user's context menu. */
  'buzz-requested': { user: Identity };
  /** Files to send to the conversation shown: the attach button, or a paste into the input. */
  'files-chosen': { files: File[] };
  /** An upload's Cancel, and the × of a refused one. */
  'upload-cancel-requested': { uploadId: string };
  'upload-dismissed': { uploadId: string };
  /** A finished download's "Show in folder", and the × of a download (desktop). */
  'download-show-requested': { downloadId: string };
  'download-dismissed': { downloadId: string };
  /** A line's file could not be had (its link was refused): `reason` says why. */
  'file-unavailable': { name: string; reason: UploadFailure };
}

declare global {
  interface HTMLElementEventMap {
    'conversation-chosen': CustomEvent<ChatUiEvents['conversation-chosen']>;
    'room-leave-requested': CustomEvent<ChatUiEvents['room-leave-requested']>;
    'dialog-close-requested': CustomEvent<ChatUiEvents['dialog-close-requested']>;
    'room-dialog-requested': CustomEvent<ChatUiEvents['room-dialog-requested']>;
    'room-join-requested': CustomEvent<ChatUiEvents['room-join-requested']>;
    'overlay-dismissed': CustomEvent<ChatUiEvents['overlay-dismissed']>;
    'nick-activated': CustomEvent<ChatUiEvents['nick-activated']>;
    'private-requested': CustomEvent<ChatUiEvents['private-requested']>;
    'private-closed': CustomEvent<ChatUiEvents['private-closed']>;
    'draft-changed': CustomEvent<ChatUiEvents['draft-changed']>;
    'message-submitted': CustomEvent<ChatUiEvents['message-submitted']>;
    'pending-cancel-requested': CustomEvent<ChatUiEvents['pending-cancel-requested']>;
    'older-requested': CustomEvent<ChatUiEvents['older-requested']>;
    'reply-requested': CustomEvent<ChatUiEvents['reply-requested']>;
    'edit-requested': CustomEvent<ChatUiEvents['edit-requested']>;
    'delete-requested': CustomEvent<ChatUiEvents['delete-requested']>;
    'quote-activated': CustomEvent<ChatUiEvents['quote-activated']>;
    'edit-last-requested': CustomEvent<ChatUiEvents['edit-last-requested']>;
    'edit-cancelled': CustomEvent<ChatUiEvents['edit-cancelled']>;
    'reply-cancelled': CustomEvent<ChatUiEvents['reply-cancelled']>;
    'connect-requested': CustomEvent<ChatUiEvents['connect-requested']>;
    'disconnect-requested': CustomEvent<ChatUiEvents['disconnect-requested']>;
    'dialog-dismissed': CustomEvent<ChatUiEvents['dialog-dismissed']>;
    'language-changed': CustomEvent<ChatUiEvents['language-changed']>;
    'theme-changed': CustomEvent<ChatUiEvents['theme-changed']>;
    'found-room-chosen': CustomEvent<ChatUiEvents['found-room-chosen']>;
    'status-chosen': CustomEvent<ChatUiEvents['status-chosen']>;
    'allow-buzz-changed': CustomEvent<ChatUiEvents['allow-buzz-changed']>;
    'buzz-requested': CustomEvent<ChatUiEvents['buzz-requested']>;
    'files-chosen': CustomEvent<ChatUiEvents['files-chosen']>;
    'upload-cancel-requested': CustomEvent<ChatUiEvents['upload-cancel-requested']>;
    'upload-dismissed': CustomEvent<ChatUiEvents['upload-dismissed']>;
    'file-unavailable': CustomEvent<ChatUiEvents['file-unavailable']>;
    'download-show-requested': CustomEvent<ChatUiEvents['download-show-requested']>;
    'download-dismissed': CustomEvent<ChatUiEvents['download-dismissed']>;
  }
}

export function emit<K extends keyof ChatUiEvents>(from: HTMLElement, name: K, detail: ChatUiEvents[K]): void {
  from.dispatchEvent(new CustomEvent(name, { detail, bubbles: true, composed: true }));
}
