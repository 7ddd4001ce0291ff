/**
 * A fake charts API for the dashboard's browser tests (test/browser/dashboard.test.ts): fixed charts with their
 * semantics, the windows list they imply, every request recorded; it also serves the built dashboard
 * (frontend/dist) from the same origin.
 */
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, resolve, sep } from 'node:path';
import { dashboardDist as dist } from '../../devkit/browser.ts';
import type { ChartBody } from '../../src/use-cases/charts-api/schemas.ts';

// ---------------------------------------------------------------------------------------------
// Fixtures

/** The API's own types: a fixture that drifts from the response schemas fails tsc. */
type Entry = ChartBody['entries'][number];

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
  period: ChartBody['period'],
  window: [string, string],
  status: ChartBody['status'],
  eligible_plays: number,
  entries: Entry[],
): ChartBody => ({
  region,
  period,
  window_start: window[0],
  window_end: window[1],
  status,
  generated_at: '2026-11-27T13:21:04.120Z',
  eligible_plays,
  version: 1,
  restated_at: null,
  // From the chart jobs, even while provisional: the fixtures' refreshes follow the configured interval (the live
  // chart's faster refresh has its own browser test, test/browser/live-chart.test.ts).
  source: 'lake',
  as_of: '2026-11-27T13:21:04.120Z',
  entries,
});

export const globalHour = chart(
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

export const gbHour = chart(
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

export const api = {
  regions: ['us', 'gb', 'de'],
  /**
   * The latest chart by `${region}|${period}`; a missing key is a 404 "not computed yet". Asked with a `start`,
   * the same chart when that is its window, else a 404.
   */
  charts: new Map<string, Reply>(),
  chartRequests: [] as { region: string | null; period: string | null; start: string | null }[],
  /** Requests that fail with a 500, as a database outage would make them. */
  failing: (_url: URL) => false,
  reset() {
    this.failing = () => false;
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
    ? [served].map(({ region: _, period: __, entries: ___, ...summary }) => summary)
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
  if (url.pathname.startsWith('/v1/') && api.failing(url)) {
    return json(res, 500, { message: 'the chart store is unavailable' });
  }
  if (url.pathname === '/v1/regions') return json(res, 200, { regions: api.regions, global: 'global' });
  if (url.pathname.startsWith('/v1/songs/')) return json(res, 404, { message: 'no such song' });
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

/** Starts the fake API and dashboard server on a free port. */
export async function startFakeChartsApi(): Promise<{ baseUrl: string; close: () => Promise<void> }> {
  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => json(res, 500, { message: String(error) }));
  });
  await new Promise<void>((ready) => server.listen(0, '127.0.0.1', ready));
  return {
    baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: async () => {
      server.closeAllConnections();
      await new Promise((closed) => server.close(closed));
    },
  };
}
