import { startChatServer } from '../server';
import type { ServerConfig } from '../server';
import type { HostedServer, HostedServerConfig } from './hosting';

/**
 * The hosting request mapped onto the server's config: the local network only, unless
 * the user allowed the internet (issue 18, hole 5).
 */
export function roomServerConfig(config: HostedServerConfig, overrides: Partial<ServerConfig> = {}): Partial<ServerConfig> {
  return {
    ...overrides,
    host: config.host,
    port: config.port,
    webRoot: config.webRoot,
    roomKey: config.roomKey ?? null,
    peerScope: config.allowInternet === true ? 'any' : 'local-network',
  };
}

/** Starts the room's server from the app. */
export function startRoomServer(config: HostedServerConfig, overrides: Partial<ServerConfig> = {}): Promise<HostedServer> {
  return startChatServer(roomServerConfig(config, overrides));
}
