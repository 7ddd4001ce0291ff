/**
 * charts: tallyTopSongs (the chart rules as one DuckDB query) over a day of Parquet files, for an
 * hour window and the day window, against plain DuckDB reads of the same files.
 */

import { createRandom } from '../src/adapters/catalog/seeded-random.ts';
import { tallyTopSongs } from '../src/adapters/duckdb/chart-query.ts';
import { readParquetFiles, sqlList, withDuckDb } from '../src/adapters/duckdb/duckdb.ts';
import { encodePlaysParquet } from '../src/adapters/duckdb/plays-parquet.ts';
import { LocalFolderStore } from '../src/adapters/object-store/local-folder.ts';
import { partitionFor } from '../src/adapters/transport/embedded/partitioner.ts';
import { type ChartWindow, MIN_MS_PLAYED, windowContaining } from '../src/domain/charts.ts';
import { playsFileKey, windowPrefix } from '../src/domain/lake-layout.ts';
import type { LakePlayRow } from '../src/domain/lake-row.ts';
import type { PlayEvent } from '../src/domain/play-event.ts';
import { GLOBAL_REGION } from '../src/domain/regions.ts';
import {
  type BenchOptions,
  formatNumber,
  formatRate,
  formatRatio,
  formatSeconds,
  interleave,
  planFor,
  printTable,
  type TableRow,
  timed,
  withTempDir,
} from './harness.ts';
import { createIndependentPlayGenerator, HOUR_MS, lakeRow, PLAYS_PARTITIONS, PLAYS_TOPIC } from './plays.ts';

const DAY = new Date('2026-11-26T00:00:00.000Z');
const HOURS = 24;
const DUPLICATE_SHARE = 0.05;
const CHARTED_HOUR = 12;

interface Lake {
  readonly store: LocalFolderStore;
  /** Distinct eligible plays per hour, known from generation: the tally must find exactly these. */
  readonly eligibleByHour: readonly number[];
  readonly rowsByHour: readonly number[];
}

/** One Parquet file per UTC hour of DAY, written with the lake's own encoder; ~5% redeliveries. */
async function writeDay(dir: string, totalRows: number): Promise<Lake> {
  const store = new LocalFolderStore(dir);
  const generator = createIndependentPlayGenerator({ seed: 3_000, shortShare: 0.25 });
  const random = createRandom(3_001);
  const nextOffsets = Array.from({ length: PLAYS_PARTITIONS }, () => 0);
  const eligibleByHour: number[] = [];
  const rowsByHour: number[] = [];
  for (let hour = 0; hour < HOURS; hour++) {
    const rowCount = Math.floor(totalRows / HOURS) + (hour < totalRows % HOURS ? 1 : 0);
    const uniqueCount = Math.round(rowCount * (1 - DUPLICATE_SHARE));
    const start = DAY.getTime() + hour * HOUR_MS;
    const rows: LakePlayRow[] = [];
    const deliver = (play: PlayEvent) => {
      const partition = partitionFor(play.user_id, PLAYS_PARTITIONS);
      rows.push(lakeRow(play, partition, nextOffsets[partition]!++));
    };
    for (let index = 0; index < uniqueCount; index++) {
      deliver(generator.playBetween(start, start + HOUR_MS));
    }
    // Redeliveries: an earlier play again, at a later offset of the same partition.
    for (let index = uniqueCount; index < rowCount; index++) deliver(rows[random.int(0, uniqueCount - 1)]!);
    eligibleByHour.push(rows.slice(0, uniqueCount).filter((row) => row.ms_played >= MIN_MS_PLAYED).length);
    rowsByHour.push(rows.length);
    const key = playsFileKey(new Date(start), {
      writer: 'bench',
      topic: PLAYS_TOPIC,
      partition: 0,
      firstOffset: hour,
    });
    await store.put(key, await encodePlaysParquet(rows));
  }
  return { store, eligibleByHour, rowsByHour };
}

const count = (files: readonly string[]) =>
  withDuckDb(async (connection) => {
    const rows = (
      await connection.runAndReadAll(`SELECT count(*) AS n FROM read_parquet(${sqlList(files)})`)
    ).getRowObjectsJS();
    return Number(rows[0]!.n);
  });

