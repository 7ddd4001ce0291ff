/**
 * The Pipeline view against the real local runtime: plays (some invalid, some resent, some short) posted over
 * HTTP, written to the lake, charted by the real job, counted at every hop and shown as a flow in Chromium;
 * then a play arrives after the chart ran, and the hops that no longer reconcile turn red.
 */
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { embeddedCommittedOffsets } from '../../devkit/embedded-transport.ts';
import { recentPlay } from '../../devkit/play-batches.ts';
import { postPlays } from '../../devkit/post-plays.ts';
import { waitFor } from '../../devkit/wait-for.ts';
import { invokeFunction } from '../../local/functions.ts';
import { windowContaining } from '../../src/domain/charts.ts';
import { isLiveWindow } from '../../src/domain/live-chart.ts';
import { runtimeInBrowser } from '../support/browser-runtime.ts';
import { settledLakeRows } from '../support/exact-pipeline.ts';

const HOUR = 3_600_000;

describe('the Pipeline view', () => {
  const suite = runtimeInBrowser('pipeline-view', { REGIONS: 'us,gb' });
  const hour = new Date(Math.floor(Date.now() / HOUR) * HOUR - 2 * HOUR);
  const at = (minute: number) => new Date(hour.getTime() + minute * 60_000).toISOString();

  const count = (page: Page, hop: string) =>
    page.getByTestId(`hop-${hop}`).locator('.hop__count').textContent();

  it('shows every hop of the hour, reconciled, then red where a late play is not in the lake counts yet', {
    timeout: 120_000,
  }, async () => {
    const { runtime, browser, dataDir } = suite;
    // us: 5 counted plays, 2 short ones, one of the counted ones sent twice; gb: 3 counted; 2 invalid events.
    const us = Array.from({ length: 7 }, (_, n) =>
      recentPlay({ region: 'us', played_at: at(n + 1), ms_played: n < 5 ? 60_000 : 10_000 }),
    );
    const gb = Array.from({ length: 3 }, (_, n) => recentPlay({ region: 'gb', played_at: at(20 + n) }));
    const invalid = [
      recentPlay({ played_at: at(30), ms_played: -1 }),
      recentPlay({ played_at: at(31), region: 'zz' }),
    ];
    expect((await postPlays(runtime, { events: [...us, ...gb, ...invalid] })).status).toBe(202);
    expect((await postPlays(runtime, { events: [us[0]] })).status).toBe(202);
    const lakeDir = join(dataDir, 'lake');
    await settledLakeRows(lakeDir, 11, () => embeddedCommittedOffsets(dataDir), 30_000);
    await invokeFunction('chart-hourly', { window_start: hour.toISOString() });

    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    // Reached from the navigation, keeping the window of the charts.
    await page.goto(`${runtime.url}/?region=us&period=hour&start=${hour.toISOString()}`);
    await page.getByTestId('nav-pipeline').click();
    await page.getByTestId('pipeline-flow').waitFor();
    expect(new URL(page.url()).searchParams.get('view')).toBe('pipeline');
    expect(await page.getByTestId('pipeline-window').textContent()).toContain(
      hour.toISOString().slice(11, 16),
    );

    // us: 8 deliveries (one resent), all in the lake; 1 duplicate, 2 short, 5 charted; 1 rejected (ms_played).
    expect(await count(page, 'accepted')).toBe('8');
    expect(await count(page, 'in_lake')).toBe('8');
    expect(await count(page, 'dead_letters')).toBe('0');
    expect(await count(page, 'duplicates')).toBe('1');
    expect(await count(page, 'short_plays')).toBe('2');
    expect(await count(page, 'charted')).toBe('5');
    expect(await count(page, 'rejected-at-ingest')).toBe('1');
    expect(await page.getByTestId('equation-failing').count()).toBe(0);
    expect(await page.getByTestId('equation-holding').count()).toBe(2);
    expect(await page.locator('[data-failing="true"]').count()).toBe(0);
    // Global: both invalid events (one names no region), all 11 deliveries.
    await page.getByTestId('pipeline-region-global').getByRole('button').click();
    await page.waitForURL((address) => address.searchParams.get('region') === 'global');
    expect(await count(page, 'accepted')).toBe('11');
    expect(await count(page, 'rejected-at-ingest')).toBe('2');
    // The hour is final, but its day may still be live (not past midnight plus the grace): then the live chart
    // tallied the plays into the day, and its newest play is the lag.
    const dayLive = isLiveWindow(windowContaining('day', hour), new Date());
    expect(await page.getByTestId('lag-live').textContent()).toMatch(dayLive ? / ago$/ : /^none yet$/);

    // A late play: accepted now, not in the chart run's lake counts until the hour is charted again.
    expect(
      (await postPlays(runtime, { events: [recentPlay({ region: 'us', played_at: at(50) })] })).status,
    ).toBe(202);
    // No reload: the view refreshes by itself, every refreshSeconds (30 s by default).
    await waitFor(
      'the late play on the page',
      async () => ((await count(page, 'accepted')) === '12' ? true : undefined),
      60_000,
      250,
    );
    expect(await page.getByTestId('equation-failing').textContent()).toContain(
      'accepted = in_lake + dead_letters',
    );
    expect(await page.getByTestId('equation-failing').textContent()).toContain('12 ≠ 11');
    for (const hop of ['accepted', 'in_lake', 'dead_letters']) {
      expect(await page.getByTestId(`hop-${hop}`).getAttribute('data-failing'), hop).toBe('true');
    }
    expect(await page.getByTestId('hop-charted').getAttribute('data-failing')).toBe('false');
    const failingRow = page.getByTestId('pipeline-region-us');
    expect(await failingRow.getAttribute('class')).toContain('failing');
    expect(await page.getByTestId('pipeline-region-gb').getAttribute('class')).toBeNull();
    await page.close();
  });
});
