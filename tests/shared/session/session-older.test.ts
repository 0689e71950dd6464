import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { startChatServer } from '../../../src-main/server';
import type { ChatServer } from '../../../src-main/server';
import type { OlderHistory } from '../../../src-shared/bridge';
import type { HistoryMessage, ServerMessage } from '../../../src-shared/protocol';
import { ClientSession } from '../../../src-shared/session';
import { ChatClient, chatUrl } from '../../support/chat-client';
import { isState, until, waitForStatus } from './wait';

/*
 * Older history over a real server: the session asks for the page before its oldest
 * line and hands the answer on as `olderHistory`, never as the History of a login.
 */

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function roomWith(lines: number): Promise<ChatServer> {
  const server = await startChatServer({ host: '127.0.0.1', port: 0, rateBurst: 1_000, log: () => {} });
  cleanups.push(() => server.close());
  const talker = await ChatClient.connect(chatUrl(server.port, { userName: 'Talker' }));
  cleanups.push(() => talker.close());
  for (let i = 1; i <= lines; i++) talker.say(`line ${i}`);
  await talker.waitFor((m) => m.action === 'PublicMessage' && m.text === `line ${lines}`);
  return server;
}

function reader(port: number): { session: ClientSession; messages: ServerMessage[]; pages: OlderHistory[] } {
  const session = new ClientSession({ createSocket: (url) => new WebSocket(url) });
  cleanups.push(() => session.disconnect());
  const messages: ServerMessage[] = [];
  const pages: OlderHistory[] = [];
  session.on('message', (m) => messages.push(m));
  session.on('olderHistory', (p) => pages.push(p));
  session.connect({ server: '127.0.0.1', port, userName: 'Reader', userColor: '#16a085', gender: 2 });
  return { session, messages, pages };
}

describe('loading older history', () => {
  it('asks for the page before a line and tells its answer apart from the login’s History', async () => {
    const server = await roomWith(70);
    const { session, messages, pages } = reader(server.port);
    await waitForStatus(session, isState('authorized'));
    await until(() => messages.some((m) => m.action === 'History'), 5_000, 'the History of the login');
    const onJoin = messages.find((m): m is HistoryMessage => m.action === 'History')!;
    expect(onJoin.messages.map((m) => m.text)).toEqual(Array.from({ length: 50 }, (_, i) => `line ${i + 21}`));
    expect(onJoin.hasMore).toBe(true);

    const oldest = onJoin.messages[0]!.messageId!;
    expect(session.loadOlder(oldest, 50)).toBe(true);
    // One at a time.
    expect(session.loadOlder(oldest, 50)).toBe(false);
    await until(() => pages.length === 1, 5_000, 'the older page');
    const page = pages[0]!;
    expect(page.ok).toBe(true);
    if (!page.ok) return;
    expect(page.before).toBe(oldest);
    expect(page.messages.map((m) => m.text)).toEqual(Array.from({ length: 20 }, (_, i) => `line ${i + 1}`));
    expect(page.hasMore).toBe(false);
    // Not a second History of the login.
    expect(messages.filter((m) => m.action === 'History')).toHaveLength(1);
    // Answered: the next may go.
    expect(session.loadOlder(page.messages[0]!.messageId!, 50)).toBe(true);
    await until(() => pages.length === 2, 5_000, 'the empty page');
    expect(pages[1]).toEqual({ ok: true, before: page.messages[0]!.messageId, messages: [], hasMore: false });
  });

  it('goes only while logged in, and a page lost with the connection is given up, saying so', async () => {
    const server = await roomWith(3);
    const { session, messages, pages } = reader(server.port);
    expect(session.loadOlder(1, 50)).toBe(false);
    await waitForStatus(session, isState('authorized'));
    await until(() => messages.some((m) => m.action === 'History'), 5_000, 'the History of the login');
    expect(session.loadOlder(2, 50)).toBe(true);
    session.disconnect();
    expect(pages.at(-1)).toMatchObject({ ok: false, before: 2 });
    expect(session.loadOlder(2, 50)).toBe(false);
    expect(() => session.loadOlder(0, 50)).toThrow(RangeError);
    expect(() => session.loadOlder(2, 201)).toThrow(RangeError);
  });
});
