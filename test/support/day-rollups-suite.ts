/**
 * Day charts from hour rollups (src/use-cases/day-rollups.ts) against a data lake store, on the folder lake always
 * and on a real S3-compatible server when one is set up. Each case compares the day computed from rollups with
 * the day read whole (the chart query over every file) and with the independent reference
 * (devkit/reference-charts.ts); the lake counts with counts made here from the deliveries.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { referenceCharts } from '../../devkit/reference-charts.ts';
import { writeCatalog } from '../../local/catalog.ts';
import { tallyTopSongs } from '../../src/adapters/duckdb/chart-query.ts';
import { tallyDayFromRollups } from '../../src/adapters/duckdb/day-query.ts';
import { buildHourRollupFiles } from '../../src/adapters/duckdb/hour-rollup.ts';
import { countLakeFiles, tallyAndCountPlays } from '../../src/adapters/duckdb/lake-counts.ts';
import { encodePlaysParquet } from '../../src/adapters/duckdb/plays-parquet.ts';
import { withScratchDir } from '../../src/adapters/scratch-dir.ts';
import type { Chart, GenreChart } from '../../src/domain/charts.ts';
import { playsFileKey } from '../../src/domain/lake-layout.ts';
import type { LakePlayRow } from '../../src/domain/lake-row.ts';
import type { LakeCounts } from '../../src/domain/pipeline-counts.ts';
import {
  isRollupCrossersFile,
  isRollupSumsFile,
  parseRollupManifest,
  rollupDayPrefix,
  rollupManifestKey,
} from '../../src/domain/rollups.ts';
import type { ChartStore } from '../../src/ports/chart-store.ts';
import type { ObjectStore } from '../../src/ports/object-store.ts';
import { type ComputedWindow, computeCharts } from '../../src/use-cases/compute-charts.ts';
import type { LakeUnderTest } from './enrichment-suite.ts';

export const DAY = new Date('2026-11-20T00:00:00.000Z');
const HOUR_MS = 3_600_000;
const REGIONS = ['br', 'gb', 'us'];
export const at = (hour: number, minute = 15) => new Date(DAY.getTime() + hour * HOUR_MS + minute * 60_000);
const id = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;

export const play = (
  n: number,
  hour: number,
  partition: number,
  offset: number,
  over: Partial<LakePlayRow> = {},
): LakePlayRow => ({
  event_id: id(n),
  user_id: 'u1',
  song_id: 'song-a',
  region: 'br',
  played_at: at(hour).toISOString(),
  ms_played: 45_000,
  source_topic: 'song-plays',
  source_partition: partition,
  source_offset: offset,
  ...over,
});

/**
 * Hours 0–5 of DAY: duplicates within an hour, short plays, and event_ids delivered into two or three hours with
 * another played_at (and song, region, length): first in the earlier hour, first in the later hour by source
 * position, one short first delivery, one into the open hour (5 when the clock is 05:30).
 */
export const deliveries: readonly LakePlayRow[] = [
  play(1, 0, 0, 0),
  play(1, 0, 1, 0), // the same event again, later: a duplicate within the hour
  play(2, 0, 0, 1, { song_id: 'song-b', ms_played: 10_000 }), // short
  play(3, 0, 0, 2, { song_id: 'song-b' }),
  play(6, 0, 1, 7, { region: 'gb' }),
  play(4, 1, 0, 5, { region: 'us' }),
  play(5, 1, 0, 3, { song_id: 'song-b', ms_played: 12_000 }), // short, and the first delivery of event 5
  play(9, 1, 2, 1, { song_id: 'song-c' }),
  play(11, 1, 2, 2, { song_id: 'song-c' }),
  play(5, 2, 2, 20, { song_id: 'song-b' }), // long, but a later delivery: the day does not count event 5
  play(9, 2, 2, 4, { song_id: 'song-b', region: 'gb' }),
  play(12, 2, 1, 9, { song_id: 'song-b' }),
  play(4, 3, 0, 9, { song_id: 'song-b', region: 'us' }), // event 4 again, two hours later: counted in hour 1
  play(13, 3, 0, 10, { song_id: 'song-c', region: 'us', ms_played: 29_999 }),
  play(9, 4, 0, 30, { song_id: 'song-a', region: 'us' }), // event 9, third hour
  play(14, 4, 1, 31, { song_id: 'song-b', region: 'gb' }),
  play(6, 5, 1, 30, { song_id: 'song-c', region: 'gb' }), // event 6 again, in the open hour
  play(7, 5, 0, 40, { ms_played: 5_000 }),
  play(8, 5, 0, 41, { song_id: 'song-b' }),
  play(8, 5, 2, 41, { song_id: 'song-b' }),
];

