import { describe, expect, it } from 'vitest';
import { startTestServer } from './helpers';

// Two loopback addresses stand in for two hosts: the victim on 127.0.0.2, the attacker on 127.0.0.1.
const VICTIM = { localAddress: '127.0.0.2' };
const ATTACKER = { localAddress: '127.0.0.1' };
const NO_EXEMPTION = { exemptLoopbackFromIpLimit: false };

describe('look-alike and invisible names (issue 18, hole 7)', () => {
  it('a look-alike of a present name gets (2): Cyrillic А, Ukrainian і, a Hangul filler, capital I for l', async () => {
    const t = await startTestServer(NO_EXEMPTION);
    const admin = await t.join('Admin', VICTIM);
    const alice = await t.join('Alice', VICTIM);
    const cyrillic = await t.join('\u0410dmin', ATTACKER);
    const ukrainian = await t.join('Adm\u0456n', ATTACKER);
    const filler = await t.join('Admin\u3164', ATTACKER);
    const capitalI = await t.join('AIice', ATTACKER);
    expect([admin.userName, alice.userName]).toEqual(['Admin', 'Alice']);
    expect([cyrillic.userName, ukrainian.userName, filler.userName, capitalI.userName]).toEqual([
      '\u0410dmin (2)',
      'Adm\u0456n (3)',
      'Admin (4)',
      'AIice (2)',
    ]);
    // The victim is told the suffixed names, not a second `Admin`.
    await admin.waitFor((m) => m.action === 'Connected' && m.userName === 'AIice (2)');
    const joined = admin.all('Connected').map((m) => m.userName);
    expect(joined).toEqual(['Admin', 'Alice', '\u0410dmin (2)', 'Adm\u0456n (3)', 'Admin (4)', 'AIice (2)']);
  });

  it('a name of only invisible, filler or bidi characters gets the default name; bidi controls are removed from names', async () => {
    const t = await startTestServer({ ...NO_EXEMPTION, defaultUserName: 'Guest' });
    const blanks = [
      '\u3164\u3164\u3164',
      '\u115F\u1160 \uFFA0',
      '\u2800\u2800',
      '\u200B\u200C\u200D\u2060\uFEFF\u00AD',
      '\uFE0F\u{E0041}\u{E0064}\u034F',
      '\u202E\u2066\u200F\u061C',
    ];
    const names: string[] = [];
    for (const blank of blanks) names.push((await t.join(blank, ATTACKER)).userName);
    expect(names).toEqual(['Guest', 'Guest (2)', 'Guest (3)', 'Guest (4)', 'Guest (5)', 'Guest (6)']);
    const flipped = await t.join('\u202Egpj\u202C.exe\u2066x\u2069\u200E\u200F\u061C\u3164', ATTACKER);
    expect(flipped.userName).toBe('gpjexex');
  });
});
