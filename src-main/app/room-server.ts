import { startChatServer } from '../server';
import type { ServerConfig } from '../server';
import type { HostedServer, HostedServerConfig } from './hosting';

/** Starts the room's server from the app: the hosting request mapped onto the server's config. */
export function startRoomServer(config: HostedServerConfig, overrides: Partial<ServerConfig> = {}): Promise<HostedServer> {
  return startChatServer({
    ...overrides,
    host: config.host,
    port: config.port,
    webRoot: config.webRoot,
    roomKey: config.roomKey ?? null,
  });
}
