/**
 * A database that already holds a room's history, for the --db connect storm: every
 * newcomer then reads its 50 lines from SQLite, as after a restart.
 */
import { SqliteState } from '../src-main/server/store/sqlite-store';
import { LOBBY } from '../src-main/server/store/message-store';

export function seedDatabase(path: string, lines: number): void {
  const state = new SqliteState(path, { historyMaxLines: 100_000, historyMaxDays: 365, log: () => {}, pruneIntervalMs: 0 });
  try {
    for (let i = 1; i <= lines; i++) {
      const messageId = state.messages.nextMessageId();
      const sentAt = Date.now();
      const payload =
        `{"action":"PublicMessage","userId":1,"userName":"seed","gender":0,"userColor":"#16a085",` +
        `"text":"history line ${i} — a line of about the length of a chat message","messageId":${messageId},"sentAt":${sentAt}}`;
      state.messages.append({ messageId, room: LOBBY, sentAt, authorSession: 'seed', payload });
    }
    state.flush();
  } finally {
    state.close();
  }
}
