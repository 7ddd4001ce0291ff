/**
 * Drives the built dashboard (frontend/dist) in headless Chromium against a fake charts API
 * served from the same origin (test/support/fake-charts-api.ts), and checks what a user sees and what the
 * dashboard asks for.
 */
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { buildDashboardIfMissing, launchChromium } from '../../devkit/browser.ts';
import { api, gbHour, globalHour, startFakeChartsApi } from '../support/fake-charts-api.ts';

// ---------------------------------------------------------------------------------------------
// Harness

const WAIT = { timeout: 10_000, interval: 50 };

let fakeApi: Awaited<ReturnType<typeof startFakeChartsApi>>;
let baseUrl: string;
let browser: Browser;
let context: BrowserContext;
let page: Page;

beforeAll(async () => {
  buildDashboardIfMissing();
  fakeApi = await startFakeChartsApi();
  baseUrl = fakeApi.baseUrl;
  browser = await launchChromium();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await fakeApi?.close();
});

const pageErrors: string[] = [];

beforeEach(async () => {
  api.reset();
  pageErrors.length = 0;
  context = await browser.newContext({ locale: 'en-GB', timezoneId: 'UTC' });
  page = await context.newPage();
  page.setDefaultTimeout(10_000);
  page.on('pageerror', (error) => pageErrors.push(error.message));
});

afterEach(async () => {
  await context?.close();
  expect(pageErrors, 'uncaught errors in the page').toEqual([]);
});

/** The rendered (visible) text of an element: Playwright's `Locator.innerText`, not the DOM property. */
// biome-ignore lint/performance/useDomNodeTextContent: this is Playwright's Locator API
const text = (locator: Locator) => locator.innerText();
const rows = () => page.getByTestId('chart-row');
const column = (testId: string) => page.getByTestId('chart-row').getByTestId(testId).allInnerTexts();
const searchParams = () => Object.fromEntries(new URL(page.url()).searchParams);

// ---------------------------------------------------------------------------------------------

