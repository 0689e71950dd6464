import { DEFAULT_SERVER_CONFIG, startChatServer } from '../server';
import type { ServerConfig } from '../server';
import type { HostedServer, HostedServerConfig } from './hosting';

/**
 * Starts the room's server from the app. A room key is passed only to a server that
 * knows the setting: a room the user asked to protect must never open unprotected.
 */
export function startRoomServer(config: HostedServerConfig, overrides: Partial<ServerConfig> = {}): Promise<HostedServer> {
  const serverConfig: Partial<ServerConfig> = { ...overrides, host: config.host, port: config.port, webRoot: config.webRoot };
  if (config.roomKey !== undefined) {
    if (!('roomKey' in DEFAULT_SERVER_CONFIG)) {
      return Promise.reject(new Error('This version of the room server cannot protect a room with a key yet: clear the key to host.'));
    }
    (serverConfig as Record<string, unknown>).roomKey = config.roomKey;
  }
  return startChatServer(serverConfig);
}
