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

  const plays = (song_id: string, count: number, ms_played = 40_000, agoMs = 1000) =>
    Array.from({ length: count }, (_, index) => ({
      event_id: randomUUID(),
      user_id: `listener-${index}`,
      song_id,
      region: 'us',
      played_at: new Date(Date.now() - agoMs).toISOString(),
      ms_played,
    }));

  /** Waits until the open hour has `elapsedMs` behind it and a minute ahead: plays and page stay in one hour. */
  const hourWithRoom = (elapsedMs: number) =>
    waitFor(
      `an hour ${elapsedMs / 1000} s in, with a minute to spare`,
      async () => (Date.now() % HOUR < HOUR - 60_000 && Date.now() % HOUR > elapsedMs ? true : undefined),
      300_000,
      1000,
    );

  /**
   * Waits until the API serves the open hour's live chart with these plays per entry. How long the pipeline
   * takes depends on the machine's load (a CI run is busy); what the page must do, show it without a reload,
   * is then checked with a short bound of its own.
   */
  const servedLive = (url: string, hour: ChartWindow, plays: string[], region = 'us') =>
    waitFor(
      `the live chart to serve plays ${plays.join(', ')}`,
      async () => {
        const chart = await getChart(url, region, hour);
        const served = chart.entries.map((entry) => String(entry.plays));
        return chart.source === 'live' && served.join() === plays.join() ? true : undefined;
      },
      90_000,
      200,
    );

  // First, in its own region: the open hour's plays are all old ones (a backlog the live-chart function works
  // through); the test after it adds recent plays to the same hour.
  it('says how far behind the plays a live chart is when it counts only plays from minutes ago', {
    timeout: 330_000,
  }, async () => {
    const { runtime, browser } = suite;
    const agoMs = 150_000;
    await hourWithRoom(agoMs + 5000);
    const hour = windowContaining('hour', new Date());
    const backlog = plays('song-000030', 2, 40_000, agoMs).map((play) => ({ ...play, region: 'gb' }));
    expect((await postPlays(runtime, { events: backlog })).status).toBe(202);
    await servedLive(runtime.url, hour, ['2'], 'gb');
    const served = await getChart(runtime.url, 'gb', hour);
    expect(served.newest_play_at).toBe(backlog[0]!.played_at);
    // How far behind, as the page words it (seconds under 120, whole minutes above), from the as-of it shows.
    const behindText = (asOf: string) => {
      const seconds = (Date.parse(asOf) - Date.parse(backlog[0]!.played_at)) / 1000;
      return `${seconds < 120 ? `${Math.round(seconds)} s` : `${Math.round(seconds / 60)} min`} behind the plays`;
    };

    for (const width of [1280, 390]) {
      const page = await browser.newPage({ viewport: { width, height: 900 } });
      await page.goto(`${runtime.url}/?region=gb&period=hour`);
      const panel = page.locator('[data-testid="chart-panel"][data-kind="live"]');
      await expect
        .poll(() => panel.getByTestId('row-plays').allTextContents(), { timeout: 15_000 })
        .toEqual(['2']);
      const asOf = (await panel.getByTestId('chart-freshness').getAttribute('data-as-of')) ?? '';
      expect(await panel.getByTestId('chart-behind').textContent()).toBe(behindText(asOf));
      expect(await panel.getByTestId('chart-behind').isVisible()).toBe(true);
      await page.close();
    }
  });

  it('shows plays in the open hour’s chart as they arrive, without a reload, with its freshness', {
    timeout: 330_000,
  }, async () => {
    const { runtime, browser } = suite;
    await hourWithRoom(1000);
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
    // Its newest play is seconds old: not behind.
    expect(await panel.getByTestId('chart-behind').count()).toBe(0);
    await page.close();
  });
});
