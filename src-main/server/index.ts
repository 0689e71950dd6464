export { startChatServer } from './chat-server';
export type { ChatServer } from './chat-server';
export { DEFAULT_SERVER_CONFIG, resolveServerConfig } from './config';
export type { ServerConfig } from './config';
