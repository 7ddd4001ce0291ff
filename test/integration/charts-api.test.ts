/**
 * The charts API through the real local runtime (HTTP server, API Gateway events, handlers) against real
 * PostgreSQL, with charts computed by the real chart jobs from Parquet plays in the lake: semantics equal to the
 * independent reference, before and after a restatement; ETag and 304; cache headers by status; paging through
 * windows; song histories; 400s and 404s.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ReferencePlay, referenceCharts } from '../../devkit/reference-charts.ts';
import { makeTempDir } from '../../devkit/temp-dir.ts';
import { invokeFunction } from '../../local/functions.ts';
import { type LocalRuntime, startLocalRuntime } from '../../local/runtime.ts';
import { fixedSongs } from '../../src/adapters/catalog/fixed-song-source.ts';
import { encodePlaysParquet } from '../../src/adapters/duckdb/plays-parquet.ts';
import { type Period, windowContaining } from '../../src/domain/charts.ts';
import { playsFileKey } from '../../src/domain/lake-layout.ts';
import type { LakePlayRow } from '../../src/domain/lake-row.ts';
import type { Song } from '../../src/domain/song.ts';
import {
  ChartResponse,
  ChartWindowsResponse,
  SongHistoryResponse,
} from '../../src/use-cases/charts-api/schemas.ts';
import { type ReferenceHistoryChart, referenceChartSemantics } from '../support/reference-chart-semantics.ts';
import { clockPastGraceOf } from '../support/test-clock.ts';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const catalog: Song[] = ['song-a', 'song-b', 'song-c', 'song-d', 'song-quiet'].map((song_id) => ({
  song_id,
  title: `Title of ${song_id}`,
  artist: `Artist of ${song_id}`,
  genre: 'pop',
}));

let runtime: LocalRuntime;
let removeDataDir: () => Promise<void>;
/** The current hour when the charts were computed: H(0) is open (provisional), H(-1) the latest closed one. */
let H: (offset: number) => Date;
const computed: { period: Period; start: Date }[] = [];
const played: ReferencePlay[] = [];
let fileOffset = 0;

/** Writes one lake file of plays: `counts` eligible plays per song in `region`, ten minutes into `hour`. */
async function writePlays(hour: Date, region: string, counts: Record<string, number>): Promise<void> {
  const firstOffset = fileOffset;
  const rows: LakePlayRow[] = Object.entries(counts).flatMap(([song_id, n]) =>
    Array.from({ length: n }, () => ({
      event_id: randomUUID(),
      user_id: `user-${fileOffset % 5}`,
      song_id,
      region,
      played_at: new Date(hour.getTime() + 10 * 60_000).toISOString(),
      ms_played: 60_000,
      source_topic: 'song-plays',
      source_partition: 0,
      source_offset: fileOffset++,
    })),
  );
  played.push(...rows);
  const key = playsFileKey(hour, { writer: 'lake-writer', topic: 'song-plays', partition: 0, firstOffset });
  await runtime.dependencies
    .lake()
    .put(key, await encodePlaysParquet(rows), 'application/vnd.apache.parquet');
}

async function chart(period: Period, start: Date): Promise<void> {
  await invokeFunction(period === 'hour' ? 'chart-hourly' : 'chart-daily', {
    period,
    window_start: start.toISOString(),
  });
  if (!computed.some((window) => window.period === period && window.start.getTime() === start.getTime())) {
    computed.push({ period, start });
  }
}

const get = (path: string, headers: Record<string, string> = {}) =>
  fetch(`${runtime.url}${path}`, { headers });
const chartPath = (region: string, period: Period, start: Date) =>
  `/v1/charts?region=${region}&period=${period}&start=${start.toISOString()}`;

/** The semantics the reference derives from every play written, over every window charted. */
function expectedEntries(region: string, period: Period, start: Date) {
  const charts: ReferenceHistoryChart[] = computed
    .filter((window) => window.period === period)
    .map((window) => {
      const end = new Date(window.start.getTime() + (period === 'hour' ? HOUR : DAY));
      const reference = referenceCharts(played, window.start, end).get(region);
      return {
        region,
        period,
        window_start: window.start,
        songs: reference?.entries.map((e) => e.song_id) ?? [],
      };
    });
  const end = new Date(start.getTime() + (period === 'hour' ? HOUR : DAY));
  const plays = referenceCharts(played, start, end).get(region)?.entries ?? [];
  return referenceChartSemantics(charts)
    .filter((entry) => entry.window_start === start.toISOString())
    .map(({ rank, song_id, previous_rank, movement, peak_rank, periods_on_chart }) => ({
      rank,
      song_id,
      plays: plays[rank - 1]?.plays,
      previous_rank,
      movement,
      peak_rank,
      periods_on_chart,
    }));
}

