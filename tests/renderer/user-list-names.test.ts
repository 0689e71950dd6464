import { describe, expect, it } from 'vitest';
import { splitForMiddleEllipsis } from '../../src-renderer/format/middle-ellipsis';
import { fakeBridgeScript, useBrowserAndServer } from '../support/browser';
import { ME, logIn } from './support';
import type { TestUser } from './support';

const fixture = useBrowserAndServer();

const FIRST: TestUser = { userId: 2, userName: 'Александр Константинопольский 1', gender: 1, userColor: '#8e44ad' };
const SECOND: TestUser = { userId: 3, userName: 'Александр Константинопольский 2', gender: 1, userColor: '#27ae60' };

describe('long names in the user list', () => {
  it('cut between graphemes, keeping the last six', () => {
    expect(splitForMiddleEllipsis('Bob')).toEqual({ head: 'Bob', tail: '' });
    expect(splitForMiddleEllipsis('abcdefghijklmnop')).toEqual({ head: 'abcdefghij', tail: 'klmnop' });
    // A family emoji is one grapheme of several code points: never split.
    const family = '👨‍👩‍👧';
    expect(splitForMiddleEllipsis(`${'x'.repeat(10)}${family}yyyyy`).tail).toBe(`${family}yyyyy`);
  });

  it('stay apart in a narrow list: the end of each shows, the whole name is its tooltip', async () => {
    const opened = await fixture.open(`http://127.0.0.1:${fixture.server.port}/`, { initScript: fakeBridgeScript() });
    const page = opened.page;
    await logIn(page, ME, [FIRST, SECOND]);
    for (const user of [FIRST, SECOND]) {
      const option = page.getByRole('option', { name: user.userName });
      const name = option.locator('.name');
      expect(await name.getAttribute('title')).toBe(user.userName);
      // Cut: the name does not fit whole ...
      expect(await name.evaluate((e) => e.scrollWidth > e.clientWidth || (e.querySelector('.head') as HTMLElement).scrollWidth > (e.querySelector('.head') as HTMLElement).clientWidth)).toBe(true);
      // ... yet its last characters are drawn, inside the row.
      const tail = name.locator('.tail');
      expect(await tail.textContent()).toBe(user.userName.slice(-6));
      const [tailBox, rowBox] = [await tail.boundingBox(), await option.boundingBox()];
      expect(tailBox!.width).toBeGreaterThan(0);
      expect(tailBox!.x + tailBox!.width).toBeLessThanOrEqual(rowBox!.x + rowBox!.width);
    }
  });
});
