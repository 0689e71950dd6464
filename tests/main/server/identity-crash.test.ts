import { describe, expect, it } from 'vitest';
import { newIdentitySecret } from '../../../src-shared/protocol';
import type { ServerMessage } from '../../../src-shared/protocol';
import { startTestServer } from './helpers';

/*
 * An app with a lasting identity that crashed (its connection dropped, no close frame)
 * and was started again at once has no session token: it logs in afresh, proving its
 * identity. Its dropped session, still shown for the presence grace, is its own: the new
 * login ends it, and gets its own name and id, with no ghost of it in anyone's list.
 */

const WATCHER = { localAddress: '127.0.0.2' };
const SUBJECT = { localAddress: '127.0.0.1' };

describe('an identity whose app crashed and logged in again at once (no token)', () => {
  it('gets its own name and id back; the others see it leave and come back, no ghost stays', async () => {
    const t = await startTestServer({ exemptLoopbackFromIpLimit: false, presenceGraceMs: 60_000 });
    const secret = newIdentitySecret();
    const watcher = await t.join('watcher', WATCHER);
    const anna = await t.join({ userName: 'Anna', identity: secret }, SUBJECT);
    await watcher.waitFor((m) => m.action === 'Connected' && m.userId === anna.userId);
    const mark = watcher.mark();
    anna.terminate();
    const again = await t.join({ userName: 'Anna', identity: secret }, SUBJECT);
    expect(again.authorized).toMatchObject({ userId: anna.userId, userName: 'Anna' });
    const users = (again.authorized.users as Array<{ userName: string }>).map((u) => u.userName);
    expect(users).toEqual(['watcher', 'Anna']);
    await watcher.waitFor((m) => m.action === 'Connected' && m.userId === anna.userId, undefined, 'Connected again', mark);
    const presence = watcher.messages.slice(mark).filter((m: ServerMessage) => 'userId' in m && m.userId === anna.userId);
    expect(presence.map((m) => m.action)).toEqual(['ConnectionLost', 'Connected']);
  });
});
