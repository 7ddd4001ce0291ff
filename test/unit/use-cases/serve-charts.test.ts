import { describe, expect, it } from 'vitest';
import type { HttpRequest } from '../../../src/domain/http/http.ts';
import { type ChartStore, type ServedChart, StoreUnavailableError } from '../../../src/ports/chart-store.ts';
import { functionNamed } from '../../../src/topology.ts';
import { ChartResponse } from '../../../src/use-cases/charts-api/schemas.ts';
import { ErrorResponse } from '../../../src/use-cases/http-api/responses.ts';
import { chartsApiEndpoints, serveCharts } from '../../../src/use-cases/serve-charts.ts';
import { fakeChartStore, get } from '../support/fake-chart-store.ts';

const regions = ['us', 'gb', 'de'];
const apiDocument = { openapi: '3.1.0', info: { title: 'Top Songs', version: '1' }, paths: {} };

const usHour: ServedChart = {
  region: 'us',
  period: 'hour',
  window_start: new Date('2026-11-20T10:00:00Z'),
  window_end: new Date('2026-11-20T11:00:00Z'),
  status: 'final',
  generated_at: new Date('2026-11-20T11:03:00.250Z'),
  eligible_plays: 3,
  version: 1,
  restated_at: null,
  entries: [
    {
      rank: 1,
      song_id: 'song-000017',
      title: 'Night Drive',
      artist: 'The Examples',
      genre: 'pop',
      plays: 2,
      previous_rank: 3,
      movement: 'up',
      peak_rank: 1,
      periods_on_chart: 4,
    },
    {
      rank: 2,
      song_id: 'song-000003',
      title: null,
      artist: null,
      genre: null,
      plays: 1,
      previous_rank: null,
      movement: 'new',
      peak_rank: 2,
      periods_on_chart: 1,
    },
  ],
};
const usHourEarlier: ServedChart = {
  ...usHour,
  window_start: new Date('2026-11-20T09:00:00Z'),
  window_end: new Date('2026-11-20T10:00:00Z'),
};
const usHourOpen: ServedChart = {
  ...usHour,
  window_start: new Date('2026-11-20T11:00:00Z'),
  window_end: new Date('2026-11-20T12:00:00Z'),
  status: 'provisional',
};

/** serveCharts on `charts` at 11:30 on the fixtures' day. */
const serveFrom = (charts: ChartStore, request: HttpRequest) =>
  serveCharts(request, {
    charts,
    regions,
    clock: () => new Date('2026-11-20T11:30:00Z'),
    // No live tallies: every chart is the chart jobs' (the live chart has its own tests).
    live: { liveTally: async () => undefined },
    apiDocument: () => apiDocument,
  });
const serve = (request: HttpRequest, charts: readonly ServedChart[] = [usHour, usHourEarlier]) =>
  serveFrom(fakeChartStore(charts).store, request);
const bodyOf = (result: { body: unknown }) => result.body as Record<string, unknown>;

