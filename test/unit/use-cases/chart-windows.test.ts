import { describe, expect, it } from 'vitest';
import type { ServedChart } from '../../../src/ports/chart-store.ts';
import { ChartWindowsResponse } from '../../../src/use-cases/charts-api/schemas.ts';
import { serveCharts } from '../../../src/use-cases/serve-charts.ts';
import { fakeChartStore, get } from '../support/fake-chart-store.ts';

const HOUR = 3_600_000;
const first = Date.parse('2026-11-10T00:00:00Z');

/** 200 consecutive us hours, the last one still open, and a gb hour that must never show up. */
const hours: ServedChart[] = Array.from({ length: 200 }, (_, index) => ({
  region: 'us',
  period: 'hour',
  window_start: new Date(first + index * HOUR),
  window_end: new Date(first + (index + 1) * HOUR),
  status: index === 199 ? 'provisional' : 'final',
  generated_at: new Date(first + (index + 1) * HOUR + 60_000),
  eligible_plays: index,
  version: 1,
  restated_at: null,
  entries: [],
}));
const charts = [...hours, { ...hours[0]!, region: 'gb' }];

const windows = (query: Record<string, string>) => {
  const fake = fakeChartStore(charts);
  return serveCharts(get('/v1/charts/windows', query), {
    charts: fake.store,
    regions: ['us', 'gb'],
    clock: () => new Date(),
    // No live tallies: every chart is the chart jobs' (the live chart has its own tests).
    live: { liveTally: async () => undefined },
    apiDocument: () => ({}),
  });
};
type Page = { windows: { window_start: string; status: string }[]; next_before: string | null };

describe('serveCharts: GET /v1/charts/windows', () => {
  it('lists the newest 24 windows first, with status, and the cursor of the next page', async () => {
    const result = await windows({ region: 'us', period: 'hour' });
    expect(result.statusCode).toBe(200);
    const body = ChartWindowsResponse.parse(result.body);
    expect(body.windows).toHaveLength(24);
    expect(body.windows[0]).toEqual({
      window_start: hours[199]!.window_start.toISOString(),
      window_end: hours[199]!.window_end.toISOString(),
      status: 'provisional',
      generated_at: hours[199]!.generated_at.toISOString(),
      eligible_plays: 199,
      version: 1,
      restated_at: null,
    });
    expect(body.windows[1]?.status).toBe('final');
    expect(body.next_before).toBe(hours[176]!.window_start.toISOString());
    expect(result.headers?.['cache-control']).toBe('public, max-age=5');
  });

  it('pages through every window exactly once by following next_before, the last page saying there is no more', async () => {
    const seen: string[] = [];
    let before: string | null | undefined;
    let pages = 0;
    do {
      const result = await windows({
        region: 'us',
        period: 'hour',
        limit: '64',
        ...(before ? { before } : {}),
      });
      const page = result.body as Page;
      seen.push(...page.windows.map((window) => window.window_start));
      before = page.next_before;
      pages++;
    } while (before);
    expect(pages).toBe(4);
    expect(seen).toEqual(hours.map((hour) => hour.window_start.toISOString()).reverse());
  });

  it('says there is no next page when the last page is exactly full', async () => {
    const page = (
      await windows({
        region: 'us',
        period: 'hour',
        limit: '8',
        before: hours[8]!.window_start.toISOString(),
      })
    ).body as Page;
    expect(page.windows).toHaveLength(8);
    expect(page.next_before).toBeNull();
  });

  it('takes any instant as `before`, exclusive, and up to 168 windows a page', async () => {
    const page = (
      await windows({ region: 'us', period: 'hour', limit: '168', before: '2026-11-10T05:30:00+01:00' })
    ).body as Page;
    expect(page.windows.map((window) => window.window_start)).toEqual([
      '2026-11-10T04:00:00.000Z',
      '2026-11-10T03:00:00.000Z',
      '2026-11-10T02:00:00.000Z',
      '2026-11-10T01:00:00.000Z',
      '2026-11-10T00:00:00.000Z',
    ]);
    expect((await windows({ region: 'us', period: 'hour', limit: '168' })).body).toMatchObject({
      windows: { length: 168 },
    });
  });

  it('answers an empty list for a series without charts', async () => {
    expect((await windows({ region: 'us', period: 'day' })).body).toEqual({
      region: 'us',
      period: 'day',
      windows: [],
      next_before: null,
    });
  });

  it.each([
    [{ period: 'hour' }, 'region', 'is required'],
    [{ region: 'us', period: 'month' }, 'period', 'must be hour or day'],
    [
      { region: 'us', period: 'hour', before: 'last week' },
      'before',
      'must be an RFC 3339 timestamp, e.g. 2026-11-27T13:00:00Z',
    ],
    [{ region: 'us', period: 'hour', limit: '0' }, 'limit', 'must be an integer from 1 to 168'],
    [{ region: 'us', period: 'hour', limit: '169' }, 'limit', 'must be an integer from 1 to 168'],
    [{ region: 'us', period: 'hour', limit: '2.5' }, 'limit', 'must be an integer from 1 to 168'],
    [{ region: 'us', period: 'hour', limit: 'ten' }, 'limit', 'must be an integer from 1 to 168'],
  ])('answers 400 to %j, naming %s', async (query, field, message) => {
    const result = await windows(query);
    expect(result).toEqual({
      statusCode: 400,
      body: { message: `${field} ${message}`, errors: [{ field, message }] },
    });
  });
});
