/**
 * The chart jobs read an hour's enriched files when they are current, its raw plays otherwise: the charts must
 * be the same either way, hour and day, and those of the independent reference (devkit/reference-charts.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateTraffic } from '../../devkit/play-batches.ts';
import { referenceCharts } from '../../devkit/reference-charts.ts';
import { makeTempDir, type TempDir } from '../../devkit/temp-dir.ts';
import { writeCatalog } from '../../local/catalog.ts';
import { encodePlaysParquet } from '../../src/adapters/duckdb/plays-parquet.ts';
import { LocalFolderStore } from '../../src/adapters/object-store/local-folder.ts';
import type { Chart, GenreChart, Period } from '../../src/domain/charts.ts';
import { hourPartitionPrefix, playsFileKey } from '../../src/domain/lake-layout.ts';
import type { LakePlayRow } from '../../src/domain/lake-row.ts';
import { defaultRegions } from '../../src/domain/regions.ts';
import { genres } from '../../src/domain/song.ts';
import type { ChartStore } from '../../src/ports/chart-store.ts';
import { type ChartJobResult, computeCharts } from '../../src/use-cases/compute-charts.ts';
import { enrichPlays } from '../../src/use-cases/enrich-plays.ts';
import { enrichmentEngine } from '../../src/wiring/enrichment.ts';
import { chartJobPortsForTest } from '../support/chart-job-ports.ts';

const DAY = new Date('2026-11-20T00:00:00.000Z');
const HOUR_MS = 3_600_000;
const clock = () => new Date('2026-11-21T01:00:00.000Z');

let dir: TempDir;
let lake: LocalFolderStore;
let deliveries: LakePlayRow[];

/** A chart store that keeps what the job stored, by window. */
function recordingStore() {
  const stored = new Map<string, Chart[]>();
  const genres = new Map<string, GenreChart[]>();
  const store: Pick<ChartStore, 'replaceWindow' | 'windowState' | 'unfinishedWindows'> = {
    replaceWindow: async (window, charts, genreCharts = []) => {
      stored.set(`${window.period} ${window.start.toISOString()}`, [...charts]);
      genres.set(`${window.period} ${window.start.toISOString()}`, [...genreCharts]);
      return { stored: true, restated: [] };
    },
    windowState: async () => undefined,
    unfinishedWindows: async () => [],
  };
  return { store: store as ChartStore, stored, genres };
}

async function chartAll(): Promise<{
  charts: Map<string, Chart[]>;
  genres: Map<string, GenreChart[]>;
  results: ChartJobResult[];
}> {
  const { store, stored, genres } = recordingStore();
  const ports = chartJobPortsForTest({ lake, charts: store, clock });
  const windows: [Period, Date][] = [
    ['day', DAY],
    ...[0, 1, 2, 3].map((hour): [Period, Date] => ['hour', new Date(DAY.getTime() + hour * HOUR_MS)]),
  ];
  const results: ChartJobResult[] = [];
  for (const [period, windowStart] of windows)
    results.push(await computeCharts({ period, windowStart }, ports));
  return { charts: stored, genres, results };
}

/** What a chart is, whenever it was computed. */
const withoutTime = (charts: Map<string, Chart[]>) =>
  new Map([...charts].map(([window, list]) => [window, list.map(({ generated_at: _, ...chart }) => chart)]));

beforeAll(async () => {
  dir = await makeTempDir('charts-from-enriched');
  lake = new LocalFolderStore(`${dir.path}/lake`);
  const traffic = generateTraffic({
    seed: 12,
    count: 4000,
    windowStart: DAY,
    windowMs: 4 * HOUR_MS,
    regions: defaultRegions,
    songs: 40,
  });
  // Deliveries as the lake-writer files them: three partitions, offsets in order, one file per hour and
  // partition of each batch of 250 records; redeliveries (4%) land in later files.
  const offsets = [0, 0, 0];
  deliveries = traffic.deliveries.map((play, index) => {
    const partition = index % 3;
    return {
      // The generated plays carry a user_id; ReferencePlay does not name it.
      user_id: 'user-0',
      ...play,
      source_topic: 'song-plays',
      source_partition: partition,
      source_offset: offsets[partition]!++,
    };
  });
  // One event delivered again an hour later with another played_at (a broken client): its first delivery
  // counts, in its own hour, in the day chart too.
  const moved = deliveries.find((play) => play.ms_played >= 30_000 && play.played_at < '2026-11-20T01:00')!;
  deliveries.push({
    ...moved,
    played_at: new Date(Date.parse(moved.played_at) + HOUR_MS).toISOString(),
    source_partition: 2,
    source_offset: offsets[2]!++,
  });
  for (let start = 0; start < deliveries.length; start += 250) {
    const batch = deliveries.slice(start, start + 250);
    const files = new Map<string, LakePlayRow[]>();
    for (const row of batch) {
      const hour = new Date(Math.floor(Date.parse(row.played_at) / HOUR_MS) * HOUR_MS);
      const group = `${hour.toISOString()} ${row.source_partition}`;
      files.set(group, [...(files.get(group) ?? []), row]);
    }
    for (const [group, rows] of files) {
      const hour = new Date(group.split(' ')[0]!);
      const key = playsFileKey(hour, {
        writer: 'lake-writer',
        topic: 'song-plays',
        partition: rows[0]!.source_partition,
        firstOffset: rows[0]!.source_offset,
      });
      await lake.put(key, await encodePlaysParquet(rows), 'application/vnd.apache.parquet');
    }
  }
  await writeCatalog(
    lake,
    Array.from({ length: 40 }, (_, song) => ({
      song_id: `song-${String(song).padStart(6, '0')}`,
      title: `Title ${song}`,
      artist: `Artist ${song % 7}`,
      genre: genres[song % genres.length]!,
    })),
  );
});
afterAll(async () => dir?.remove());

