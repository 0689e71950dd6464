import { StateJournal, ackedLine, endLine, loadStateFile, messageLine, sessionLine } from '../state-file';
import type { SavedState } from '../state-file';
import type { AckedMark, DurableState, KeptState, SavedSession, SessionJournal } from './durable-state';
import { LOBBY } from './message-store';
import type { LinePage, MessageStore, StoredLine } from './message-store';
import { MemoryMessageStore } from './memory-store';
import { MemoryRoomStore } from './room-store';

/*
 * The JSON-lines state file (`--state-file` without `--db`) behind the DurableState
 * interface: lines live in a memory store, and every change is journaled to the file.
 */

/** A memory store whose new lines also go to the journal. */
class JournaledMemoryStore implements MessageStore {
  journal: StateJournal | null = null;

  constructor(readonly memory: MemoryMessageStore) {}

  get lastMessageId(): number {
    return this.memory.lastMessageId;
  }

  nextMessageId(): number {
    return this.memory.nextMessageId();
  }

  append(line: StoredLine): void {
    this.memory.append(line);
    if (isKept(line)) this.journal?.append(messageLine(line.messageId, line.payload));
  }

  replace(line: StoredLine): void {
    this.memory.replace(line);
    // A later record with the same id takes the line's place when the file is read.
    if (isKept(line)) this.journal?.append(messageLine(line.messageId, line.payload));
  }

  before(room: string, before: number, limit: number): LinePage {
    return this.memory.before(room, before, limit);
  }

  after(room: string, after: number, limit: number): LinePage {
    return this.memory.after(room, after, limit);
  }

  get(messageId: number): StoredLine | undefined {
    return this.memory.get(messageId);
  }

  repliesTo(messageId: number): readonly StoredLine[] {
    return this.memory.repliesTo(messageId);
  }

  flush(): void {}

  close(): void {}
}

/**
 * The file records lines without their room and reads every one back as the lobby's, so
 * it keeps the lobby's only: a private dialog's line (or another room's) written there
 * would come back after a restart in everyone's History.
 */
function isKept(line: StoredLine): boolean {
  return line.room === LOBBY;
}

/** The lines a state file kept, in a memory store of `capacity` lines. */
export function memoryStoreOf(saved: SavedState, capacity: number): MemoryMessageStore {
  const store = new MemoryMessageStore(capacity, saved.messages.at(-1)?.seq ?? 0);
  for (const { seq, payload } of saved.messages) store.append({ messageId: seq, room: LOBBY, sentAt: sentAtOf(payload), authorSession: '', payload });
  return store;
}

/** Lines from before messages had a time keep 0. */
export function sentAtOf(payload: string): number {
  return Number(/"sentAt":(\d+)/.exec(payload)?.[1] ?? 0);
}

export class StateFileState implements DurableState, SessionJournal {
  readonly messages: JournaledMemoryStore;
  readonly kept: KeptState;
  readonly rooms = new MemoryRoomStore();
  readonly sessions: SessionJournal = this;
  private journal: StateJournal | null = null;

  /** Reads the file (see loadStateFile); `open` then starts journaling to it. */
  constructor(
    readonly path: string,
    historyLines: number,
    private readonly log: (line: string) => void,
  ) {
    const saved = loadStateFile(path, log, historyLines);
    this.messages = new JournaledMemoryStore(memoryStoreOf(saved, historyLines));
    this.kept = { nextUserId: saved.nextUserId, sessions: saved.sessions };
  }

  /** Writes a first snapshot and journals from now on. Throws (with a sentence) if the file cannot be written. */
  open(room: () => KeptState): void {
    const snapshot = (): SavedState => ({
      ...room(),
      messages: this.messages.memory
        .entries()
        .filter(isKept)
        .map((line) => ({ seq: line.messageId, payload: line.payload })),
    });
    try {
      this.journal = new StateJournal(this.path, snapshot, this.log);
    } catch (error) {
      throw new Error(`Cannot write the state file ${this.path}: ${(error as Error).message}`, { cause: error });
    }
    this.messages.journal = this.journal;
  }

  started(session: SavedSession): void {
    this.journal?.append(sessionLine(session));
  }

  ended(token: string): void {
    this.journal?.append(endLine(token));
  }

  acked(marks: readonly AckedMark[]): void {
    if (marks.length > 0) this.journal?.append(ackedLine(marks.map((m) => [m.userId, m.ackedSeq] as const)));
  }

  flush(): void {
    this.journal?.flush();
  }

  close(): void {
    this.journal?.close();
  }
}
