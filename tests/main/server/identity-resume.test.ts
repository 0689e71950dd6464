import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { newIdentitySecret } from '../../../src-shared/protocol';
import type { ServerMessage } from '../../../src-shared/protocol';
import { startTestServer } from './helpers';
import type { TestServer } from './helpers';

/*
 * With --state-file the sessions outlive a restart and the identities do not (they are
 * kept for the run). A client that resumes its session after a restart proves its
 * identity as at every login: the server must learn it then, or the whole session goes
 * on without private dialogs.
 */

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function start(stateFile: string): Promise<TestServer> {
  return startTestServer({ exemptLoopbackFromIpLimit: false, presenceGraceMs: 0, stateFile });
}

describe('a session resumed after a restart with --state-file', () => {
  it('has its lasting identity again, and pages its dialogs', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'simplechat-resume-'));
    dirs.push(dir);
    const stateFile = join(dir, 'state.json');
    const t1 = await start(stateFile);
    const secret = newIdentitySecret();
    const anna = await t1.join({ userName: 'Anna', identity: secret }, { localAddress: '127.0.0.2' });
    expect(anna.authorized.lasting).toBe(true);
    const token = anna.authorized.sessionToken!;
    await t1.server.close();

    const t2 = await start(stateFile);
    const back = await t2.join({ userName: 'Anna', identity: secret, sessionToken: token }, { localAddress: '127.0.0.2' });
    expect(back.authorized).toMatchObject({ userId: anna.userId, userName: 'Anna', lasting: true });
    const after = back.mark();
    back.send({ action: 'History', with: anna.userId });
    const answer = await back.waitFor((m: ServerMessage) => m.action === 'DialogHistory' || m.action === 'Error', undefined, 'an answer', after);
    expect(answer.action).toBe('DialogHistory');
  });
});