describe('charts from enriched plays', () => {
  it('are the charts from the raw plays, and the reference charts, for every hour and the day', async () => {
    const raw = await chartAll();
    expect(raw.results.flatMap((result) => result.computed.map((window) => window.enriched_hours))).toEqual([
      0, 0, 0, 0, 0,
    ]);

    const enriched = await enrichPlays(
      { period: 'day', windowStart: DAY },
      { lake, clock, ...enrichmentEngine },
    );
    expect(enriched.enriched).toHaveLength(4);
    const fromEnriched = await chartAll();
    expect(
      fromEnriched.results.flatMap((result) => result.computed.map((window) => window.enriched_hours)),
    ).toEqual([4, 1, 1, 1, 1]);
    // Enriched hours hold each event once: fewer files, fewer rows, the same charts.
    expect(fromEnriched.results[0]!.computed[0]!.files).toBe(4);
    expect(withoutTime(fromEnriched.charts)).toEqual(withoutTime(raw.charts));
    // Genres from the catalog joined to raw plays, or from the enriched column: the same genre charts.
    expect(fromEnriched.genres).toEqual(raw.genres);
    const dayGenres = raw.genres.get(`day ${DAY.toISOString()}`)!;
    expect(new Set(dayGenres.map((chart) => chart.genre))).toEqual(new Set(genres));
    // Every counted play of a known song is in its genre's global chart.
    const dayGlobal = raw.charts.get(`day ${DAY.toISOString()}`)!.find((chart) => chart.region === 'global')!;
    expect(
      dayGenres
        .filter((chart) => chart.region === 'global')
        .reduce((sum, chart) => sum + chart.eligible_plays, 0),
    ).toBe(dayGlobal.eligible_plays);

    const firstDeliveries = [...deliveries].sort(
      (a, b) => a.source_partition - b.source_partition || a.source_offset - b.source_offset,
    );
    for (const [window, charts] of raw.charts) {
      const [period, start] = window.split(' ') as [Period, string];
      const from = new Date(start);
      const to = new Date(from.getTime() + (period === 'day' ? 24 : 1) * HOUR_MS);
      // A window reads the deliveries filed under its hours (an event moved to another hour counts there too).
      const filed = firstDeliveries.filter(
        (play) => play.played_at >= from.toISOString() && play.played_at < to.toISOString(),
      );
      const reference = referenceCharts(filed, from, to);
      for (const chart of charts) {
        const expected = reference.get(chart.region) ?? { eligible_plays: 0, entries: [] };
        expect({
          window,
          region: chart.region,
          eligible: chart.eligible_plays,
          entries: chart.entries,
        }).toEqual({
          window,
          region: chart.region,
          eligible: expected.eligible_plays,
          entries: expected.entries,
        });
      }
    }
  });

  it('reads the raw plays of an hour whose plays changed since it was enriched, and the same charts come out', async () => {
    await enrichPlays({ period: 'day', windowStart: DAY }, { lake, clock, ...enrichmentEngine });
    const before = await chartAll();
    // A late play into hour 2: its enrichment is no longer current.
    const hour = new Date(DAY.getTime() + 2 * HOUR_MS);
    const late: LakePlayRow = {
      ...deliveries[0]!,
      event_id: '00000000-0000-4000-8000-00000000beef',
      played_at: new Date(hour.getTime() + 60_000).toISOString(),
      ms_played: 60_000,
      source_partition: 1,
      source_offset: 99_999,
    };
    const key = playsFileKey(hour, {
      writer: 'lake-writer',
      topic: 'song-plays',
      partition: 1,
      firstOffset: 99_999,
    });
    await lake.put(key, await encodePlaysParquet([late]), 'application/vnd.apache.parquet');
    expect((await lake.list(hourPartitionPrefix(hour))).includes(key)).toBe(true);

    const after = await chartAll();
    expect(after.results.map((result) => result.computed[0]!.enriched_hours)).toEqual([3, 1, 1, 0, 1]);
    const global = (charts: Map<string, Chart[]>, window: string) =>
      charts.get(window)!.find((chart) => chart.region === 'global')!.eligible_plays;
    expect(global(after.charts, `hour ${hour.toISOString()}`)).toBe(
      global(before.charts, `hour ${hour.toISOString()}`) + 1,
    );
    expect(global(after.charts, `day ${DAY.toISOString()}`)).toBe(
      global(before.charts, `day ${DAY.toISOString()}`) + 1,
    );

    // Enriched again, the hour reads enriched, with the late play.
    await enrichPlays({ period: 'hour', windowStart: hour }, { lake, clock, ...enrichmentEngine });
    const again = await chartAll();
    expect(again.results.map((result) => result.computed[0]!.enriched_hours)).toEqual([4, 1, 1, 1, 1]);
    expect(withoutTime(again.charts)).toEqual(withoutTime(after.charts));
    expect(again.genres).toEqual(after.genres);
  });
});