async function servedEntries(region: string, period: Period, start: Date) {
  const response = await get(chartPath(region, period, start));
  expect(response.status).toBe(200);
  return ChartResponse.parse(await response.json()).entries.map(
    ({ rank, song_id, plays, previous_rank, movement, peak_rank, periods_on_chart }) => ({
      rank,
      song_id,
      plays,
      previous_rank,
      movement,
      peak_rank,
      periods_on_chart,
    }),
  );
}

beforeAll(async () => {
  const dir = await makeTempDir('charts-api');
  removeDataDir = dir.remove;
  runtime = await startLocalRuntime({
    env: { TOP_SONGS_DATA_DIR: dir.path, PORT: '0' },
    schedules: false,
    defaultCatalog: fixedSongs(catalog),
    // H(-1), the latest closed hour, is closing for the first minutes of H(0): hold the clock past its grace.
    // (H is set below, from this clock; until then it is the real one.)
    clock: clockPastGraceOf(() => (H ? H(0) : new Date(0))),
  });
  await invokeFunction('catalog-sync', {});
  const open = windowContaining('hour', runtime.dependencies.clock()).start.getTime();
  H = (offset) => new Date(open + offset * HOUR);
  // The open hour first, right after reading the clock, so that it is charted while still open (provisional).
  await writePlays(H(0), 'us', { 'song-d': 2 });
  await chart('hour', H(0));

  // us: a tie at H-3 (a before b by id), another at H-2 (a before c), a gap before H-3 and re-entries after it.
  await writePlays(H(-49), 'us', { 'song-a': 5, 'song-b': 3 });
  await writePlays(H(-3), 'us', { 'song-a': 4, 'song-b': 4, 'song-c': 2 });
  await writePlays(H(-2), 'us', { 'song-b': 6, 'song-a': 3, 'song-c': 3 });
  await writePlays(H(-2), 'gb', { 'song-c': 2, 'song-x': 1 });
  await writePlays(H(-1), 'us', { 'song-c': 5, 'song-b': 1 });
  for (const offset of [-49, -3, -2, -1]) await chart('hour', H(offset));
  for (const start of new Set(
    played.map((play) => windowContaining('day', new Date(play.played_at)).start.getTime()),
  )) {
    await chart('day', new Date(start));
  }
}, 120_000);

afterAll(async () => {
  await runtime?.stop();
  await removeDataDir?.();
});

