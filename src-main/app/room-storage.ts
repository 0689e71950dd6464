import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { ServerConfig } from '../server';

/*
 * Where the hosted room keeps its state: a SQLite database in the app's user-data folder
 * when Electron's build of better-sqlite3 is there (scripts/electron-native.mjs makes it;
 * node_modules holds Node's build, which Electron cannot load), else the JSON state file.
 * The state file of an older version is imported into a new database once.
 */

export interface RoomStorageOptions {
  /** app.getPath('userData'). */
  userData: string;
  /** The better-sqlite3 addon built for this Electron. */
  sqliteBinding: string;
  exists?: (path: string) => boolean;
}

export type RoomStorage = Pick<ServerConfig, 'dbFile' | 'stateFile' | 'sqliteBinding'>;

/** The addon's place: an extra resource when packaged, native/electron/ in a checkout. */
export function electronSqliteBinding(isPackaged: boolean, appRoot: string, resourcesPath: string): string {
  return isPackaged ? join(resourcesPath, 'native', 'better_sqlite3.node') : join(appRoot, 'native', 'electron', 'better_sqlite3.node');
}

export function roomStorage(options: RoomStorageOptions): RoomStorage {
  const stateFile = join(options.userData, 'room-state.jsonl');
  if (!(options.exists ?? existsSync)(options.sqliteBinding)) return { dbFile: null, stateFile, sqliteBinding: null };
  return { dbFile: join(options.userData, 'room.db'), stateFile, sqliteBinding: options.sqliteBinding };
}
