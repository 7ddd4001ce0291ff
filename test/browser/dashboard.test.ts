/**
 * Drives the built dashboard (frontend/dist) in headless Chromium against a fake charts API
 * served from the same origin, and checks what a user sees and what the dashboard asks for.
 */
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, resolve, sep } from 'node:path';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { buildDashboardIfMissing, dashboardDist as dist, launchChromium } from '../support/browser.ts';

// ---------------------------------------------------------------------------------------------
// Fixtures

interface Entry {
  rank: number;
  song_id: string;
  title: string | null;
  artist: string | null;
  genre: string | null;
  plays: number;
  previous_rank: number | null;
  movement: 'up' | 'down' | 'same' | 'new' | 're-entry';
  peak_rank: number;
  periods_on_chart: number;
}

/** An entry's chart semantics, as the API sends them beside each entry. */
const moved = (
  previous_rank: number | null,
  movement: Entry['movement'],
  peak_rank: number,
  periods: number,
) => ({
  previous_rank,
  movement,
  peak_rank,
  periods_on_chart: periods,
});

const chart = (
  region: string,
  period: 'hour' | 'day',
  window: [string, string],
  status: 'provisional' | 'final',
  eligible_plays: number,
  entries: Entry[],
) => ({
  region,
  period,
  window_start: window[0],
  window_end: window[1],
  status,
  generated_at: '2026-11-27T13:21:04.120Z',
  eligible_plays,
  entries,
});

const globalHour = chart(
  'global',
  'hour',
  ['2026-11-27T13:00:00.000Z', '2026-11-27T14:00:00.000Z'],
  'provisional',
  1234,
  [
    {
      rank: 1,
      song_id: 'song-00042',
      title: 'Midnight Drive',
      artist: 'The Lanterns',
      genre: 'pop',
      plays: 1530,
      ...moved(3, 'up', 1, 5),
    },
    {
      rank: 2,
      song_id: 'song-00007',
      title: null,
      artist: null,
      genre: null,
      plays: 990,
      ...moved(null, 'new', 2, 1),
    },
    {
      rank: 3,
      song_id: 'song-00100',
      title: 'Ocean Eyes',
      artist: 'Blue Harbour',
      genre: 'indie',
      plays: 412,
      ...moved(null, 're-entry', 2, 4),
    },
  ],
);

const globalDay = chart(
  'global',
  'day',
  ['2026-11-26T00:00:00.000Z', '2026-11-27T00:00:00.000Z'],
  'final',
  98765,
  [
    {
      rank: 1,
      song_id: 'song-00500',
      title: 'Long Day',
      artist: 'Sundial',
      genre: 'rock',
      plays: 20100,
      ...moved(1, 'same', 1, 9),
    },
    {
      rank: 2,
      song_id: 'song-00042',
      title: 'Midnight Drive',
      artist: 'The Lanterns',
      genre: 'pop',
      plays: 18000,
      ...moved(1, 'down', 1, 3),
    },
  ],
);

const usHour = chart(
  'us',
  'hour',
  ['2026-11-27T13:00:00.000Z', '2026-11-27T14:00:00.000Z'],
  'provisional',
  77,
  [
    {
      rank: 1,
      song_id: 'song-00300',
      title: 'Route 66',
      artist: 'Highway Kids',
      genre: 'country',
      plays: 40,
      ...moved(null, 'new', 1, 1),
    },
  ],
);

const usDay = chart('us', 'day', ['2026-11-26T00:00:00.000Z', '2026-11-27T00:00:00.000Z'], 'final', 5000, [
  {
    rank: 1,
    song_id: 'song-00301',
    title: 'Liberty',
    artist: 'Bell Tower',
    genre: null,
    plays: 700,
    ...moved(2, 'up', 1, 2),
  },
  {
    rank: 2,
    song_id: 'song-00302',
    title: 'Prairie',
    artist: null,
    genre: 'folk',
    plays: 650,
    ...moved(1, 'down', 1, 2),
  },
]);

const gbHour = chart(
  'gb',
  'hour',
  ['2026-11-27T13:00:00.000Z', '2026-11-27T14:00:00.000Z'],
  'provisional',
  12,
  [
    {
      rank: 1,
      song_id: 'song-00900',
      title: 'Drizzle',
      artist: 'Grey Skies',
      genre: 'indie',
      plays: 9,
      ...moved(null, 'new', 1, 1),
    },
  ],
);

// ---------------------------------------------------------------------------------------------
// Fake API + static server for frontend/dist

type Reply = { status: number; body: unknown } | 'network-error';

/** The chart a reply serves, if it serves one. */
const servedChart = (reply: Reply | undefined) =>
  reply && reply !== 'network-error' && reply.status === 200
    ? (reply.body as ReturnType<typeof chart>)
    : undefined;