describe('serveCharts: GET /v1/charts', () => {
  it('serves the latest chart, entries with their semantics, with ISO strings for every instant', async () => {
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
      version: 1,
      restated_at: null,
      source: 'lake',
      as_of: '2026-11-20T11:03:00.250Z',
      // The entries exactly as the store gave them: every field, nulls included.
      entries: usHour.entries,
    });
    // What reaches a client is JSON, and what the response schema declares.
    expect(JSON.parse(JSON.stringify(result.body))).toEqual(result.body);
    expect(ChartResponse.parse(result.body)).toEqual(result.body);
  });

  it('serves a restated chart with its version and the time of its restatement', async () => {
    const restated: ServedChart = {
      ...usHour,
      generated_at: new Date('2026-11-20T14:02:00.500Z'),
      version: 3,
      restated_at: new Date('2026-11-20T14:02:00.500Z'),
    };
    const result = await serve(get('/v1/charts', { region: 'us', period: 'hour' }), [restated]);
    expect(result.statusCode).toBe(200);
    expect(ChartResponse.parse(result.body)).toMatchObject({
      status: 'final',
      generated_at: '2026-11-20T14:02:00.500Z',
      version: 3,
      restated_at: '2026-11-20T14:02:00.500Z',
    });
  });

  it('serves the chart of an explicit window, given in any offset', async () => {
    const fake = fakeChartStore([usHour, usHourEarlier]);
    const result = await serveFrom(
      fake.store,
      get('/v1/charts', { region: 'us', period: 'hour', start: '2026-11-20T10:00:00+01:00' }),
    );
    expect(result.statusCode).toBe(200);
    expect(bodyOf(result).window_start).toBe('2026-11-20T09:00:00.000Z');
    expect(fake.reads).toEqual([
      { findChart: { region: 'us', period: 'hour', windowStart: new Date('2026-11-20T09:00:00Z') } },
    ]);
  });

  it('accepts global as a region', async () => {
    const result = await serve(get('/v1/charts', { region: 'global', period: 'hour' }), [
      { ...usHour, region: 'global' },
    ]);
    expect(result.statusCode).toBe(200);
    expect(bodyOf(result).region).toBe('global');
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
    const fake = fakeChartStore([usHour]);
    const result = await serveFrom(fake.store, get('/v1/charts', query as Record<string, string>));
    expect(result.statusCode).toBe(400);
    expect(bodyOf(result)).toEqual({ message: `${field} ${message}`, errors: [{ field, message }] });
    expect(ErrorResponse.parse(result.body)).toEqual(result.body);
    expect(fake.reads).toEqual([]);
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

describe('serveCharts: caching of charts', () => {
  const chartAt = (start: string) => get('/v1/charts', { region: 'us', period: 'hour', start });
  const charts = [usHourEarlier, usHour, usHourOpen];

  it('lets a final chart asked by its window be cached for an hour, with a strong ETag', async () => {
    const result = await serve(chartAt('2026-11-20T10:00:00Z'), charts);
    expect(result.headers?.['cache-control']).toBe('public, no-cache');
    expect(result.headers?.etag).toMatch(/^"[A-Za-z0-9_-]{27}"$/);
  });

  it('keeps a provisional chart, and the latest chart whatever its status, for seconds only', async () => {
    const provisional = await serve(chartAt('2026-11-20T11:00:00Z'), charts);
    expect(provisional.headers?.['cache-control']).toBe('public, max-age=5');
    // The latest chart is final here, but the next window's chart will take its place.
    const latestFinal = await serve(get('/v1/charts', { region: 'us', period: 'hour' }), [
      usHourEarlier,
      usHour,
    ]);
    expect(bodyOf(latestFinal).status).toBe('final');
    expect(latestFinal.headers?.['cache-control']).toBe('public, max-age=5');
  });

  it('gives every representation its own ETag: another window, other semantics, another title', async () => {
    const etagOf = async (chart: ServedChart) =>
      (await serve(chartAt('2026-11-20T10:00:00Z'), [chart])).headers?.etag;
    const original = await etagOf(usHour);
    expect(await etagOf(usHour)).toBe(original);
    const [first, second] = usHour.entries;
    const restated = {
      ...usHour,
      entries: [{ ...first!, movement: 're-entry' as const, previous_rank: null }, second!],
    };
    expect(await etagOf(restated)).not.toBe(original);
    const retitled = { ...usHour, entries: [{ ...first!, title: 'Night Drive (Remastered)' }, second!] };
    expect(await etagOf(retitled)).not.toBe(original);
    expect((await serve(chartAt('2026-11-20T09:00:00Z'), [usHourEarlier])).headers?.etag).not.toBe(original);
  });

  it('answers If-None-Match naming the current ETag with a 304 without body, carrying the same headers', async () => {
    const first = await serve(chartAt('2026-11-20T10:00:00Z'), charts);
    const etag = first.headers!.etag!;
    for (const header of [etag, `W/${etag}`, `"other", ${etag}`, '*']) {
      const again = await serve(
        { ...chartAt('2026-11-20T10:00:00Z'), headers: { 'if-none-match': header } },
        charts,
      );
      expect(again, header).toEqual({ statusCode: 304, body: undefined, headers: first.headers });
    }
    const stale = await serve(
      { ...chartAt('2026-11-20T10:00:00Z'), headers: { 'if-none-match': '"other"' } },
      charts,
    );
    expect(stale.statusCode).toBe(200);
    expect(stale.body).toEqual(first.body);
  });
});

describe('serveCharts with the database out of reach', () => {
  const failing = (error: Error): ChartStore => {
    const fail = async () => {
      throw error;
    };
    return {
      ...fakeChartStore([]).store,
      findChart: fail,
      listWindows: fail,
      findSongHistory: fail,
    };
  };
  const reads = [
    get('/v1/charts', { region: 'us', period: 'hour' }),
    get('/v1/charts/windows', { region: 'us', period: 'hour' }),
    get('/v1/songs/song-1', { period: 'day' }),
  ];

  it.each(reads.map((request) => [request.path, request]))(
    '%s answers 503 with Retry-After and the reason, never a 500',
    async (_, request) => {
      const unavailable = new StoreUnavailableError('PostgreSQL is unreachable (ECONNREFUSED)', 7);
      const result = await serveFrom(failing(unavailable), request);
      expect(result).toEqual({
        statusCode: 503,
        body: {
          message:
            'charts cannot be read right now (PostgreSQL is unreachable (ECONNREFUSED)); retry the request',
        },
        headers: { 'retry-after': '7' },
      });
    },
  );

  it('lets any other failure through (a bug is a 500, not a 503 to retry)', async () => {
    const bug = new TypeError('not a chart');
    await expect(serveFrom(failing(bug), reads[0]!)).rejects.toBe(bug);
  });

  it('still lists the regions, which need no database', async () => {
    const result = await serveFrom(failing(new StoreUnavailableError('down')), get('/v1/regions'));
    expect(result.statusCode).toBe(200);
  });
});

describe('serveCharts: routes', () => {
  it('serves exactly the routes the topology gives the charts-api function', () => {
    const trigger = functionNamed('charts-api').trigger;
    expect(trigger.kind).toBe('http');
    const declared = trigger.kind === 'http' ? trigger.routes : [];
    expect(declared.map((route) => `${route.method} ${route.path}`).sort()).toEqual(
      Object.keys(chartsApiEndpoints)
        .map((path) => `GET ${path}`)
        .sort(),
    );
  });

  it('lists the regions and the global code', async () => {
    expect(await serve(get('/v1/regions'))).toEqual({
      statusCode: 200,
      body: { regions: ['us', 'gb', 'de'], global: 'global' },
    });
  });

  it('serves the API document it is given, cacheable for five minutes, and a 304 for a current copy', async () => {
    const first = await serve(get('/v1/openapi.json'));
    expect(first).toEqual({
      statusCode: 200,
      body: apiDocument,
      json: JSON.stringify(apiDocument),
      headers: { etag: expect.stringMatching(/^"[\w-]+"$/), 'cache-control': 'public, max-age=300' },
    });
    const again = await serve({
      ...get('/v1/openapi.json'),
      headers: { 'if-none-match': first.headers?.etag },
    });
    expect(again).toEqual({ statusCode: 304, body: undefined, headers: first.headers });
  });

  it('answers 405 to other methods and 404 to other paths', async () => {
    expect(await serve({ ...get('/v1/charts'), method: 'POST' })).toEqual({
      statusCode: 405,
      body: { message: 'POST is not allowed; use GET' },
    });
    expect(await serve({ ...get('/v1/songs/song-1'), method: 'DELETE' })).toEqual({
      statusCode: 405,
      body: { message: 'DELETE is not allowed; use GET' },
    });
    for (const path of ['/v1/chart', '/v1/songs', '/v1/songs/', '/v1/songs/a/b', '/v1/charts/windows/x']) {
      expect(await serve(get(path)), path).toEqual({
        statusCode: 404,
        body: { message: `no route ${path}` },
      });
    }
  });
});
