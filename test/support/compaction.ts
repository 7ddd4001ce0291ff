/**
 * Compaction tests' shared pieces: an hour of traffic written through the real lake-writer use case in many
 * small batches, and the charts a reader computes from a lake (listPlaysFiles + the chart query) next to the
 * independent reference charts of the same deliveries.
 */
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { expect } from 'vitest';
import { generateTraffic } from '../../devkit/play-batches.ts';
import { type ReferencePlay, referenceCharts } from '../../devkit/reference-charts.ts';
import { tallyTopSongs } from '../../src/adapters/duckdb/chart-query.ts';
import { compactPlayFiles } from '../../src/adapters/duckdb/compact-plays.ts';
import { encodePlaysWithHyparquet } from '../../src/adapters/parquet/plays-hyparquet.ts';
import { withScratchDir } from '../../src/adapters/scratch-dir.ts';
import { type ChartWindow, windowStartingAt } from '../../src/domain/charts.ts';
import type { ConsumedRecord } from '../../src/domain/consumed-record.ts';
import type { ObjectStore } from '../../src/ports/object-store.ts';
import type { CompactionPorts } from '../../src/use-cases/compact-plays.ts';
import { listPlaysFiles } from '../../src/use-cases/list-plays-files.ts';
import { writePlaysToLake } from '../../src/use-cases/write-plays-to-lake.ts';

export const COMPACTION_REGIONS = ['us', 'gb', 'de'] as const;
export const COMPACTION_HOUR = new Date('2026-11-20T10:00:00.000Z');
const TOPIC = 'song-plays';
const PARTITIONS = 3;

export interface WrittenHour {
  readonly deliveries: readonly ReferencePlay[];
  /** The next offset of each partition: where a later batch continues. */
  readonly nextOffsets: number[];
}

/** Deliveries as consumed records: round-robin over the partitions, offsets in order, received after the hour. */
export function recordsOf(deliveries: readonly ReferencePlay[], nextOffsets: number[]): ConsumedRecord[] {
  return deliveries.map((play, index) => {
    const partition = index % PARTITIONS;
    const offset = nextOffsets[partition]!;
    nextOffsets[partition] = offset + 1;
    return {
      topic: TOPIC,
      partition,
      offset,
      timestamp: Date.parse('2026-11-20T11:30:00Z'),
      value: JSON.stringify(play),
    };
  });
}

export async function writeThroughLakeWriter(
  lake: ObjectStore,
  records: readonly ConsumedRecord[],
  batchSize: number,
): Promise<void> {
  for (let start = 0; start < records.length; start += batchSize) {
    const summary = await writePlaysToLake(records.slice(start, start + batchSize), {
      lake,
      regions: COMPACTION_REGIONS,
      writer: 'lake-writer',
      encodePlays: encodePlaysWithHyparquet,
      // When the records were received: the hour is closed, so late ones mark it for restatement, as live.
      clock: () => new Date('2026-11-20T11:30:00Z'),
    });
    expect(summary.failures).toEqual([]);
  }
}

/** An hour of seeded traffic (duplicates included, invalid events left out) written in small batches. */
export async function writeTrafficHour(
  lake: ObjectStore,
  count = 2_000,
  options: { readonly seed?: number; readonly batchSize?: number } = {},
): Promise<WrittenHour> {
  const seed = options.seed ?? 13;
  const traffic = generateTraffic({
    seed,
    count,
    windowStart: COMPACTION_HOUR,
    windowMs: 3_600_000,
    regions: COMPACTION_REGIONS,
    songs: 40,
  });
  const nextOffsets = Array.from({ length: PARTITIONS }, () => 0);
  await writeThroughLakeWriter(lake, recordsOf(traffic.deliveries, nextOffsets), options.batchSize ?? 50);
  return { deliveries: traffic.deliveries, nextOffsets };
}

export const hourWindow = (): ChartWindow => windowStartingAt('hour', COMPACTION_HOUR);

/** The keys a reader of the window reads (listPlaysFiles). */
export async function keysToRead(lake: ObjectStore, window: ChartWindow = hourWindow()): Promise<string[]> {
  return (await listPlaysFiles(lake, window)).map((object) => object.key);
}

/** Region → chart, as the chart job computes it from what listPlaysFiles gives it. */
export async function chartsFromLake(lake: ObjectStore, window: ChartWindow = hourWindow()) {
  const keys = await keysToRead(lake, window);
  const tallies = await withScratchDir(async (dir) =>
    tallyTopSongs(await lake.localCopies(keys, dir), window),
  );
  return new Map(tallies.map(({ region, ...chart }) => [region, chart]));
}

export function referenceChartsOf(deliveries: readonly ReferencePlay[], window: ChartWindow = hourWindow()) {
  return referenceCharts(deliveries, window.start, window.end);
}

/** The charts a reader computes equal the reference charts of the deliveries, region by region. */
export async function expectExactCharts(lake: ObjectStore, deliveries: readonly ReferencePlay[]) {
  const actual = await chartsFromLake(lake);
  const expected = referenceChartsOf(deliveries);
  expect(new Map([...actual].sort())).toEqual(
    new Map([...expected].filter(([, chart]) => chart.eligible_plays > 0).sort()),
  );
}

/** Compaction's ports with the real DuckDB and a clock the test moves. */
export function compactionPorts(lake: ObjectStore, clock: () => Date): CompactionPorts {
  return {
    lake,
    clock,
    compact: compactPlayFiles,
    withScratchDir,
    readLocalFile: async (path) => new Uint8Array(await readFile(path)),
    randomHex: () => randomBytes(4).toString('hex'),
  };
}

/** Later deliveries of an event_id already delivered, per region: what compaction must report removing. */
export function duplicatesPerRegion(deliveries: readonly ReferencePlay[]): Record<string, number> {
  const seen = new Set<string>();
  const counts: Record<string, number> = {};
  for (const play of deliveries) {
    if (seen.has(play.event_id)) counts[play.region] = (counts[play.region] ?? 0) + 1;
    seen.add(play.event_id);
  }
  return counts;
}
