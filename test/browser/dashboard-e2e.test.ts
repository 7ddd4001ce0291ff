/**
 * The dashboard against the real local runtime: plays posted over HTTP, written to the lake,
 * charted by the real job, served by charts-api, and read off the page in Chromium.
 */
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readLakeRows } from '../../devkit/lake.ts';
import { postPlays } from '../../devkit/post-plays.ts';
import { waitFor } from '../../devkit/wait-for.ts';
import { writeCatalog } from '../../local/catalog.ts';
import { invokeFunction } from '../../local/functions.ts';
import { runtimeInBrowser } from '../support/browser-runtime.ts';

const HOUR = 3_600_000;
const songs = [
  { song_id: 'song-000010', title: 'Glass Harbour', artist: 'Northern Lines', genre: 'indie', plays: 6 },
  { song_id: 'song-000020', title: 'Paper Suns', artist: 'Vela', genre: 'pop', plays: 4 },
  // Not in the catalog: counted, shown by its id.
  { song_id: 'song-000030', title: null, artist: null, genre: 'rock', plays: 2 },
];

describe('dashboard end to end', () => {
  const suite = runtimeInBrowser('dashboard');

  // Up to a minute of it may be spent waiting for the next hour.
  it("shows the chart computed from the plays that were sent, and each genre's chart", {
    timeout: 150_000,
  }, async () => {
    const { runtime, browser, dataDir } = suite;
    await writeCatalog(
      runtime.dependencies.lake(),
      songs.flatMap(({ song_id, title, artist, genre }) =>
        title && artist ? [{ song_id, title, artist, genre }] : [],
      ),
    );
    await invokeFunction('catalog-sync', {});
    // The plays and the chart job must fall in one hour (the dashboard shows it provisional): close to the
    // hour's end, wait for the next one to begin.
    await waitFor(
      'an hour with a minute to spare',
      async () => (Date.now() % HOUR < HOUR - 60_000 && Date.now() % HOUR > 1000 ? true : undefined),
      120_000,
      1000,
    );
    const playedAt = new Date(Date.now() - 1000).toISOString();
    const events = songs.flatMap((song) =>
      Array.from({ length: song.plays }, (_, index) => ({
        event_id: randomUUID(),
        user_id: `listener-${index}`,
        song_id: song.song_id,
        region: 'us',
        played_at: playedAt,
        ms_played: 31_000,
      })),
    );
    const response = await postPlays(runtime, { events });
    expect(response.status).toBe(202);
    await waitFor('the plays to reach the lake', async () =>
      (await readLakeRows(join(dataDir, 'lake'))).length === events.length ? true : undefined,
    );
    await invokeFunction('chart-hourly', {});

    const page = await browser.newPage();
    await page.goto(`${runtime.url}/?region=us&period=hour`);
    // The open hour's panel: in an hour's first minutes the hour that just closed is shown above it.
    const live = page.locator('[data-testid="chart-panel"][data-kind="live"]');
    const rows = live.getByTestId('chart-row');
    await expect.poll(() => rows.count(), { timeout: 15_000 }).toBe(songs.length);
    const column = (testId: string) => live.getByTestId(testId).allTextContents();
    expect(await column('row-plays')).toEqual(songs.map((song) => String(song.plays)));
    const titles = await column('row-title');
    for (const [index, song] of songs.entries()) expect(titles[index]).toContain(song.title ?? song.song_id);
    expect((await column('row-artist')).slice(0, 2)).toEqual(songs.slice(0, 2).map((song) => song.artist));
    await expect.poll(() => live.getByTestId('chart-status').textContent()).toMatch(/provisional/i);

    // A genre's chart counts the plays of the catalog's songs of that genre only: song-000030 is not in the
    // catalog, so it has no genre and its rock plays chart in no genre.
    const genreSelect = page.getByTestId('genre-select');
    for (const genre of ['indie', 'pop']) {
      const expected = songs.filter((song) => song.title !== null && song.genre === genre);
      await genreSelect.selectOption(genre);
      await expect.poll(() => new URL(page.url()).searchParams.get('genre')).toBe(genre);
      await expect
        .poll(() => column('row-plays'), { timeout: 15_000 })
        .toEqual(expected.map((song) => String(song.plays)));
      expect(await column('row-title')).toEqual(
        expected.map((song) => expect.stringContaining(song.title ?? '')),
      );
    }
    await genreSelect.selectOption('rock');
    await expect.poll(() => live.getByTestId('chart-no-entries').count(), { timeout: 15_000 }).toBe(1);
    await genreSelect.selectOption('all');
    await expect.poll(() => new URL(page.url()).searchParams.has('genre')).toBe(false);
    await expect.poll(() => rows.count(), { timeout: 15_000 }).toBe(songs.length);
  });
});
