import { renameSync } from 'node:fs';
import type { ServerConfig } from '../config';
import { loadStateFile } from '../state-file';
import type { DurableState } from './durable-state';
import { memoryState } from './memory-state';
import { SqliteState } from './sqlite-store';
import { StateFileState, memoryStoreOf } from './state-file-state';

/**
 * Where this server keeps its state: the database (`dbFile`), else the state file,
 * else memory. With both, the state file is imported into a database created by this
 * start and then renamed `<file>.imported`, so there is one source of truth; a database
 * that existed already wins, and the state file is left alone with a log line.
 * Throws an Error with one sentence when the store cannot be opened.
 */
export function openDurableState(config: ServerConfig): DurableState {
  if (config.dbFile === null) {
    return config.stateFile === null ? memoryState(config.historyLines) : new StateFileState(config.stateFile, config.historyLines, config.log);
  }
  const state = new SqliteState(config.dbFile, {
    historyMaxLines: config.historyMaxLines,
    historyMaxDays: config.historyMaxDays,
    log: config.log,
    nativeBinding: config.sqliteBinding ?? undefined,
  });
  const stateFile = config.stateFile;
  if (stateFile !== null) {
    if (!state.created) {
      config.log(`state file ${stateFile}: not read, the database ${config.dbFile} already holds the state`);
    } else {
      try {
        const saved = loadStateFile(stateFile, config.log);
        state.importState({ nextUserId: saved.nextUserId, sessions: saved.sessions }, memoryStoreOf(saved, Math.max(1, saved.messages.length)).entries());
        renameSync(stateFile, `${stateFile}.imported`);
        config.log(`state file ${stateFile}: imported into ${config.dbFile}, kept as ${stateFile}.imported`);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
          state.close();
          throw new Error(`Cannot import the state file ${stateFile}: ${(error as Error).message}`, { cause: error });
        }
      }
    }
  }
  config.log(
    `database ${config.dbFile}: ${state.messages.storedCount} line(s), ${state.kept.sessions.length} session(s), next user id ${state.kept.nextUserId}`,
  );
  return state;
}
