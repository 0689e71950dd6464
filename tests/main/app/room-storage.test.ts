import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { electronSqliteBinding, roomStorage } from '../../../src-main/app/room-storage';

describe('the hosted room’s storage', () => {
  it('is a database in the user-data folder when Electron’s better-sqlite3 build is there, importing the old state file once', () => {
    const binding = electronSqliteBinding(false, '/app', '/resources');
    expect(binding).toBe(join('/app', 'native', 'electron', 'better_sqlite3.node'));
    expect(electronSqliteBinding(true, '/app', '/resources')).toBe(join('/resources', 'native', 'better_sqlite3.node'));
    expect(roomStorage({ userData: '/data', sqliteBinding: binding, exists: (p) => p === binding })).toEqual({
      dbFile: join('/data', 'room.db'),
      stateFile: join('/data', 'room-state.jsonl'),
      sqliteBinding: binding,
    });
  });

  it('is the state file when the build is missing (Node’s build in node_modules would not load in Electron)', () => {
    expect(roomStorage({ userData: '/data', sqliteBinding: '/nowhere/better_sqlite3.node', exists: () => false })).toEqual({
      dbFile: null,
      stateFile: join('/data', 'room-state.jsonl'),
      sqliteBinding: null,
    });
  });
});
