/**
 * The live chart's tallies against a real (embedded) PostgreSQL, fed through the live-chart use case as the
 * event source would feed it: partitions read in an interleaved order, batches of any size, batches delivered
 * again. Every window's live chart must equal the reference's for the deliveries it holds, and the chart query's
 * (DuckDB over the same rows as lake files): the final chart's semantics, exactly.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashString } from '../../../src/adapters/catalog/seeded-random.ts';
import { tallyTopSongs } from '../../../src/adapters/duckdb/chart-query.ts';
import { encodePlaysParquet } from '../../../src/adapters/duckdb/plays-parquet.ts';
import { PostgresLiveChartStore } from '../../../src/adapters/postgres/live-charts.ts';
import { type ChartWindow, LATE_PLAY_GRACE_MS, windowStartingAt } from '../../../src/domain/charts.ts';
import type { ConsumedRecord } from '../../../src/domain/consumed-record.ts';
import type { LakePlayRow } from '../../../src/domain/lake-row.ts';
import { keepLiveCharts } from '../../../src/use-cases/keep-live-charts.ts';
import { expectedLiveCharts, type LandedPlay, liveTraffic } from '../../support/live-traffic.ts';
import { chartStoreForThisFile } from '../support/postgres.ts';
import { type TempDir, tempDir } from '../support/temp.ts';

const regions = ['us', 'gb', 'de'];
const hour10 = windowStartingAt('hour', new Date('2026-11-20T10:00:00Z'));
const hour11 = windowStartingAt('hour', new Date('2026-11-20T11:00:00Z'));
const day = windowStartingAt('day', new Date('2026-11-20T00:00:00Z'));
// Hour 10 is closing (inside its grace), hour 11 and the day are open: all three are live.
const now = new Date('2026-11-20T11:03:00Z');
const PARTITIONS = 3;

const database = chartStoreForThisFile('live-charts');
let store: PostgresLiveChartStore;
let dir: TempDir;
beforeAll(async () => {
  store = new PostgresLiveChartStore(database.pool(), 10_000);
  dir = await tempDir('live-charts');
});
afterAll(async () => {
  await dir?.remove();
});

/** The traffic as records of a three-partition topic, keyed by user_id as ingest keys them. */
function landedRecords() {
  const sent = liveTraffic({
    seed: 5,
    count: 3000,
    from: hour10.start,
    to: now,
    boundary: hour11.start,
    regions,
    songs: 20,
  });
  const offsets = [0, 0, 0];
  const records: ConsumedRecord[] = [];
  const landed: LandedPlay[] = [];
  for (const play of sent) {
    const partition = hashString(play.user_id) % PARTITIONS;
    const offset = offsets[partition]!++;
    records.push({
      topic: 'song-plays',
      partition,
      offset,
      timestamp: now.getTime(),
      value: JSON.stringify(play),
    });
    landed.push({ ...play, source_partition: partition, source_offset: offset });
  }
  // One record the lake-writer rejects (unknown region): in no chart.
  records.push({
    topic: 'song-plays',
    partition: 0,
    offset: offsets[0]!++,
    timestamp: now.getTime(),
    value: JSON.stringify({
      ...sent[0],
      event_id: '6f1c1f38-51f5-4f2c-9a55-3f9b7f1d2a10',
      region: 'atlantis',
    }),
  });
  return { records, landed };
}

/**
 * The records as an event source hands them over: each partition in offset order, the partitions' batches
 * interleaved (partition 2 well ahead of 0, so lesser deliveries often arrive later), every fifth batch handed over
 * twice (a retry after a lost acknowledgement).
 */
function batchesOf(records: readonly ConsumedRecord[]): ConsumedRecord[][] {
  const byPartition = [0, 1, 2].map((p) => records.filter((record) => record.partition === p));
  const sizes = [37, 211, 499];
  const batches: ConsumedRecord[][] = [];
  const next = [0, 0, 0];
  let turn = 0;
  while (next.some((position, p) => position < byPartition[p]!.length)) {
    const p = [2, 2, 1, 2, 0, 1][turn++ % 6]!;
    const size = sizes[turn % sizes.length]!;
    const batch = byPartition[p]!.slice(next[p], next[p]! + size);
    next[p]! += batch.length;
    if (batch.length === 0) continue;
    batches.push(batch);
    if (batches.length % 5 === 0) batches.push(batch);
  }
  return batches;
}

/** The store's live chart of a window, in the reference's shape, per region. */
async function liveCharts(window: ChartWindow) {
  const charts = new Map<string, { eligible_plays: number; entries: unknown[] }>();
  for (const region of ['global', ...regions]) {
    const tally = await store.liveTally(region, window.period, window.start, 10);
    if (!tally) continue;
    charts.set(region, {
      eligible_plays: tally.eligiblePlays,
      entries: tally.songs.map((song, index) => ({
        rank: index + 1,
        song_id: song.song_id,
        plays: song.plays,
      })),
    });
  }
  return charts;
}