export async function writePlays(lake: ObjectStore, rows: readonly LakePlayRow[]): Promise<void> {
  const files = Map.groupBy(rows, (row) => `${row.played_at.slice(0, 13)} ${row.source_partition}`);
  for (const group of files.values()) {
    const hour = new Date(`${group[0]!.played_at.slice(0, 13)}:00:00.000Z`);
    const key = playsFileKey(hour, {
      writer: 'lake-writer',
      topic: 'song-plays',
      partition: group[0]!.source_partition,
      firstOffset: Math.min(...group.map((row) => row.source_offset)),
    });
    await lake.put(key, await encodePlaysParquet([...group]), 'application/vnd.apache.parquet');
  }
}

/** The day's chart job, with or without rollups; what it stored and answered. */
async function chartDay(lake: ObjectStore, now: Date, withRollups: boolean) {
  let charts: Chart[] = [];
  let genreCharts: GenreChart[] = [];
  let counts: LakeCounts[] = [];
  const store: Pick<ChartStore, 'replaceWindow' | 'windowState' | 'unfinishedWindows'> = {
    replaceWindow: async (_window, stored, genres = []) => {
      charts = stored.map(({ generated_at: _, status: __, ...chart }) => chart as Chart);
      genreCharts = [...genres];
      return { stored: true, restated: [] };
    },
    windowState: async () => undefined,
    unfinishedWindows: async () => [],
  };
  const result = await computeCharts(
    { period: 'day', windowStart: DAY },
    {
      lake,
      charts: store as ChartStore,
      clock: () => now,
      regions: REGIONS,
      tally: tallyTopSongs,
      countLakeFiles,
      tallyAndCount: tallyAndCountPlays,
      counts: {
        replaceLakeCounts: async (_period, _start, stored) => {
          counts = [...stored];
        },
      },
      withScratchDir,
      ...(withRollups
        ? { rollups: { buildHourRollup: buildHourRollupFiles, tallyDay: tallyDayFromRollups } }
        : {}),
    },
  );
  return { charts, genreCharts, counts, computed: result.computed[0] as ComputedWindow };
}

/** The lake counts the contract defines, from the deliveries themselves: rows, later deliveries, short firsts. */
function expectedCounts(rows: readonly LakePlayRow[]) {
  const byPosition = [...rows].sort(
    (a, b) => a.source_partition - b.source_partition || a.source_offset - b.source_offset,
  );
  const seen = new Set<string>();
  const counts = new Map<string, { in_lake: number; duplicates: number; short_plays: number }>();
  for (const row of byPosition) {
    const first = !seen.has(row.event_id);
    seen.add(row.event_id);
    for (const region of [row.region, 'global']) {
      const count = counts.get(region) ?? { in_lake: 0, duplicates: 0, short_plays: 0 };
      count.in_lake += 1;
      if (!first) count.duplicates += 1;
      else if (row.ms_played < 30_000) count.short_plays += 1;
      counts.set(region, count);
    }
  }
  return counts;
}

/** Checks the day from rollups against the day read whole, the reference and the expected counts. */
export async function expectExactDay(lake: ObjectStore, now: Date, rows: readonly LakePlayRow[]) {
  const rolled = await chartDay(lake, now, true);
  const whole = await chartDay(lake, now, false);
  expect(whole.computed.rollup_hours).toBe(0);
  expect(rolled.charts).toEqual(whole.charts);
  expect(rolled.genreCharts).toEqual(whole.genreCharts);
  expect(rolled.counts).toEqual(whole.counts);
  const byPosition = [...rows].sort(
    (a, b) => a.source_partition - b.source_partition || a.source_offset - b.source_offset,
  );
  const reference = referenceCharts(byPosition, DAY, new Date(DAY.getTime() + 24 * HOUR_MS));
  for (const chart of rolled.charts) {
    const expected = reference.get(chart.region) ?? { eligible_plays: 0, entries: [] };
    expect({ region: chart.region, eligible: chart.eligible_plays, entries: chart.entries }).toEqual({
      region: chart.region,
      eligible: expected.eligible_plays,
      entries: expected.entries,
    });
  }
  const expected = expectedCounts(rows);
  for (const count of rolled.counts) {
    const { in_lake, duplicates, short_plays } = count;
    expect({ region: count.region, in_lake, duplicates, short_plays }).toEqual({
      region: count.region,
      ...(expected.get(count.region) ?? { in_lake: 0, duplicates: 0, short_plays: 0 }),
    });
  }
  return rolled;
}

/** The catalog (songs a and b; c unknown) and the day's deliveries. */
export async function writeDay(lake: ObjectStore): Promise<void> {
  await writeCatalog(lake, [
    { song_id: 'song-a', title: 'A', artist: 'Ana', genre: 'pop' },
    { song_id: 'song-b', title: 'B', artist: 'Bo', genre: 'rock' },
  ]);
  await writePlays(lake, deliveries);
}

