import { describe, expect, it } from 'vitest';
import { newIdentitySecret } from '../../../src-shared/protocol';
import type { DialogHistoryMessage, PrivateMessage, PublicMessage, ServerMessage } from '../../../src-shared/protocol';
import type { ChatClient } from '../../support/chat-client';
import type { LoginParams } from '../../support/chat-client';
import { startTestServer } from './helpers';
import type { TestServer } from './helpers';

/*
 * A private dialog's line may quote a lobby line. The dialog's lines are stored, so when
 * the quoted line is deleted its words must not live on in the dialog's History, nor in
 * a line that waited for its recipient.
 */

const ALICE = '127.0.0.2';
const BOB = '127.0.0.1';

function start(): Promise<TestServer> {
  return startTestServer({ exemptLoopbackFromIpLimit: false, presenceGraceMs: 0 });
}

function login(t: TestServer, params: LoginParams, from: string): Promise<ChatClient> {
  return t.join(params, { localAddress: from });
}

const isLine = (text: string) => (m: ServerMessage): m is PublicMessage => m.action === 'PublicMessage' && m.text === text;
const isPrivate = (text: string) => (m: ServerMessage): m is PrivateMessage => m.action === 'PrivateMessage' && m.text === text;

async function page(client: ChatClient, withUserId: number): Promise<DialogHistoryMessage> {
  const after = client.mark();
  client.send({ action: 'History', with: withUserId });
  return client.waitFor((m): m is DialogHistoryMessage => m.action === 'DialogHistory' && m.with === withUserId, undefined, 'the DialogHistory', after);
}

describe('a dialog line that quotes a lobby line', () => {
  it('loses the excerpt once the quoted line is deleted: no later DialogHistory shows the deleted text', async () => {
    const t = await start();
    const alice = await login(t, { userName: 'Alice', identity: newIdentitySecret() }, ALICE);
    const bob = await login(t, { userName: 'Bob', identity: newIdentitySecret() }, BOB);
    alice.say('my secret plan');
    const quoted = await alice.waitFor(isLine('my secret plan'));
    bob.send({ action: 'Message', text: 'about that', toUserId: alice.userId, replyTo: quoted.messageId });
    const reply = await alice.waitFor(isPrivate('about that'));
    expect(reply.replyTo).toMatchObject({ messageId: quoted.messageId, excerpt: 'my secret plan' });
    alice.send({ action: 'Delete', messageId: quoted.messageId });
    await bob.waitFor((m) => m.action === 'MessageDeleted' && m.messageId === quoted.messageId);
    for (const [client, peer] of [[alice, bob.userId], [bob, alice.userId]] as const) {
      const history = await page(client, peer);
      expect(history.messages.map((m) => m.text)).toEqual(['about that']);
      expect(history.messages[0]!.replyTo).toEqual({ messageId: quoted.messageId, userName: 'Alice', excerpt: '' });
      expect(JSON.stringify(history)).not.toContain('secret');
    }
  });

  it('that waited for its recipient is delivered without the deleted text', async () => {
    const t = await start();
    const aliceSecret = newIdentitySecret();
    const alice = await login(t, { userName: 'Alice', identity: aliceSecret }, ALICE);
    const bob = await login(t, { userName: 'Bob', identity: newIdentitySecret() }, BOB);
    const carol = await login(t, { userName: 'Carol' }, BOB);
    carol.say('my secret plan');
    const quoted = await bob.waitFor(isLine('my secret plan'));
    const aliceId = alice.userId;
    await alice.close();
    await bob.waitFor((m) => m.action === 'Disconnected' && m.userId === aliceId);
    bob.send({ action: 'Message', text: 'about that', toUserId: aliceId, replyTo: quoted.messageId });
    expect(await bob.waitFor(isPrivate('about that'))).toMatchObject({ delivery: 'waiting', replyTo: { excerpt: 'my secret plan' } });
    carol.send({ action: 'Delete', messageId: quoted.messageId });
    await bob.waitFor((m) => m.action === 'MessageDeleted' && m.messageId === quoted.messageId);
    const alice2 = await login(t, { userName: 'Alice', identity: aliceSecret }, ALICE);
    const delivered = await alice2.waitFor(isPrivate('about that'));
    expect(delivered.replyTo).toEqual({ messageId: quoted.messageId, userName: 'Carol', excerpt: '' });
    expect(alice2.frames.join('')).not.toContain('secret');
  });
});
