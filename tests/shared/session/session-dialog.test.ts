import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { startChatServer } from '../../../src-main/server';
import type { DialogHistoryMessage, ServerMessage } from '../../../src-shared/protocol';
import { newIdentitySecret } from '../../../src-shared/protocol';
import { ClientSession } from '../../../src-shared/session';
import { ChatClient, chatUrl } from '../../support/chat-client';
import { isState, until, waitForStatus } from './wait';

/*
 * The session and a private dialog over a real server: it proves the identity it is
 * given at login, and pages a dialog only for a login the server calls lasting.
 */

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function session(port: number, identity?: string): { session: ClientSession; messages: ServerMessage[] } {
  const s = new ClientSession({ createSocket: (url) => new WebSocket(url) });
  cleanups.push(() => s.disconnect());
  const messages: ServerMessage[] = [];
  s.on('message', (m) => messages.push(m));
  s.connect({ server: '127.0.0.1', port, userName: 'Reader', userColor: '#16a085', gender: 2, ...(identity === undefined ? {} : { identity }) });
  return { session: s, messages };
}

describe('a private dialog through the session', () => {
  it('proves the identity, pages the dialog, and hands the answer on as a message; without an identity it asks for nothing', async () => {
    const server = await startChatServer({ host: '127.0.0.1', port: 0, log: () => {} });
    cleanups.push(() => server.close());
    const peer = await ChatClient.connect(chatUrl(server.port, { userName: 'Peer', identity: newIdentitySecret() }));
    cleanups.push(() => peer.close());
    const secret = newIdentitySecret();
    const first = session(server.port, secret);
    await waitForStatus(first.session, isState('authorized'));
    const self = first.messages.find((m) => m.action === 'Authorized')!;
    expect(self).toMatchObject({ lasting: true });
    peer.say('hello reader', (self as Extract<ServerMessage, { action: 'Authorized' }>).userId);
    await until(() => first.messages.some((m) => m.action === 'PrivateMessage' && m.text === 'hello reader'), 5_000, 'the private line');
    expect(first.session.loadDialog(peer.userId)).toBe(true);
    await until(() => first.messages.some((m) => m.action === 'DialogHistory'), 5_000, 'the DialogHistory');
    const page = first.messages.find((m): m is DialogHistoryMessage => m.action === 'DialogHistory')!;
    expect(page).toMatchObject({ with: peer.userId, hasMore: false });
    expect(page.messages.map((m) => [m.userName, m.text, m.delivery])).toEqual([['Peer', 'hello reader', 'delivered']]);
    expect(() => first.session.loadDialog(0)).toThrow(RangeError);

    const anonymous = session(server.port);
    await waitForStatus(anonymous.session, isState('authorized'));
    expect(anonymous.messages.find((m) => m.action === 'Authorized')).not.toHaveProperty('lasting');
    expect(anonymous.session.loadDialog(peer.userId)).toBe(false);
  });
});