export function describeDayRollups(name: string, makeLake: () => Promise<LakeUnderTest>): void {
  describe(`day charts from hour rollups on ${name}`, () => {
    let under: LakeUnderTest;
    let lake: ObjectStore;
    beforeEach(async () => {
      under = await makeLake();
      lake = under.lake;
      await writeDay(lake);
    });
    afterEach(async () => under.cleanup());

    it('sums the final hours and reads the others whole, exactly: duplicates, short plays, event_ids in two or three hours', async () => {
      // 05:03: hour 4 is in its grace, hour 5 open: both read whole.
      const early = await expectExactDay(lake, at(5, 3), deliveries);
      expect(early.computed.rollup_hours).toBe(4);
      const rolled = await expectExactDay(lake, at(5, 30), deliveries);
      expect(rolled.computed.rollup_hours).toBe(5);
      // The day is what the reference says; spelled out for the global chart: events 1, 3, 4 (hour 1), 6 (hour 0),
      // 8, 9 (hour 4: partition 0 comes first), 11, 12, 14 count; 2, 7, 13 are short; 5's first delivery is short.
      const global = rolled.charts.find((chart) => chart.region === 'global')!;
      expect(global.eligible_plays).toBe(9);
      expect(global.entries).toEqual([
        { rank: 1, song_id: 'song-a', plays: 4 },
        { rank: 2, song_id: 'song-b', plays: 4 },
        { rank: 3, song_id: 'song-c', plays: 1 },
      ]);
      // A song the catalog does not know (song-c) is in no genre's chart.
      expect(
        rolled.genreCharts
          .filter((chart) => chart.region === 'global')
          .map(({ genre, eligible_plays }) => ({ genre, eligible_plays })),
      ).toEqual([
        { genre: 'pop', eligible_plays: 4 },
        { genre: 'rock', eligible_plays: 4 },
      ]);
      // A later run reads the rollups it built (the same manifests, not rebuilt) and the events found in two of
      // them by the run before, with their counts summed (two more files: the crossers and the sums of those
      // rollups).
      const manifest = await lake.get(rollupManifestKey(at(2, 0)));
      const crossers = (await lake.list(rollupDayPrefix(DAY))).filter(isRollupCrossersFile);
      const sums = (await lake.list(rollupDayPrefix(DAY))).filter(isRollupSumsFile);
      expect(crossers).toHaveLength(1);
      expect(sums).toHaveLength(1);
      const again = await expectExactDay(lake, at(5, 40), deliveries);
      expect(again.computed.rollup_hours).toBe(5);
      // The run at 05:30 read the part of the open hour seen at 05:03 (its keys file instead of its 3 plays files)
      // and looked its events up among the 5 rollups; this one reads that probe file too.
      expect(again.computed.files).toBe(rolled.computed.files + 3);
      expect(await lake.get(rollupManifestKey(at(2, 0)))).toEqual(manifest);
      expect((await lake.list(rollupDayPrefix(DAY))).filter(isRollupCrossersFile)).toEqual(crossers);
      expect((await lake.list(rollupDayPrefix(DAY))).filter(isRollupSumsFile)).toEqual(sums);
      // Crossers without their sums (a run stopped between the two writes, or a lake from before the sums): the
      // next run finds and sums both again, exactly, and keeps them.
      await lake.delete(sums[0]!);
      const resummed = await expectExactDay(lake, at(5, 41), deliveries);
      expect(resummed.computed.files).toBe(again.computed.files - 2);
      expect((await lake.list(rollupDayPrefix(DAY))).filter(isRollupCrossersFile)).toEqual(crossers);
      expect((await lake.list(rollupDayPrefix(DAY))).filter(isRollupSumsFile)).toEqual(sums);
    });

    it('builds an hour again when a late play restates it, and the day stays exact', async () => {
      await expectExactDay(lake, at(7), deliveries);
      const before = parseRollupManifest(await lake.get(rollupManifestKey(at(2, 0))))!;
      // Late into hour 2, hours after it was final: a new event, and event 4 a third time (not counted again).
      const late = [
        play(20, 2, 1, 50, { song_id: 'song-c', region: 'gb' }),
        play(4, 2, 1, 51, { song_id: 'song-a' }),
      ];
      await writePlays(lake, late);
      const after = await expectExactDay(lake, at(7, 5), [...deliveries, ...late]);
      expect(after.computed.rollup_hours).toBe(6);
      const rebuilt = parseRollupManifest(await lake.get(rollupManifestKey(at(2, 0))))!;
      expect(rebuilt.inputs.plays.length).toBe(before.inputs.plays.length + 1);
      expect(rebuilt.files).not.toEqual(before.files);
      expect(after.charts.find((chart) => chart.region === 'global')!.eligible_plays).toBe(10);
    });

    it('is exact without a catalog, and for a past day read from rollups alone', async () => {
      await lake.delete('catalog/songs.parquet');
      const rolled = await expectExactDay(lake, new Date(DAY.getTime() + 30 * HOUR_MS), deliveries);
      expect(rolled.computed.rollup_hours).toBe(6);
      expect(rolled.genreCharts).toEqual([]);
    });
  });
}
