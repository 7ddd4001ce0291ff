import { describe, expect, it } from 'vitest';
import type { Song } from '../../../src/domain/song.ts';
import type { ServedChart, ServedChartEntry } from '../../../src/ports/chart-store.ts';
import { SongHistoryResponse } from '../../../src/use-cases/charts-api/schemas.ts';
import { serveCharts } from '../../../src/use-cases/serve-charts.ts';
import { fakeChartStore, get } from '../support/fake-chart-store.ts';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const now = new Date('2026-11-20T10:20:00Z');
const regions = ['us', 'gb'];
const catalog: Song[] = [{ song_id: 'song-1', title: 'Night Drive', artist: 'The Examples', genre: 'pop' }];

const entry = (song_id: string, rank: number, plays: number): ServedChartEntry => ({
  rank,
  song_id,
  title: null,
  artist: null,
  genre: null,
  plays,
  previous_rank: null,
  movement: 'new',
  peak_rank: rank,
  periods_on_chart: 1,
});
const chart = (
  region: string,
  period: 'hour' | 'day',
  start: string,
  entries: ServedChartEntry[],
): ServedChart => {
  const window_start = new Date(start);
  const window_end = new Date(window_start.getTime() + (period === 'hour' ? HOUR : DAY));
  return {
    region,
    period,
    window_start,
    window_end,
    status: window_end <= now ? 'final' : 'provisional',
    generated_at: now,
    eligible_plays: 100,
    version: 1,
    restated_at: null,
    entries,
  };
};

const charts = [
  // 49 hours back: one hour too old for the 48-hour history.
  chart('us', 'hour', '2026-11-18T09:00:00Z', [entry('song-1', 1, 90)]),
  // The oldest hour of the 48: 47 hours before the current one.
  chart('us', 'hour', '2026-11-18T11:00:00Z', [entry('song-1', 2, 80)]),
  chart('us', 'hour', '2026-11-20T09:00:00Z', [entry('song-2', 1, 70), entry('song-1', 3, 60)]),
  chart('global', 'hour', '2026-11-20T10:00:00Z', [entry('song-1', 1, 50)]),
  chart('gb', 'day', '2026-09-22T00:00:00Z', [entry('song-1', 4, 40)]),
  chart('gb', 'day', '2026-09-21T00:00:00Z', [entry('song-1', 5, 30)]),
  chart('us', 'day', '2026-11-19T00:00:00Z', [entry('song-2', 1, 20)]),
];

const songHistory = (songId: string, query: Record<string, string>) => {
  const fake = fakeChartStore(charts, catalog);
  const result = serveCharts(get(`/v1/songs/${songId}`, query), {
    charts: fake.store,
    regions,
    clock: () => now,
    // No live tallies: every chart is the chart jobs' (the live chart has its own tests).
    live: { liveTally: async () => undefined },
    apiDocument: () => ({}),
  });
  return { result, reads: fake.reads };
};

describe('serveCharts: GET /v1/songs/{song_id}', () => {
  it('serves the catalog data and the last 48 hours per region, global first, a region without entries included', async () => {
    const { result, reads } = songHistory('song-1', { period: 'hour' });
    const response = await result;
    expect(response.statusCode).toBe(200);
    expect(SongHistoryResponse.parse(response.body)).toEqual({
      song_id: 'song-1',
      title: 'Night Drive',
      artist: 'The Examples',
      genre: 'pop',
      period: 'hour',
      from: '2026-11-18T11:00:00.000Z',
      to: '2026-11-20T11:00:00.000Z',
      regions: [
        {
          region: 'global',
          entries: [
            {
              window_start: '2026-11-20T10:00:00.000Z',
              window_end: '2026-11-20T11:00:00.000Z',
              status: 'provisional',
              rank: 1,
              plays: 50,
            },
          ],
        },
        {
          region: 'us',
          entries: [
            {
              window_start: '2026-11-18T11:00:00.000Z',
              window_end: '2026-11-18T12:00:00.000Z',
              status: 'final',
              rank: 2,
              plays: 80,
            },
            {
              window_start: '2026-11-20T09:00:00.000Z',
              window_end: '2026-11-20T10:00:00.000Z',
              status: 'final',
              rank: 3,
              plays: 60,
            },
          ],
        },
        { region: 'gb', entries: [] },
      ],
    });
    expect(reads).toEqual([
      {
        findSongHistory: {
          songId: 'song-1',
          period: 'hour',
          since: new Date('2026-11-18T11:00:00Z'),
          region: undefined,
        },
      },
    ]);
    expect(response.headers?.['cache-control']).toBe('public, max-age=5');
  });

  it('covers the last 60 days, today included, and one region when asked', async () => {
    const response = await songHistory('song-1', { period: 'day', region: 'gb' }).result;
    const body = SongHistoryResponse.parse(response.body);
    expect([body.from, body.to]).toEqual(['2026-09-22T00:00:00.000Z', '2026-11-21T00:00:00.000Z']);
    expect(body.regions).toEqual([
      {
        region: 'gb',
        entries: [
          {
            window_start: '2026-09-22T00:00:00.000Z',
            window_end: '2026-09-23T00:00:00.000Z',
            status: 'final',
            rank: 4,
            plays: 40,
          },
        ],
      },
    ]);
  });

  it('serves a song that charted but that the catalog does not know, without title, artist and genre', async () => {
    const body = SongHistoryResponse.parse((await songHistory('song-2', { period: 'day' }).result).body);
    expect([body.title, body.artist, body.genre]).toEqual([null, null, null]);
    expect(body.regions.find((region) => region.region === 'us')?.entries.map((point) => point.rank)).toEqual(
      [1],
    );
  });

  it('answers 404 to a song neither the catalog nor any chart has', async () => {
    expect(await songHistory('song-404', { period: 'hour' }).result).toEqual({
      statusCode: 404,
      body: { message: 'no song song-404 in the catalog or in any chart' },
    });
  });

  it.each([
    ['song-1', {}, 'period', 'must be hour or day'],
    ['song-1', { period: 'hour', region: 'atlantis' }, 'region', 'must be one of global, us, gb'],
    ['s'.repeat(65), { period: 'hour' }, 'song_id', 'must be 1 to 64 characters'],
  ])('answers 400 for %s %j, naming %s', async (songId, query, field, message) => {
    const { result, reads } = songHistory(songId, query);
    expect(await result).toEqual({
      statusCode: 400,
      body: { message: `${field} ${message}`, errors: [{ field, message }] },
    });
    expect(reads).toEqual([]);
  });

  it('decodes the song id from the path', async () => {
    const { result, reads } = songHistory('song%2D1', { period: 'hour' });
    expect((await result).statusCode).toBe(200);
    expect(reads).toMatchObject([{ findSongHistory: { songId: 'song-1' } }]);
  });
});
