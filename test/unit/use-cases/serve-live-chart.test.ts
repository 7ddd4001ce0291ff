/** GET /v1/charts for a window still open or closing: the live tallies' chart, else the chart jobs'. */
import { describe, expect, it } from 'vitest';
import type { Period } from '../../../src/domain/charts.ts';
import type { ServedChart } from '../../../src/ports/chart-store.ts';
import type { LiveTally } from '../../../src/ports/live-chart-store.ts';
import { LIVE_CHART_STALLED_MS } from '../../../src/use-cases/charts-api/chart.ts';
import { ChartResponse } from '../../../src/use-cases/charts-api/schemas.ts';
import { serveCharts } from '../../../src/use-cases/serve-charts.ts';
import { fakeChartStore, get } from '../support/fake-chart-store.ts';

const now = new Date('2026-11-20T11:30:00Z');
const asOf = new Date('2026-11-20T11:29:58.500Z');
const song = (song_id: string, plays: number, history: Partial<LiveTally['songs'][number]> = {}) => ({
  song_id,
  plays,
  title: null,
  artist: null,
  genre: null,
  previous_rank: null,
  best_rank_before: null,
  periods_before: 0,
  ...history,
});
const tally: LiveTally = {
  region: 'us',
  period: 'hour',
  windowStart: new Date('2026-11-20T11:00:00Z'),
  asOf,
  newestPlayAt: new Date('2026-11-20T11:29:58Z'),
  eligiblePlays: 9,
  songs: [
    song('song-a', 4, {
      title: 'A',
      artist: 'X',
      genre: 'pop',
      previous_rank: 2,
      best_rank_before: 1,
      periods_before: 3,
    }),
    song('song-b', 3, { previous_rank: 1, best_rank_before: 1, periods_before: 1 }),
    song('song-c', 1, { best_rank_before: 5, periods_before: 2 }),
    song('song-d', 1),
  ],
};
const stored: ServedChart = {
  region: 'us',
  period: 'hour',
  window_start: new Date('2026-11-20T10:00:00Z'),
  window_end: new Date('2026-11-20T11:00:00Z'),
  status: 'closing',
  generated_at: new Date('2026-11-20T11:03:00Z'),
  eligible_plays: 0,
  version: 1,
  restated_at: null,
  entries: [],
};

function serve(
  query: Record<string, string>,
  tallies: readonly LiveTally[],
  at = now,
  charts: readonly ServedChart[] = [stored],
) {
  const asked: string[] = [];
  const result = serveCharts(get('/v1/charts', query), {
    charts: fakeChartStore(charts).store,
    regions: ['us', 'gb'],
    clock: () => at,
    live: {
      liveTally: async (region: string, period: Period, windowStart: Date) => {
        asked.push(`${region} ${period} ${windowStart.toISOString()}`);
        return tallies.find(
          (t) => t.region === region && t.period === period && +t.windowStart === +windowStart,
        );
      },
    },
    apiDocument: () => ({}),
  });
  return { result, asked };
}