/** The chart query's charts of a window over the rows as lake files, one file per hour and partition. */
async function lakeCharts(landed: readonly LandedPlay[], window: ChartWindow) {
  const files: string[] = [];
  const rows: LakePlayRow[] = landed.map((play) => ({
    ...play,
    user_id: 'user',
    source_topic: 'song-plays',
  }));
  const groups = Map.groupBy(rows, (row) => `${row.played_at.slice(0, 13)}-${row.source_partition}`);
  for (const [key, group] of groups) {
    const path = join(dir.path, `${window.period}-${key}.parquet`);
    await writeFile(path, await encodePlaysParquet(group));
    files.push(path);
  }
  // A window's chart reads its hours' files only.
  const inWindow = files.filter((_, index) => {
    const hourOf = [...groups.keys()][index]!.slice(0, 13);
    const start = Date.parse(`${hourOf}:00:00Z`);
    return start >= window.start.getTime() && start < window.end.getTime();
  });
  const tallies = await tallyTopSongs(inWindow, window);
  return new Map(tallies.map(({ region, ...tally }) => [region, tally]));
}

describe('live charts (PostgresLiveChartStore through keepLiveCharts)', () => {
  const { records, landed } = landedRecords();

  it('holds the traffic the test is about', () => {
    const ids = Map.groupBy(landed, (play) => play.event_id);
    const repeated = [...ids.values()].filter((plays) => plays.length > 1);
    expect(repeated.length).toBeGreaterThan(300);
    // Repeats on another partition, with another duration, in another hour: each kind present.
    expect(repeated.some((plays) => new Set(plays.map((p) => p.source_partition)).size > 1)).toBe(true);
    expect(repeated.some((plays) => new Set(plays.map((p) => p.ms_played >= 30_000)).size > 1)).toBe(true);
    expect(repeated.some((plays) => new Set(plays.map((p) => p.played_at.slice(0, 13))).size > 1)).toBe(true);
  });

  it('tallies every window exactly as the reference and the chart query count the same deliveries', async () => {
    let invalid = 0;
    for (const batch of batchesOf(records)) {
      const summary = await keepLiveCharts(batch, { live: store, regions, clock: () => now });
      expect(summary.failures).toEqual([]);
      invalid += summary.invalid;
    }
    // The rejected record, once or twice (its batch may be one handed over again).
    expect(invalid).toBeGreaterThanOrEqual(1);
    for (const window of [hour10, hour11, day]) {
      const expected = expectedLiveCharts(landed, window.start, window.end);
      const live = await liveCharts(window);
      for (const region of ['global', ...regions]) {
        expect(live.get(region), `${window.period} ${window.start.toISOString()} ${region}`).toEqual(
          expected.get(region),
        );
      }
      const lake = await lakeCharts(landed, window);
      for (const region of ['global', ...regions]) {
        expect(live.get(region)).toEqual(lake.get(region));
      }
      // How far the tallies have got: the newest play of the window, whichever region, short or not.
      const newest = Math.max(
        ...landed
          .map((play) => Date.parse(play.played_at))
          .filter((at) => at >= window.start.getTime() && at < window.end.getTime()),
      );
      const global = await store.liveTally('global', window.period, window.start, 10);
      expect(global?.newestPlayAt.getTime()).toBe(newest);
    }
  });

  it('changes nothing when the whole stream is delivered again, in another order', async () => {
    const before = await liveCharts(day);
    const again = [...batchesOf(records)].reverse();
    for (const batch of again) {
      const summary = await keepLiveCharts(batch, { live: store, regions, clock: () => now });
      expect(summary.changed).toBe(0);
    }
    expect(await liveCharts(day)).toEqual(before);
  });

  it('tallies nothing into a final window and drops its tallies once final', async () => {
    const afterGrace = new Date(hour11.start.getTime() + LATE_PLAY_GRACE_MS);
    const late = records.filter((record) => record.partition === 1).slice(0, 10);
    const summary = await keepLiveCharts(late, { live: store, regions, clock: () => afterGrace });
    // Hour 10 is final then: its plays go only into the day.
    expect(summary.failures).toEqual([]);
    expect(await store.liveTally('global', 'hour', hour10.start, 10)).toBeUndefined();
    expect(await store.liveTally('global', 'hour', hour11.start, 10)).toBeDefined();
    expect(await store.liveTally('global', 'day', day.start, 10)).toBeDefined();
    const { rows } = await database
      .pool()
      .query("SELECT count(*)::int AS n FROM live_chart_plays WHERE period = 'hour' AND window_start = $1", [
        hour10.start,
      ]);
    expect(rows[0].n).toBe(0);
    expect((await store.newestLivePlay())?.getTime()).toBeLessThan(now.getTime());
  });
});
