import { describe, expect, it } from 'vitest';
import { fakeBridgeScript, useBrowserAndServer } from '../support/browser';
import { ME, emit, logIn, waitForCalls } from './support';

/*
 * The desktop app's downloads as the page shows them (issue 14 §3), with the preload
 * bridge stood in: a progress item per download, then "Show in folder" (never "Open").
 */

const fixture = useBrowserAndServer();

describe('downloads above the input', () => {
  it('shows a download’s progress, then Show in folder; a stopped one says so; × dismisses', async () => {
    const { page } = await fixture.open(`http://127.0.0.1:${fixture.server.port}/`, { initScript: fakeBridgeScript() });
    await logIn(page, ME);
    await emit(page, 'download', { downloadId: 'd1', name: 'photo.jpg', received: 512, total: 2048, state: 'progressing' });
    const bar = page.getByRole('progressbar', { name: 'Downloading photo.jpg' });
    await bar.waitFor();
    expect(await bar.evaluate((p: HTMLProgressElement) => [p.value, p.max])).toEqual([512, 2048]);

    await emit(page, 'download', { downloadId: 'd1', name: 'photo.jpg', received: 2048, total: 2048, state: 'completed' });
    const done = page.getByRole('status').filter({ hasText: 'photo.jpg is saved in Downloads.' });
    await done.waitFor();
    expect(await page.getByRole('button', { name: /open/i }).count()).toBe(0);
    await done.getByRole('button', { name: 'Show in folder' }).click();
    expect((await waitForCalls(page, 'showDownload'))[0]!.args).toEqual(['d1']);

    await emit(page, 'download', { downloadId: 'd2', name: 'movie.mkv', received: 10, total: 0, state: 'interrupted' });
    const stopped = page.getByRole('alert').filter({ hasText: 'The download of movie.mkv stopped.' });
    await stopped.waitFor();
    await stopped.getByRole('button', { name: 'Dismiss' }).click();
    await done.getByRole('button', { name: 'Dismiss' }).click();
    await expect.poll(() => page.locator('upload-list li').count()).toBe(0);
  });
});
