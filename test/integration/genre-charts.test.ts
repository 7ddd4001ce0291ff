/**
 * Charts by genre: the chart jobs store each window's genre charts in PostgreSQL, from raw plays (the catalog
 * joined) or enriched ones alike, and GET /v1/charts?…&genre=… serves them with their movement; an unknown genre
 * is a 400 naming the genres. Expected charts are counted here, in TypeScript.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir, type TempDir } from '../../devkit/temp-dir.ts';
import { writeCatalog } from '../../local/catalog.ts';
import { encodePlaysParquet } from '../../src/adapters/duckdb/plays-parquet.ts';
import { LocalFolderStore } from '../../src/adapters/object-store/local-folder.ts';
import { playsFileKey } from '../../src/domain/lake-layout.ts';
import type { LakePlayRow } from '../../src/domain/lake-row.ts';
import { defaultRegions } from '../../src/domain/regions.ts';
import type { Song } from '../../src/domain/song.ts';
import { computeCharts } from '../../src/use-cases/compute-charts.ts';
import { enrichPlays } from '../../src/use-cases/enrich-plays.ts';
import { serveCharts } from '../../src/use-cases/serve-charts.ts';
import { enrichmentEngine } from '../../src/wiring/enrichment.ts';
import { chartJobPortsForTest } from '../support/chart-job-ports.ts';
import { get } from '../unit/support/fake-chart-store.ts';
import { chartStoreForThisFile } from '../unit/support/postgres.ts';

const database = chartStoreForThisFile('genre-charts');
const first = new Date('2026-11-20T10:00:00.000Z');
const second = new Date('2026-11-20T11:00:00.000Z');
const clock = () => new Date('2026-11-20T13:00:00.000Z');

// Rock: r1..r3; pop: p1, p2; song-x is in no catalog.
const songs: Song[] = [
  { song_id: 'r1', title: 'Rock One', artist: 'A', genre: 'rock' },
  { song_id: 'r2', title: 'Rock Two', artist: 'B', genre: 'rock' },
  { song_id: 'r3', title: 'Rock Three', artist: 'C', genre: 'rock' },
  { song_id: 'p1', title: 'Pop One', artist: 'D', genre: 'pop' },
  { song_id: 'p2', title: 'Pop Two', artist: 'E', genre: 'pop' },
];

let dir: TempDir;
let lake: LocalFolderStore;
let offset = 0;
const plays = (hour: Date, counts: Record<string, number>, region = 'gb'): LakePlayRow[] =>
  Object.entries(counts).flatMap(([song_id, n]) =>
    Array.from({ length: n }, (_, index) => ({
      event_id: `00000000-0000-4000-8000-${String(++offset).padStart(12, '0')}`,
      user_id: `u${index}`,
      song_id,
      region,
      played_at: new Date(hour.getTime() + 60_000 + index).toISOString(),
      ms_played: 40_000,
      source_topic: 'song-plays',
      source_partition: 0,
      source_offset: offset,
    })),
  );

async function writeHour(hour: Date, rows: LakePlayRow[]) {
  const key = playsFileKey(hour, {
    writer: 'lake-writer',
    topic: 'song-plays',
    partition: 0,
    firstOffset: rows[0]!.source_offset,
  });
  // Each play delivered twice, and a short play of r1 that never counts.
  const short = { ...rows[0]!, event_id: '00000000-0000-4000-8000-ffffffffffff', ms_played: 29_999 };
  await lake.put(key, await encodePlaysParquet([...rows, ...rows, short]), 'application/vnd.apache.parquet');
}

const chartHour = (windowStart: Date) =>
  computeCharts(
    { period: 'hour', windowStart },
    chartJobPortsForTest({ lake, charts: database.store(), clock }),
  );

const api = (query: Record<string, string>) =>
  serveCharts(get('/v1/charts', query), {
    charts: database.store(),
    regions: defaultRegions,
    clock,
    // No live tallies: every chart is the chart jobs' (the live chart has its own tests).
    live: { liveTally: async () => undefined },
    apiDocument: () => ({}),
  });
const body = async (query: Record<string, string>) => {
  const result = await api(query);
  expect(result.statusCode, JSON.stringify(result.body)).toBe(200);
  return JSON.parse(JSON.stringify(result.body)) as {
    genre?: string;
    eligible_plays: number;
    entries: {
      rank: number;
      song_id: string;
      title: string;
      plays: number;
      movement: string;
      previous_rank: number | null;
      peak_rank: number;
      periods_on_chart: number;
    }[];
  };
};
const ranks = (chart: Awaited<ReturnType<typeof body>>) =>
  chart.entries.map(({ rank, song_id, plays, movement, previous_rank, peak_rank, periods_on_chart }) => ({
    rank,
    song_id,
    plays,
    movement,
    previous_rank,
    peak_rank,
    periods_on_chart,
  }));

beforeAll(async () => {
  dir = await makeTempDir('genre-charts');
  lake = new LocalFolderStore(`${dir.path}/lake`);
  await writeCatalog(lake, songs);
  // What catalog-sync does: titles are served from the database.
  await database.store().upsertSongs(songs);
  await writeHour(first, [
    ...plays(first, { r1: 3, r2: 2, p1: 4, 'song-x': 5 }),
    ...plays(first, { r3: 1 }, 'us'),
  ]);
  await writeHour(second, plays(second, { r1: 1, r2: 4, r3: 2, p2: 1 }));
});
afterAll(async () => dir?.remove());

describe('charts by genre', () => {
  it('charts each genre per region and globally from raw plays, with movement across windows', async () => {
    await chartHour(first);
    await chartHour(second);
    const rockGb = await body({ region: 'gb', period: 'hour', start: second.toISOString(), genre: 'rock' });
    expect(rockGb.genre).toBe('rock');
    expect(rockGb.eligible_plays).toBe(7);
    expect(ranks(rockGb)).toEqual([
      {
        rank: 1,
        song_id: 'r2',
        plays: 4,
        movement: 'up',
        previous_rank: 2,
        peak_rank: 1,
        periods_on_chart: 2,
      },
      {
        rank: 2,
        song_id: 'r3',
        plays: 2,
        movement: 'new',
        previous_rank: null,
        peak_rank: 2,
        periods_on_chart: 1,
      },
      {
        rank: 3,
        song_id: 'r1',
        plays: 1,
        movement: 'down',
        previous_rank: 1,
        peak_rank: 1,
        periods_on_chart: 2,
      },
    ]);
    expect(rockGb.entries[0]!.title).toBe('Rock Two');
    const rockGlobalFirst = await body({
      region: 'global',
      period: 'hour',
      start: first.toISOString(),
      genre: 'rock',
    });
    expect(ranks(rockGlobalFirst).map(({ song_id, plays }) => [song_id, plays])).toEqual([
      ['r1', 3],
      ['r2', 2],
      ['r3', 1],
    ]);
    // The region's own chart counts every play, song-x (in no genre) included.
    const all = await body({ region: 'gb', period: 'hour', start: first.toISOString() });
    expect(all.genre).toBeUndefined();
    expect(all.eligible_plays).toBe(14);
    // A genre nobody played in that window: an empty chart of a window that has charts.
    const metal = await body({ region: 'gb', period: 'hour', start: first.toISOString(), genre: 'metal' });
    expect(metal).toMatchObject({ genre: 'metal', eligible_plays: 0, entries: [] });
    // Without start: the genre's chart of the latest window.
    expect(
      (await body({ region: 'gb', period: 'hour', genre: 'pop' })).entries.map((entry) => entry.song_id),
    ).toEqual(['p2']);
  });

  it('stores the same genre charts when the hours are read enriched', async () => {
    const before = await body({ region: 'gb', period: 'hour', start: second.toISOString(), genre: 'rock' });
    await enrichPlays(
      { period: 'day', windowStart: new Date('2026-11-20T00:00:00.000Z') },
      { lake, clock, ...enrichmentEngine },
    );
    const result = await chartHour(second);
    expect(result.computed[0]!.enriched_hours).toBe(1);
    const after = await body({ region: 'gb', period: 'hour', start: second.toISOString(), genre: 'rock' });
    expect({ ...after, generated_at: null }).toEqual({ ...before, generated_at: null });
    expect((await chartHour(first)).computed[0]!.enriched_hours).toBe(1);
    expect(
      ranks(await body({ region: 'us', period: 'hour', start: first.toISOString(), genre: 'rock' })),
    ).toEqual([
      {
        rank: 1,
        song_id: 'r3',
        plays: 1,
        movement: 'new',
        previous_rank: null,
        peak_rank: 1,
        periods_on_chart: 1,
      },
    ]);
  });

  it('refuses a genre that is not one of the catalog’s, naming them', async () => {
    const result = await api({ region: 'gb', period: 'hour', genre: 'polka' });
    expect(result.statusCode).toBe(400);
    expect(result.body).toMatchObject({
      message: expect.stringMatching(
        /^genre must be one of the catalog's genres: pop, hip-hop, rock, .*bollywood$/,
      ),
      errors: [{ field: 'genre' }],
    });
  });
});