const api = {
  regions: ['us', 'gb', 'de'],
  /**
   * The latest chart by `${region}|${period}`; a missing key is a 404 "not computed yet". Asked with a `start`,
   * the same chart when that is its window, else a 404.
   */
  charts: new Map<string, Reply>(),
  chartRequests: [] as { region: string | null; period: string | null; start: string | null }[],
  reset() {
    this.charts = new Map<string, Reply>([
      ['global|hour', { status: 200, body: globalHour }],
      ['global|day', { status: 200, body: globalDay }],
      ['us|hour', { status: 200, body: usHour }],
      ['us|day', { status: 200, body: usDay }],
    ]);
    this.chartRequests = [];
  },
  /** Requests for the latest chart (without `start`), as the dashboard's polling sends them. */
  latestRequests() {
    return this.chartRequests
      .filter((r) => r.start === null)
      .map(({ region, period }) => ({ region, period }));
  },
  requestsFor(region: string, period: string) {
    return this.latestRequests().filter((r) => r.region === region && r.period === period).length;
  },
};

const json = (res: ServerResponse, status: number, body: unknown) => {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
};

function badParameters(url: URL): { status: number; body: unknown } | undefined {
  const region = url.searchParams.get('region') ?? '';
  const period = url.searchParams.get('period') ?? '';
  if (!['global', ...api.regions].includes(region)) {
    return {
      status: 400,
      body: { message: `unknown region ${region}; expected global or one of us, gb, de` },
    };
  }
  if (period !== 'hour' && period !== 'day') {
    return { status: 400, body: { message: `period must be hour or day, got ${period}` } };
  }
  return undefined;
}

function chartReply(url: URL): Reply {
  const bad = badParameters(url);
  if (bad) return bad;
  const region = url.searchParams.get('region');
  const period = url.searchParams.get('period');
  const start = url.searchParams.get('start');
  const reply = api.charts.get(`${region}|${period}`);
  if (start !== null && reply !== 'network-error' && servedChart(reply)?.window_start !== start) {
    return { status: 404, body: { message: `no ${period} chart for region ${region} starting ${start}` } };
  }
  return reply ?? { status: 404, body: { message: `no ${period} chart for region ${region} yet` } };
}

/** The windows list: the one chart of a region and period, if it has one. */
function windowsReply(url: URL): { status: number; body: unknown } {
  const bad = badParameters(url);
  if (bad) return bad;
  const served = servedChart(
    api.charts.get(`${url.searchParams.get('region')}|${url.searchParams.get('period')}`),
  );
  const windows = served
    ? [served].map(({ window_start, window_end, status, generated_at, eligible_plays }) => ({
        window_start,
        window_end,
        status,
        generated_at,
        eligible_plays,
      }))
    : [];
  return {
    status: 200,
    body: {
      region: url.searchParams.get('region'),
      period: url.searchParams.get('period'),
      windows,
      next_before: null,
    },
  };
}

const contentTypes: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.json': 'application/json',
};

async function serveStatic(pathname: string, res: ServerResponse) {
  const file = resolve(dist, `.${decodeURIComponent(pathname === '/' ? '/index.html' : pathname)}`);
  if (!file.startsWith(dist + sep)) return json(res, 403, { message: 'forbidden' });
  try {
    const body = await readFile(file);
    res.writeHead(200, { 'content-type': contentTypes[extname(file)] ?? 'application/octet-stream' });
    res.end(body);
  } catch {
    json(res, 404, { message: `not found: ${pathname}` });
  }
}

async function handle(req: IncomingMessage, res: ServerResponse) {
  const url = new URL(req.url ?? '/', 'http://localhost');
  if (url.pathname === '/v1/regions') return json(res, 200, { regions: api.regions, global: 'global' });
  if (url.pathname === '/v1/charts/windows') {
    const reply = windowsReply(url);
    return json(res, reply.status, reply.body);
  }
  if (url.pathname === '/v1/charts') {
    api.chartRequests.push({
      region: url.searchParams.get('region'),
      period: url.searchParams.get('period'),
      start: url.searchParams.get('start'),
    });
    const reply = chartReply(url);
    if (reply === 'network-error') {
      req.socket.destroy();
      return;
    }
    return json(res, reply.status, reply.body);
  }
  return serveStatic(url.pathname, res);
}

// ---------------------------------------------------------------------------------------------
// Harness

const WAIT = { timeout: 10_000, interval: 50 };

let server: Server;
let baseUrl: string;
let browser: Browser;
let context: BrowserContext;
let page: Page;

beforeAll(async () => {
  buildDashboardIfMissing();
  server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => json(res, 500, { message: String(error) }));
  });
  await new Promise<void>((ready) => server.listen(0, '127.0.0.1', ready));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  browser = await launchChromium();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  if (server) {
    server.closeAllConnections();
    await new Promise((closed) => server.close(closed));
  }
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
    expect(await text(page.getByTestId('chart-generated'))).toBe('1 minute ago');
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
});
