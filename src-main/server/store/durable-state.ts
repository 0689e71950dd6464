import type { Gender } from '../../../src-shared/protocol';
import type { MessageStore } from './message-store';
import type { RoomStore } from './room-store';
import type { FileRecordStore } from '../files/file-records';

/*
 * Everything the server keeps across a restart, behind one interface: the lines (a
 * MessageStore) and the few records the room needs to take its clients back (the next
 * user id, the resumable sessions, how far each had read). Three homes stand behind it:
 * memory (a bare `npm run server`), the JSON state file, and SQLite; the room does not
 * know which one runs.
 */

/** A resumable session as kept across a restart. */
export interface SavedSession {
  token: string;
  userId: number;
  userName: string;
  gender: Gender;
  userColor: string;
  /** Public messages up to this messageId had surely reached the client. */
  ackedSeq: number;
}

/** A lasting identity as kept: only the hash of its secret (identities.ts). */
export interface SavedIdentity {
  /** identityHash(secret), hex. */
  hash: string;
  /** Its user id, the same in every session while it is free; its dialogs are keyed by it. */
  userId: number;
  /** The name it last used (held for it, see --name-hold-days). */
  userName: string;
  /** Date.now() when it was last online. */
  lastSeen: number;
}

/** A private line stored for a recipient who was offline, not yet delivered. */
export interface WaitingLine {
  messageId: number;
  /** The recipient identity's userId. */
  toUserId: number;
}

/** What the last run left behind, read once at start. */
export interface KeptState {
  nextUserId: number;
  sessions: SavedSession[];
  /** Absent: this home keeps no identities (they live in memory for the run). */
  identities?: SavedIdentity[];
  waiting?: WaitingLine[];
}

/** The identity record verbs: queued, and written by the next `DurableState.flush` with the lines. */
export interface IdentityJournal {
  seen(identity: SavedIdentity): void;
  /** The identity of this hash is forgotten (its place was needed; see Identities.add). */
  forgot(hash: string): void;
  waiting(line: WaitingLine): void;
  delivered(messageId: number): void;
}

/** A member's new read mark. */
export interface AckedMark {
  readonly token: string;
  readonly userId: number;
  readonly ackedSeq: number;
}

/** The record verbs: queued, and written by the next `DurableState.flush`. */
export interface SessionJournal {
  /** A new session; `nextUserId` is the id the room will try next. */
  started(session: SavedSession, nextUserId: number): void;
  /** The session is over: its token will not be taken back. */
  ended(token: string): void;
  acked(marks: readonly AckedMark[]): void;
}

export interface DurableState {
  readonly messages: MessageStore;
  readonly kept: KeptState;
  /** The rooms besides the lobby. */
  readonly rooms: RoomStore;
  /** null: sessions are not kept (memory only). */
  readonly sessions: SessionJournal | null;
  /** The uploaded files' records; absent: kept in memory for the run. */
  readonly files?: FileRecordStore;
  /** Absent or null: identities and waiting lines are kept in memory only. */
  readonly identities?: IdentityJournal | null;
  /**
   * Writes everything pending (lines and records) in one go; called before a tick's frames
   * reach any socket, so whatever a client was shown is on disk. Never throws: a failed
   * write is logged and retried.
   */
  flush(): void;
  close(): void;
  /**
   * Called once the room exists, with what it keeps (a store that snapshots the room's
   * state reads it through `kept`). Throws, with a sentence, if the store cannot start.
   */
  open?(kept: () => KeptState): void;
}

export const NOTHING_KEPT: Readonly<KeptState> = Object.freeze({ nextUserId: 1, sessions: [] });