describe('serveCharts: the live chart', () => {
  it('serves the open window from the live tallies, ranked, with semantics from the stored history', async () => {
    const { result } = serve({ region: 'us', period: 'hour' }, [tally]);
    const body = (await result).body;
    expect(body).toEqual({
      region: 'us',
      period: 'hour',
      window_start: '2026-11-20T11:00:00.000Z',
      window_end: '2026-11-20T12:00:00.000Z',
      status: 'provisional',
      generated_at: asOf.toISOString(),
      eligible_plays: 9,
      version: 1,
      restated_at: null,
      source: 'live',
      as_of: asOf.toISOString(),
      newest_play_at: '2026-11-20T11:29:58.000Z',
      entries: [
        {
          rank: 1,
          song_id: 'song-a',
          title: 'A',
          artist: 'X',
          genre: 'pop',
          plays: 4,
          previous_rank: 2,
          movement: 'up',
          peak_rank: 1,
          periods_on_chart: 4,
        },
        {
          rank: 2,
          song_id: 'song-b',
          title: null,
          artist: null,
          genre: null,
          plays: 3,
          previous_rank: 1,
          movement: 'down',
          peak_rank: 1,
          periods_on_chart: 2,
        },
        {
          rank: 3,
          song_id: 'song-c',
          title: null,
          artist: null,
          genre: null,
          plays: 1,
          previous_rank: null,
          movement: 're-entry',
          peak_rank: 3,
          periods_on_chart: 3,
        },
        {
          rank: 4,
          song_id: 'song-d',
          title: null,
          artist: null,
          genre: null,
          plays: 1,
          previous_rank: null,
          movement: 'new',
          peak_rank: 4,
          periods_on_chart: 1,
        },
      ],
    });
    expect(ChartResponse.parse(body)).toEqual(body);
  });

  it('serves a closing window asked for by its start from the live tallies, as closing', async () => {
    const closing: LiveTally = { ...tally, windowStart: stored.window_start, songs: [], eligiblePlays: 0 };
    const { result } = serve(
      { region: 'us', period: 'hour', start: '2026-11-20T10:00:00Z' },
      [closing],
      new Date('2026-11-20T11:02:00Z'),
    );
    const body = (await result).body as Record<string, unknown>;
    expect([body.status, body.source, body.entries]).toEqual(['closing', 'live', []]);
  });

  it('serves the chart jobs’ chart when the tallies have none, and never asks them for a final window', async () => {
    const open = serve({ region: 'us', period: 'hour' }, []);
    expect(((await open.result).body as Record<string, unknown>).source).toBe('lake');
    const final = serve({ region: 'us', period: 'hour', start: '2026-11-20T09:00:00Z' }, [tally]);
    await final.result;
    expect(final.asked).toEqual([]);
  });

  it('serves genre charts from the chart jobs only', async () => {
    const { asked, result } = serve({ region: 'us', period: 'hour', genre: 'pop' }, [tally]);
    await result;
    expect(asked).toEqual([]);
  });

  describe('a live chart that stalled', () => {
    // The chart jobs' provisional chart of the open hour, computed at `generatedAt`.
    const lakeChart = (generatedAt: Date): ServedChart => ({
      ...stored,
      window_start: tally.windowStart,
      window_end: new Date('2026-11-20T12:00:00Z'),
      status: 'provisional',
      generated_at: generatedAt,
      eligible_plays: 20,
      entries: [
        {
          rank: 1,
          song_id: 'song-z',
          title: null,
          artist: null,
          genre: null,
          plays: 20,
          previous_rank: null,
          movement: 'new',
          peak_rank: 1,
          periods_on_chart: 1,
        },
      ],
    });

    it('gives way to the chart jobs’ chart of the window once that is fresher by more than the margin', async () => {
      // The live-chart function's last batch was 20 minutes ago; the chart job ran 30 s ago.
      const stalled: LiveTally = { ...tally, asOf: new Date('2026-11-20T11:10:00Z') };
      const generatedAt = new Date('2026-11-20T11:29:30Z');
      const queries: Record<string, string>[] = [
        { region: 'us', period: 'hour' },
        { region: 'us', period: 'hour', start: '2026-11-20T11:00:00Z' },
      ];
      for (const query of queries) {
        const body = (await serve(query, [stalled], now, [stored, lakeChart(generatedAt)]).result)
          .body as Record<string, unknown>;
        expect([body.source, body.as_of, body.window_start, body.status, body.eligible_plays]).toEqual([
          'lake',
          generatedAt.toISOString(),
          '2026-11-20T11:00:00.000Z',
          'provisional',
          20,
        ]);
        expect(ChartResponse.parse(body)).toEqual(body);
      }
    });

    it('stays live while it is at most the margin behind the chart jobs’ chart (a batch late, not stalled)', async () => {
      const late: LiveTally = { ...tally, asOf: new Date(now.getTime() - LIVE_CHART_STALLED_MS) };
      const { result } = serve({ region: 'us', period: 'hour' }, [late], now, [stored, lakeChart(now)]);
      const body = (await result).body as Record<string, unknown>;
      expect([body.source, body.as_of]).toEqual(['live', late.asOf.toISOString()]);
    });
  });
});
