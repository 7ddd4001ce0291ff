import { describe, expect, it } from 'vitest';
import type { Period } from '../../../src/domain/charts.ts';
import type { HttpRequest } from '../../../src/domain/http/http.ts';
import { type ChartStore, type ServedChart, StoreUnavailableError } from '../../../src/ports/chart-store.ts';
import { serveCharts } from '../../../src/use-cases/serve-charts.ts';

const regions = ['us', 'gb', 'de'];

const usHour: ServedChart = {
  region: 'us',
  period: 'hour',
  window_start: new Date('2026-11-20T10:00:00Z'),
  window_end: new Date('2026-11-20T11:00:00Z'),
  status: 'final',
  generated_at: new Date('2026-11-20T11:03:00.250Z'),
  eligible_plays: 3,
  entries: [
    { rank: 1, song_id: 'song-000017', title: 'Night Drive', artist: 'The Examples', genre: 'pop', plays: 2 },
    { rank: 2, song_id: 'song-000003', title: null, artist: null, genre: null, plays: 1 },
  ],
};
const usHourEarlier: ServedChart = {
  ...usHour,
  window_start: new Date('2026-11-20T09:00:00Z'),
  window_end: new Date('2026-11-20T10:00:00Z'),
};

/** An in-memory chart store: the latest chart is the one with the latest window start. */
function fakeStore(charts: readonly ServedChart[]) {
  const queries: { region: string; period: Period; windowStart: Date | undefined }[] = [];
  const store: ChartStore = {
    replaceWindow: async () => {
      throw new Error('not used');
    },
    windowState: async () => undefined,
    upsertSongs: async () => 0,
    findChart: async (region, period, windowStart) => {
      queries.push({ region, period, windowStart });
      const matching = charts
        .filter((chart) => chart.region === region && chart.period === period)
        .filter((chart) => !windowStart || chart.window_start.getTime() === windowStart.getTime())
        .sort((a, b) => b.window_start.getTime() - a.window_start.getTime());
      return matching[0];
    },
  };
  return { store, queries };
}

const get = (path: string, query: Record<string, string> = {}): HttpRequest => ({
  method: 'GET',
  path,
  query,
  body: undefined,
});
const serve = (request: HttpRequest, charts: readonly ServedChart[] = [usHour, usHourEarlier]) => {
  const fake = fakeStore(charts);
  return serveCharts(request, { charts: fake.store, regions });
};
const bodyOf = (result: { body: unknown }) => result.body as Record<string, unknown>;

