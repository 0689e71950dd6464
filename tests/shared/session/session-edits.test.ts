import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { startChatServer } from '../../../src-main/server';
import type { PublicMessage, ServerMessage } from '../../../src-shared/protocol';
import { ClientSession } from '../../../src-shared/session';
import { isState, until, waitForStatus } from './wait';

/* Editing, deleting and answering a line of one's own, over a real server. */

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe('changing and answering lines', () => {
  it('edits and deletes a line of one’s own, and sends a reply that the server quotes', async () => {
    const server = await startChatServer({ host: '127.0.0.1', port: 0, log: () => {} });
    cleanups.push(() => server.close());
    const session = new ClientSession({ createSocket: (url) => new WebSocket(url) });
    cleanups.push(() => session.disconnect());
    const seen: ServerMessage[] = [];
    session.on('message', (m) => seen.push(m));
    expect(session.changeLine(1, 'too early')).toBe(false);
    session.connect({ server: '127.0.0.1', port: server.port, userName: 'Editor', userColor: '#16a085', gender: 2 });
    await waitForStatus(session, isState('authorized'));
    session.send({ text: 'first try', toUserId: 0 });
    await until(() => seen.some((m) => m.action === 'PublicMessage'), 5_000, 'the echo');
    const line = seen.find((m): m is PublicMessage => m.action === 'PublicMessage')!;
    const id = line.messageId!;

    expect(session.changeLine(id, '   ')).toBe(false);
    expect(session.changeLine(id, ' second <try> ')).toBe(true);
    await until(() => seen.some((m) => m.action === 'MessageEdited'), 5_000, 'the edit');
    expect(seen.find((m) => m.action === 'MessageEdited')).toMatchObject({ messageId: id, text: 'second &lt;try&gt;' });

    session.send({ text: 'and a reply', toUserId: 0, replyTo: id });
    await until(() => seen.some((m) => m.action === 'PublicMessage' && m.text === 'and a reply'), 5_000, 'the reply');
    const reply = seen.find((m): m is PublicMessage => m.action === 'PublicMessage' && m.text === 'and a reply')!;
    expect(reply.replyTo).toMatchObject({ messageId: id, userName: 'Editor' });
    expect(session.outbox).toEqual([]);

    expect(session.changeLine(id, null)).toBe(true);
    await until(() => seen.some((m) => m.action === 'MessageDeleted'), 5_000, 'the deletion');
    expect(seen.find((m) => m.action === 'MessageDeleted')).toEqual({ action: 'MessageDeleted', messageId: id });
    expect(() => session.changeLine(0, 'x')).toThrow(RangeError);
  });
});
