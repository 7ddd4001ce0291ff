/**
 * The live chart on the dashboard, against the real local runtime with no chart job running at all: plays posted
 * over HTTP reach the open hour's chart through the live-chart function only, and the page shows more plays as
 * they arrive, without a reload, saying how fresh the chart is.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { postPlays } from '../../devkit/post-plays.ts';
import { waitFor } from '../../devkit/wait-for.ts';
import { type ChartWindow, windowContaining } from '../../src/domain/charts.ts';
import { runtimeInBrowser } from '../support/browser-runtime.ts';
import { getChart } from '../support/live-chart-story.ts';

const HOUR = 3_600_000;

describe('the live chart on the dashboard', () => {
  // No chart job (the runtime runs no schedules): whatever chart the page shows comes from the live tallies.
  const suite = runtimeInBrowser('live-dashboard', { REGIONS: 'us,gb' });

  const plays = (song_id: string, count: number, ms_played = 40_000) =>
    Array.from({ length: count }, (_, index) => ({
      event_id: randomUUID(),
      user_id: `listener-${index}`,
      song_id,
      region: 'us',
      played_at: new Date(Date.now() - 1000).toISOString(),
      ms_played,
    }));

  /**
   * Waits until the API serves the open hour's live chart with these plays per entry. How long the pipeline
   * takes depends on the machine's load (a CI run is busy); what the page must do, show it without a reload,
   * is then checked with a short bound of its own.
   */
  const servedLive = (url: string, hour: ChartWindow, plays: string[]) =>
    waitFor(
      `the live chart to serve plays ${plays.join(', ')}`,
      async () => {
        const chart = await getChart(url, 'us', hour);
        const served = chart.entries.map((entry) => String(entry.plays));
        return chart.source === 'live' && served.join() === plays.join() ? true : undefined;
      },
      90_000,
      200,
    );

  it('shows plays in the open hour’s chart as they arrive, without a reload, with its freshness', {
    timeout: 330_000,
  }, async () => {
    const { runtime, browser } = suite;
    // Plays and page in one hour: close to the hour's end, wait for the next one to begin.
    await waitFor(
      'an hour with a minute to spare',
      async () => (Date.now() % HOUR < HOUR - 60_000 && Date.now() % HOUR > 1000 ? true : undefined),
      120_000,
      1000,
    );
    const hour = windowContaining('hour', new Date());
    expect((await postPlays(runtime, { events: plays('song-000010', 3) })).status).toBe(202);
    await servedLive(runtime.url, hour, ['3']);

    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(`${runtime.url}/?region=us&period=hour`);
    const panel = page.locator('[data-testid="chart-panel"][data-kind="live"]');
    const column = (testId: string) => panel.getByTestId(testId).allTextContents();
    await expect.poll(() => column('row-plays'), { timeout: 15_000 }).toEqual(['3']);
    expect(await panel.getByTestId('chart-source').getAttribute('data-source')).toBe('live');
    // Marks this very document: a reload would lose it.
    await page.evaluate("window.liveMarker = 'same page'");

    // More plays, a short one and a resent one among them: counted as the final chart will count them.
    const newer = plays('song-000020', 5);
    const resent = { ...newer[0]! };
    const short = plays('song-000020', 1, 29_999);
    expect((await postPlays(runtime, { events: [...newer, resent, ...short] })).status).toBe(202);
    await servedLive(runtime.url, hour, ['5', '3']);
    await expect.poll(() => column('row-plays'), { timeout: 15_000 }).toEqual(['5', '3']);
    expect(await panel.getByTestId('chart-eligible-plays').textContent()).toBe('8');
    expect(await page.evaluate('window.liveMarker')).toBe('same page');

    // Its freshness, counting up from the live tallies' as-of.
    const freshness = panel.getByTestId('chart-freshness');
    expect(await freshness.textContent()).toMatch(/^updated (just now|\d+ s ago)$/);
    const asOf = Date.parse((await freshness.getAttribute('data-as-of')) ?? '');
    expect(Date.now() - asOf).toBeLessThan(60_000);
    await page.close();
  });
});