/** Reads every column the tally reads, and nothing more: decoding cost without the chart work. */
const scan = (files: readonly string[]) =>
  withDuckDb(async (connection) => {
    await connection.runAndReadAll(
      `SELECT max(event_id), max(song_id), max(region), max(played_at), sum(ms_played),
              max(source_topic), sum(source_partition), sum(source_offset)
       FROM ${readParquetFiles(files)}`,
    );
  });

/** The tally's first step alone: each event_id once, by its first delivery. */
const dedup = (files: readonly string[]) =>
  withDuckDb(async (connection) => {
    await connection.runAndReadAll(
      `SELECT count(*) FROM (
         SELECT event_id, song_id, region, played_at, ms_played, source_topic, source_partition, source_offset
         FROM ${readParquetFiles(files)}
         QUALIFY row_number() OVER (PARTITION BY event_id ORDER BY source_topic, source_partition, source_offset) = 1)`,
    );
  });

async function chartWindow(
  lake: Lake,
  window: ChartWindow,
  expectedEligible: number,
  options: BenchOptions,
): Promise<TableRow[]> {
  const keys = await lake.store.list(windowPrefix(window.period, window.start));
  const files = await lake.store.localCopies(keys);
  const rows = await count(files);
  const stats = await interleave(
    {
      tally: async () => {
        let eligible = -1;
        const seconds = await timed(async () => {
          const tallies = await tallyTopSongs(files, window);
          eligible = tallies.find((tally) => tally.region === GLOBAL_REGION)?.eligible_plays ?? 0;
        });
        if (eligible !== expectedEligible) {
          throw new Error(`tallyTopSongs counted ${eligible} eligible plays, expected ${expectedEligible}`);
        }
        return seconds;
      },
      count: () => timed(() => count(files)),
      scan: () => timed(() => scan(files)),
      dedup: () => timed(() => dedup(files)),
    },
    planFor(options),
  );
  const label = `${window.period} (${files.length} file${files.length === 1 ? '' : 's'}, ${formatNumber(rows)} rows)`;
  const figure = `${formatSeconds(stats.tally)}, ${formatRate(rows, stats.tally, 'rows/s').replace(/ ±.*/, '')}`;
  const versus = (name: string, baseline: (typeof stats)['tally']) => ({
    name: `${label} vs ${name}`,
    figure,
    baseline: `${formatSeconds(baseline)}, ${formatRate(rows, baseline, 'rows/s').replace(/ ±.*/, '')}`,
    ratio: formatRatio(stats.tally, baseline),
  });
  return [
    versus('count(*)', stats.count),
    versus('scan of its 8 columns', stats.scan),
    versus('dedup step alone', stats.dedup),
  ];
}

export async function run(options: BenchOptions): Promise<void> {
  const plan = planFor(options);
  const totalRows = options.quick ? 240_000 : 1_000_000;
  await withTempDir('charts', async (dir) => {
    const started = performance.now();
    const lake = await writeDay(dir, totalRows);
    const setupSeconds = (performance.now() - started) / 1000;
    const hourStart = new Date(DAY.getTime() + CHARTED_HOUR * HOUR_MS);
    const rows = [
      ...(await chartWindow(
        lake,
        windowContaining('hour', hourStart),
        lake.eligibleByHour[CHARTED_HOUR]!,
        options,
      )),
      ...(await chartWindow(
        lake,
        windowContaining('day', DAY),
        lake.eligibleByHour.reduce((sum, value) => sum + value, 0),
        options,
      )),
    ];
    printTable(
      `charts: tallyTopSongs over ${formatNumber(totalRows)} rows of ${DAY.toISOString().slice(0, 10)} in ${HOURS} Parquet files (one per hour; ${DUPLICATE_SHARE * 100}% redeliveries, 25% short plays)`,
      [
        'figure:    tallyTopSongs (dedup by event_id, window and 30 s filter, per-region and global top 10), median time and rows/s',
        'baselines: DuckDB over the same files: SELECT count(*) (Parquet metadata only); a scan of the 8 columns',
        '           the tally reads; the tally’s dedup step alone (QUALIFY row_number() … = 1)',
        `ratio:     figure ÷ baseline throughput; median of ${plan.runs} runs after ${plan.warmups} warm-up, ± half the range`,
        `setup:     generating and encoding the day took ${setupSeconds.toFixed(1)} s (not timed)`,
      ],
      rows,
    );
  });
}
