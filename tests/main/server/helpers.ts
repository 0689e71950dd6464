import { afterEach } from 'vitest';
import { startChatServer } from '../../../src-main/server';
import type { ChatServer, ServerConfig } from '../../../src-main/server';
import { ChatClient, chatUrl } from '../../support/chat-client';
import type { ChatClientOptions, LoginParams } from '../../support/chat-client';

/** A server on 127.0.0.1, port 0, whose log lines a test can read. */
export interface TestServer {
  server: ChatServer;
  port: number;
  logs: string[];
  /** Connects a user and waits for Authorized. */
  join(params?: LoginParams | string, options?: ChatClientOptions): Promise<ChatClient>;
  url(params?: LoginParams): string;
}

const running = new Set<ChatServer>();
const clients = new Set<ChatClient>();

/** Starts a server for this test; it (and every client joined through it) is stopped after the test. */
export async function startTestServer(config: Partial<ServerConfig> = {}): Promise<TestServer> {
  const logs: string[] = [];
  const server = await startChatServer({ host: '127.0.0.1', port: 0, log: (line) => logs.push(line), ...config });
  running.add(server);
  const url = (params: LoginParams = {}): string => chatUrl(server.port, params);
  return {
    server,
    port: server.port,
    logs,
    url,
    async join(params = {}, options = {}) {
      const client = await ChatClient.connect(url(typeof params === 'string' ? { userName: params } : params), options);
      clients.add(client);
      return client;
    },
  };
}

afterEach(async () => {
  for (const client of clients) client.terminate();
  clients.clear();
  await Promise.all([...running].map((server) => server.close()));
  running.clear();
});