describe('serveCharts: GET /v1/charts', () => {
  it('serves the latest chart with ISO strings for every instant', async () => {
    const result = await serve(get('/v1/charts', { region: 'us', period: 'hour' }));
    expect(result.statusCode).toBe(200);
    expect(result.body).toEqual({
      region: 'us',
      period: 'hour',
      window_start: '2026-11-20T10:00:00.000Z',
      window_end: '2026-11-20T11:00:00.000Z',
      status: 'final',
      generated_at: '2026-11-20T11:03:00.250Z',
      eligible_plays: 3,
      entries: [
        {
          rank: 1,
          song_id: 'song-000017',
          title: 'Night Drive',
          artist: 'The Examples',
          genre: 'pop',
          plays: 2,
        },
        { rank: 2, song_id: 'song-000003', title: null, artist: null, genre: null, plays: 1 },
      ],
    });
    // What reaches a client is JSON: the body must survive serialisation unchanged.
    expect(JSON.parse(JSON.stringify(result.body))).toEqual(result.body);
  });

  it('serves the chart of an explicit window, given in any offset', async () => {
    const fake = fakeStore([usHour, usHourEarlier]);
    const result = await serveCharts(
      get('/v1/charts', { region: 'us', period: 'hour', start: '2026-11-20T10:00:00+01:00' }),
      { charts: fake.store, regions },
    );
    expect(result.statusCode).toBe(200);
    expect(bodyOf(result).window_start).toBe('2026-11-20T09:00:00.000Z');
    expect(fake.queries).toEqual([
      { region: 'us', period: 'hour', windowStart: new Date('2026-11-20T09:00:00Z') },
    ]);
  });

  it('accepts global as a region', async () => {
    const fake = fakeStore([{ ...usHour, region: 'global' }]);
    const result = await serveCharts(get('/v1/charts', { region: 'global', period: 'hour' }), {
      charts: fake.store,
      regions,
    });
    expect(result.statusCode).toBe(200);
    expect(fake.queries[0]).toEqual({ region: 'global', period: 'hour', windowStart: undefined });
  });

  it.each([
    [{ period: 'hour' }, 'region', 'is required'],
    [{ region: 'atlantis', period: 'hour' }, 'region', 'must be one of global, us, gb, de'],
    [{ region: 'us' }, 'period', 'must be hour or day'],
    [{ region: 'us', period: 'week' }, 'period', 'must be hour or day'],
    [
      { region: 'us', period: 'hour', start: 'yesterday' },
      'start',
      'must be an RFC 3339 timestamp, e.g. 2026-11-27T13:00:00Z',
    ],
    [
      { region: 'us', period: 'hour', start: '2026-11-20T10:30:00Z' },
      'start',
      'must be the start of a UTC hour',
    ],
    [
      { region: 'us', period: 'day', start: '2026-11-20T10:00:00Z' },
      'start',
      'must be the start of a UTC day',
    ],
    // One bad field is one error: the window check does not run on a period it could not parse.
    [{ region: 'us', period: 'week', start: '2026-11-20T10:00:00Z' }, 'period', 'must be hour or day'],
  ])('answers 400 to %j, naming %s', async (query, field, message) => {
    const fake = fakeStore([usHour]);
    const result = await serveCharts(get('/v1/charts', query as Record<string, string>), {
      charts: fake.store,
      regions,
    });
    expect(result.statusCode).toBe(400);
    expect(bodyOf(result)).toEqual({ message: `${field} ${message}`, errors: [{ field, message }] });
    expect(fake.queries).toEqual([]);
  });

  it('answers 404 when there is no such chart, saying which', async () => {
    expect(await serve(get('/v1/charts', { region: 'gb', period: 'hour' }))).toEqual({
      statusCode: 404,
      body: { message: 'no hour chart for region gb yet' },
    });
    expect(
      await serve(get('/v1/charts', { region: 'us', period: 'day', start: '2026-11-20T00:00:00Z' })),
    ).toEqual({
      statusCode: 404,
      body: { message: 'no day chart for region us starting 2026-11-20T00:00:00.000Z' },
    });
  });
});

describe('serveCharts with the database out of reach', () => {
  const failing = (error: Error): ChartStore => ({
    ...fakeStore([]).store,
    findChart: async () => {
      throw error;
    },
  });
  const chartsQuery = get('/v1/charts', { region: 'us', period: 'hour' });

  it('answers 503 with Retry-After and the reason, never a chart or a 500', async () => {
    const result = await serveCharts(chartsQuery, {
      charts: failing(new StoreUnavailableError('PostgreSQL is unreachable (ECONNREFUSED)', 7)),
      regions,
    });
    expect(result.statusCode).toBe(503);
    expect(result.headers).toEqual({ 'retry-after': '7' });
    expect(bodyOf(result).message).toMatch(/PostgreSQL is unreachable \(ECONNREFUSED\).*retry the request/);
  });

  it('lets any other failure through (a bug is a 500, not a 503 to retry)', async () => {
    const bug = new TypeError('not a chart');
    await expect(serveCharts(chartsQuery, { charts: failing(bug), regions })).rejects.toBe(bug);
  });

  it('still lists the regions, which need no database', async () => {
    const result = await serveCharts(get('/v1/regions'), {
      charts: failing(new StoreUnavailableError('down')),
      regions,
    });
    expect(result.statusCode).toBe(200);
  });
});

describe('serveCharts: other routes', () => {
  it('lists the regions and the global code', async () => {
    expect(await serve(get('/v1/regions'))).toEqual({
      statusCode: 200,
      body: { regions: ['us', 'gb', 'de'], global: 'global' },
    });
  });

  it('answers 405 to other methods and 404 to other paths', async () => {
    expect(await serve({ ...get('/v1/charts'), method: 'POST' })).toEqual({
      statusCode: 405,
      body: { message: 'POST is not allowed; use GET' },
    });
    expect(await serve(get('/v1/chart'))).toEqual({
      statusCode: 404,
      body: { message: 'no route /v1/chart' },
    });
  });
});
