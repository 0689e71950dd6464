import { describe, expect, it } from 'vitest';
import { nameKeys, skeleton } from '../../../src-main/server/name-skeleton';

const clash = (a: string, b: string): boolean => nameKeys(a).some((key) => nameKeys(b).includes(key));

describe('skeleton (Unicode TR39)', () => {
  it('maps look-alikes of other scripts to one prototype', () => {
    expect(skeleton('\u0410dmin')).toBe(skeleton('Admin'));
    expect(skeleton('Adm\u0456n')).toBe(skeleton('Admin'));
    expect(skeleton('p\u0430yp\u0430l')).toBe(skeleton('paypal'));
    expect(skeleton('0scar')).toBe(skeleton('Oscar'));
    expect(skeleton('rnary')).toBe(skeleton('mary'));
  });

  it('drops default-ignorables: fillers, zero widths, joiners, variation selectors, tags, bidi controls', () => {
    expect(skeleton('Ad\u200Bmin\u3164\u115F\u1160\uFFA0\u00AD\uFE0F\u{E0041}\u202E\u2066\u061C')).toBe(skeleton('Admin'));
  });

  it('leaves different names different', () => {
    expect(skeleton('Admin')).not.toBe(skeleton('Adrian'));
    expect(skeleton('Аня')).not.toBe(skeleton('Аля'));
  });

  it('is idempotent', () => {
    for (const name of ['Admin', '\u0410dmin', 'Jürgen', 'Аня', '李小龙', 'مرحبا', 'AIice']) {
      expect(skeleton(skeleton(name))).toBe(skeleton(name));
    }
  });
});

describe('nameKeys', () => {
  it('makes look-alikes clash, case-insensitively', () => {
    for (const lookAlike of ['admin', 'ADMIN', '\u0410dmin', 'Adm\u0456n', '\u0430dm\u0456n', 'Admin\u3164', 'Αdmin']) {
      expect(clash('Admin', lookAlike), lookAlike).toBe(true);
    }
    expect(clash('Alice', 'AIice')).toBe(true);
    expect(clash('Аня', 'АНЯ')).toBe(true);
    expect(clash('Mary', '\u039Cary')).toBe(true);
  });

  it('keeps names apart that a reader tells apart', () => {
    for (const [a, b] of [['Admin', 'Adrian'], ['Anna', 'Anne'], ['Bob', 'Rob'], ['Jürgen', 'Jurgen'], ['Аня', 'Аля']] as const) {
      expect(clash(a, b), `${a} / ${b}`).toBe(false);
    }
  });
});