describe('dashboard (built frontend in Chromium, fake API)', { timeout: 60_000 }, () => {
  it('renders the served global hourly chart: rows, fallbacks, status, window, totals', async () => {
    await page.goto(baseUrl);

    await expect
      .poll(() => column('row-title'), WAIT)
      .toEqual(['Midnight Drive', 'song-00007', 'Ocean Eyes']);
    expect(await column('row-rank')).toEqual(['1', '2', '3']);
    expect(await column('row-artist')).toEqual(['The Lanterns', 'Unknown', 'Blue Harbour']);
    expect(await column('row-plays')).toEqual(['1,530', '990', '412']);
    // Chart semantics, as public charts show them: movement, last position, peak, hours on chart.
    // Each movement: what is shown, then what a screen reader says (a visually hidden line).
    expect(await column('row-movement')).toEqual([
      '▲ 2\nUp 2: #3 the hour before',
      'NEW\nNew: first hour in this top 10',
      'RE-ENTRY\nRe-entry: back in this top 10, absent the hour before',
    ]);
    expect(await column('row-previous')).toEqual(['3', '–', '–']);
    expect(await column('row-peak')).toEqual(['1', '2', '2']);
    expect(await column('row-periods')).toEqual(['5', '1', '4']);
    // Unknown title: the song id stands in, styled as muted.
    expect(await rows().nth(1).getByTestId('row-title').getAttribute('class')).toContain('muted');
    expect(await rows().nth(0).getByTestId('row-title').getAttribute('class')).toBeNull();

    expect(await text(page.getByTestId('chart-status'))).toBe('Live · provisional');
    expect(await text(page.getByTestId('chart-window'))).toBe('27 Nov 2026, 13:00–14:00 UTC');
    expect(await text(page.getByTestId('chart-eligible-plays'))).toBe('1,234');
    expect(await text(page.locator('table caption'))).toContain('27 Nov 2026, 13:00–14:00 UTC');
    await expect.poll(() => text(page.getByTestId('last-updated')), WAIT).toMatch(/^Updated \d\d:\d\d:\d\d$/);

    const canvasLabel = await page.locator('canvas').getAttribute('aria-label');
    expect(canvasLabel).toContain('1. Midnight Drive — The Lanterns: 1,530 plays');
    expect(canvasLabel).toContain('2. song-00007: 990 plays');

    const select = page.getByTestId('region-select');
    await expect
      .poll(() => select.locator('option').allInnerTexts(), WAIT)
      .toEqual(['Global', 'us — United States', 'gb — United Kingdom', 'de — Germany']);
    expect(await select.inputValue()).toBe('global');
    expect(await page.getByLabel('Region').getAttribute('data-testid')).toBe('region-select');
    expect(await page.getByTestId('period-hour').getAttribute('aria-pressed')).toBe('true');
    expect(await page.getByTestId('period-day').getAttribute('aria-pressed')).toBe('false');

    expect(api.latestRequests()).toEqual([{ region: 'global', period: 'hour' }]);
    expect(await page.getByTestId('chart-error').count()).toBe(0);
  });

  it('switching period and region requests those params, re-renders and updates the URL', async () => {
    await page.goto(baseUrl);
    await expect
      .poll(() => column('row-title'), WAIT)
      .toEqual(['Midnight Drive', 'song-00007', 'Ocean Eyes']);

    await page.getByTestId('period-day').click();
    await expect.poll(() => api.requestsFor('global', 'day'), WAIT).toBe(1);
    await expect.poll(() => column('row-title'), WAIT).toEqual(['Long Day', 'Midnight Drive']);
    expect(await column('row-plays')).toEqual(['20,100', '18,000']);
    expect(await text(page.getByTestId('chart-status'))).toBe('Final');
    expect(await text(page.getByTestId('chart-window'))).toBe('26 Nov 2026 (UTC)');
    expect(await page.getByTestId('period-day').getAttribute('aria-pressed')).toBe('true');
    expect(searchParams()).toEqual({ region: 'global', period: 'day' });

    // gb has no daily chart yet: a friendly empty state, not an error.
    await page.getByTestId('region-select').selectOption('gb');
    await expect.poll(() => api.requestsFor('gb', 'day'), WAIT).toBe(1);
    await page.getByTestId('chart-empty').waitFor();
    expect(await text(page.getByTestId('chart-empty'))).toContain(
      'No chart yet — plays are being collected; charts appear within a minute',
    );
    expect(await rows().count()).toBe(0);
    expect(await page.getByTestId('chart-error').count()).toBe(0);
    expect(searchParams()).toEqual({ region: 'gb', period: 'day' });

    await page.getByTestId('region-select').selectOption('us');
    await page.getByTestId('period-hour').click();
    await expect.poll(() => api.requestsFor('us', 'hour'), WAIT).toBe(1);
    await expect.poll(() => column('row-title'), WAIT).toEqual(['Route 66']);
    expect(await text(page.getByTestId('chart-status'))).toBe('Live · provisional');
    expect(await text(page.getByTestId('chart-eligible-plays'))).toBe('77');
    expect(searchParams()).toEqual({ region: 'us', period: 'hour' });

    // History entries follow the selection.
    await page.goBack();
    await expect.poll(() => column('row-title'), WAIT).toEqual(['Liberty', 'Prairie']);
    expect(searchParams()).toEqual({ region: 'us', period: 'day' });
    expect(await page.getByTestId('region-select').inputValue()).toBe('us');
  });

  it('a link with ?region=&period= reproduces the view', async () => {
    await page.goto(`${baseUrl}/?region=us&period=day`);

    await expect.poll(() => column('row-title'), WAIT).toEqual(['Liberty', 'Prairie']);
    expect(await column('row-artist')).toEqual(['Bell Tower', 'Unknown']);
    expect(api.latestRequests()).toEqual([{ region: 'us', period: 'day' }]);
    await expect.poll(() => page.getByTestId('region-select').inputValue(), WAIT).toBe('us');
    expect(await page.getByTestId('period-day').getAttribute('aria-pressed')).toBe('true');
    expect(await text(page.getByTestId('chart-window'))).toBe('26 Nov 2026 (UTC)');
  });

  it('shows the empty state on 404, then the chart once the next poll finds one', async () => {
    await page.clock.install({ time: new Date('2026-11-27T13:21:34.000Z') });
    await page.goto(`${baseUrl}/?region=gb&period=hour`);
    await page.getByTestId('chart-empty').waitFor();
    expect(api.requestsFor('gb', 'hour')).toBe(1);

    api.charts.set('gb|hour', { status: 200, body: gbHour });
    await page.clock.fastForward(30_000); // VITE_REFRESH_SECONDS defaults to 30
    await expect.poll(() => api.requestsFor('gb', 'hour'), WAIT).toBe(2);
    await expect.poll(() => column('row-title'), WAIT).toEqual(['Drizzle']);
    expect(await page.getByTestId('chart-empty').count()).toBe(0);
    // generated_at 13:21:04, fetched with the page clock at about 13:22:04.
    expect(await text(page.getByTestId('chart-freshness'))).toBe('1 minute ago');
  });

  it('keeps the last good chart visible under an error banner when the network fails', async () => {
    await page.goto(baseUrl);
    await expect
      .poll(() => column('row-title'), WAIT)
      .toEqual(['Midnight Drive', 'song-00007', 'Ocean Eyes']);

    api.charts.set('global|hour', 'network-error');
    await page.getByTestId('refresh').click();
    await page.getByTestId('chart-error').waitFor();
    expect(await text(page.getByTestId('chart-error'))).toContain('Can’t reach the charts API');
    expect(await text(page.getByTestId('chart-error'))).toContain('Showing the last chart received');
    expect(await column('row-title')).toEqual(['Midnight Drive', 'song-00007', 'Ocean Eyes']);
    expect(await text(page.getByTestId('chart-status'))).toBe('Live · provisional');
    // Chromium may retry a GET whose connection was reset, so the failed refresh is one or more requests.
    expect(api.requestsFor('global', 'hour')).toBeGreaterThanOrEqual(2);

    api.charts.set('global|hour', {
      status: 200,
      body: { ...globalHour, status: 'final', eligible_plays: 1300 },
    });
    await page.getByTestId('refresh').click();
    await page.getByTestId('chart-error').waitFor({ state: 'detached' });
    await expect.poll(() => text(page.getByTestId('chart-status')), WAIT).toBe('Final');
    expect(await text(page.getByTestId('chart-eligible-plays'))).toBe('1,300');
  });

  it('says Closing in the grace after a window ends, and marks a restated chart with the time of its restatement', async () => {
    await page.clock.install({ time: new Date('2026-11-27T14:03:00.000Z') });
    api.charts.set('global|hour', {
      status: 200,
      body: { ...globalHour, status: 'closing', generated_at: '2026-11-27T14:02:40.000Z' },
    });
    await page.goto(baseUrl);
    await expect.poll(() => text(page.getByTestId('chart-status')), WAIT).toBe('Closing');
    expect(await page.getByTestId('chart-restated').count()).toBe(0);

    api.charts.set('global|hour', {
      status: 200,
      body: {
        ...globalHour,
        status: 'final',
        version: 2,
        generated_at: '2026-11-27T16:41:05.000Z',
        restated_at: '2026-11-27T16:41:05.000Z',
      },
    });
    await page.getByTestId('refresh').click();
    await expect.poll(() => text(page.getByTestId('chart-status')), WAIT).toBe('Final');
    expect(await text(page.getByTestId('chart-restated'))).toBe('Restated 16:41 UTC');
    expect(await page.getByTestId('chart-restated').getAttribute('title')).toContain('version 2');
  });

  it("shows the API's message on 400", async () => {
    await page.goto(`${baseUrl}/?region=zz&period=hour`);

    await page.getByTestId('chart-error').waitFor();
    expect(await text(page.getByTestId('chart-error'))).toContain(
      'unknown region zz; expected global or one of us, gb, de',
    );
    expect(api.latestRequests()).toEqual([{ region: 'zz', period: 'hour' }]);
    expect(await page.getByTestId('chart-empty').count()).toBe(0);
    expect(await rows().count()).toBe(0);
    // The unknown code from the link stays selected (shown as the bare code) so the view is honest.
    expect(await page.getByTestId('region-select').inputValue()).toBe('zz');
    expect(await text(page.getByTestId('region-select').locator('option:checked'))).toBe('zz');
  });

  it('each new view says when its data cannot be loaded, and the chart stays', async () => {
    api.failing = (url) =>
      url.pathname === '/v1/charts/windows' ||
      url.pathname.startsWith('/v1/songs/') ||
      (url.pathname === '/v1/charts' && url.searchParams.get('region') === 'de');
    await page.goto(`${baseUrl}/?song=song-00042`);

    await page.getByTestId('trend-error').waitFor();
    expect(await text(page.getByTestId('trend-error'))).toContain('the chart store is unavailable');
    await page.keyboard.press('Escape');
    await page.getByTestId('song-trend').waitFor({ state: 'detached' });

    await page.getByTestId('windows-error').waitFor();
    expect(await text(page.getByTestId('windows-error'))).toContain('the chart store is unavailable');
    const region = (code: string) => page.locator(`[data-testid="region-card"][data-region="${code}"]`);
    await expect
      .poll(() => text(region('de')), WAIT)
      .toContain('Couldn’t load: the chart store is unavailable');
    expect(await text(region('gb'))).toContain('No chart for this window.');
    expect(await region('us').getByTestId('region-title').allInnerTexts()).toEqual(['Route 66']);
    expect(await column('row-title')).toEqual(['Midnight Drive', 'song-00007', 'Ocean Eyes']);
  });
});