describe('charts API over the local runtime and PostgreSQL', () => {
  it('serves every charted window with the semantics the reference derives', async () => {
    for (const { period, start } of computed) {
      for (const region of ['us', 'gb', 'global']) {
        expect(
          await servedEntries(region, period, start),
          `${region} ${period} ${start.toISOString()}`,
        ).toEqual(expectedEntries(region, period, start));
      }
    }
    // The scenario has what it is about.
    expect((await servedEntries('us', 'hour', H(-1))).map((entry) => entry.movement)).toEqual(['up', 'down']);
    expect((await servedEntries('us', 'hour', H(-3))).map((entry) => entry.movement)).toEqual([
      're-entry',
      're-entry',
      'new',
    ]);
  });

  it('answers If-None-Match with 304 and no body; a final chart for an hour, a provisional one for seconds', async () => {
    const first = await get(chartPath('us', 'hour', H(-1)));
    const etag = first.headers.get('etag');
    expect(etag).toMatch(/^"[\w-]+"$/);
    expect(first.headers.get('cache-control')).toBe('public, no-cache');
    expect(ChartResponse.parse(await first.json()).status).toBe('final');

    const again = await get(chartPath('us', 'hour', H(-1)), { 'if-none-match': etag! });
    expect(again.status).toBe(304);
    expect(await again.text()).toBe('');
    expect(again.headers.get('etag')).toBe(etag);
    expect(again.headers.get('cache-control')).toBe('public, no-cache');

    const open = await get(chartPath('us', 'hour', H(0)));
    expect(ChartResponse.parse(await open.json()).status).toBe('provisional');
    expect(open.headers.get('cache-control')).toBe('public, max-age=5');
    const latest = await get('/v1/charts?region=us&period=hour');
    expect(latest.headers.get('cache-control')).toBe('public, max-age=5');
  });

  it('pages through the windows that have a chart, newest first, with their status', async () => {
    const starts: string[] = [];
    const statuses: string[] = [];
    let path: string | undefined = '/v1/charts/windows?region=us&period=hour&limit=2';
    while (path) {
      const response = await get(path);
      expect(response.status).toBe(200);
      const page = ChartWindowsResponse.parse(await response.json());
      starts.push(...page.windows.map((window) => window.window_start));
      statuses.push(...page.windows.map((window) => window.status));
      path = page.next_before
        ? `/v1/charts/windows?region=us&period=hour&limit=2&before=${page.next_before}`
        : undefined;
    }
    expect(starts).toEqual([0, -1, -2, -3, -49].map((offset) => H(offset).toISOString()));
    expect(statuses).toEqual(['provisional', 'final', 'final', 'final', 'final']);
  });

  it("serves a song's catalog data and its last 48 hours per region, global first", async () => {
    const response = await get('/v1/songs/song-a?period=hour');
    expect(response.status).toBe(200);
    const song = SongHistoryResponse.parse(await response.json());
    expect(song).toMatchObject({ song_id: 'song-a', title: 'Title of song-a', artist: 'Artist of song-a' });
    expect(Date.parse(song.to) - Date.parse(song.from)).toBe(48 * HOUR);
    expect(song.regions.map((region) => region.region)).toEqual(['global', ...runtime.settings.regions]);
    const us = song.regions.find((region) => region.region === 'us')!;
    // H-49 is older than 48 hours.
    expect(us.entries.map((point) => [point.window_start, point.rank, point.plays, point.status])).toEqual([
      [H(-3).toISOString(), 1, 4, 'final'],
      [H(-2).toISOString(), 2, 3, 'final'],
    ]);
    expect(song.regions.find((region) => region.region === 'gb')?.entries).toEqual([]);

    const day = SongHistoryResponse.parse(await (await get('/v1/songs/song-a?period=day&region=us')).json());
    expect(day.regions.map((region) => region.region)).toEqual(['us']);
    expect(day.regions[0]!.entries.length).toBeGreaterThan(0);
    expect(Date.parse(day.to) - Date.parse(day.from)).toBe(60 * DAY);
  });

  it('knows a song from the catalog or from any chart, and answers 404 to any other', async () => {
    const uncatalogued = SongHistoryResponse.parse(await (await get('/v1/songs/song-x?period=hour')).json());
    expect([uncatalogued.title, uncatalogued.regions.find((r) => r.region === 'gb')?.entries.length]).toEqual(
      [null, 1],
    );
    const neverCharted = SongHistoryResponse.parse(
      await (await get('/v1/songs/song-quiet?period=day')).json(),
    );
    expect(neverCharted.title).toBe('Title of song-quiet');
    expect(neverCharted.regions.length).toBeGreaterThan(0);
    expect(neverCharted.regions.every((region) => region.entries.length === 0)).toBe(true);
    const unknown = await get('/v1/songs/song-nobody?period=hour');
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toEqual({ message: 'no song song-nobody in the catalog or in any chart' });
  });

  it.each([
    ['/v1/charts?region=us', 'period', 'must be hour or day'],
    ['/v1/charts/windows?region=us&period=hour&limit=0', 'limit', 'must be an integer from 1 to 168'],
    ['/v1/charts/windows?region=us&period=hour&before=soon', 'before', 'must be an RFC 3339 timestamp'],
    ['/v1/songs/song-a?period=week', 'period', 'must be hour or day'],
    ['/v1/songs/song-a?period=hour&region=mars', 'region', 'must be one of global'],
  ])('answers %s with a 400 naming %s', async (path, field, message) => {
    const response = await get(path);
    expect(response.status).toBe(400);
    const body = (await response.json()) as { message: string; errors: { field: string; message: string }[] };
    expect(body.errors).toHaveLength(1);
    expect(body.errors[0]!.field).toBe(field);
    expect(body.errors[0]!.message).toContain(message);
  });

  it("re-derives later windows when a middle one is restated: their ETag changes, an earlier one's does not", async () => {
    const etagOf = async (start: Date) => (await get(chartPath('us', 'hour', start))).headers.get('etag')!;
    const [before, after] = [await etagOf(H(-3)), await etagOf(H(-1))];

    // Late plays of H-2 reach the lake; the job charts H-2 again: song-d enters at the top.
    await writePlays(H(-2), 'us', { 'song-d': 10 });
    await chart('hour', H(-2));

    const earlier = await get(chartPath('us', 'hour', H(-3)), { 'if-none-match': before });
    expect(earlier.status).toBe(304);
    const later = await get(chartPath('us', 'hour', H(-1)), { 'if-none-match': after });
    expect(later.status).toBe(200);
    expect(later.headers.get('etag')).not.toBe(after);
    expect(await servedEntries('us', 'hour', H(-1))).toEqual(expectedEntries('us', 'hour', H(-1)));
    expect((await servedEntries('us', 'hour', H(-1))).map((entry) => entry.previous_rank)).toEqual([4, 2]);
  });
});
