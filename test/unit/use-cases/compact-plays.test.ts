import { cp } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { generateTraffic } from '../../../devkit/play-batches.ts';
import { tallyTopSongs } from '../../../src/adapters/duckdb/chart-query.ts';
import { countLakeFiles, tallyAndCountPlays } from '../../../src/adapters/duckdb/lake-counts.ts';
import { LocalFolderStore } from '../../../src/adapters/object-store/local-folder.ts';
import { withScratchDir } from '../../../src/adapters/scratch-dir.ts';
import type { Chart } from '../../../src/domain/charts.ts';
import { parseCompactionManifest, RETIRED_FILE_DELAY_MS } from '../../../src/domain/compaction.ts';
import {
  compactedFilesPrefix,
  compactionManifestKey,
  isWriterPlaysFile,
} from '../../../src/domain/lake-layout.ts';
import type { LakeCounts } from '../../../src/domain/pipeline-counts.ts';
import type { ObjectStore } from '../../../src/ports/object-store.ts';
import { compactClosedHours, compactHour } from '../../../src/use-cases/compact-plays.ts';
import { computeCharts } from '../../../src/use-cases/compute-charts.ts';
import {
  COMPACTION_HOUR,
  chartsFromLake,
  compactionPorts,
  duplicatesPerRegion,
  expectExactCharts,
  keysToRead,
  recordsOf,
  writeThroughLakeWriter,
  writeTrafficHour,
} from '../../support/compaction.ts';
import { withOverrides } from '../../support/store-overrides.ts';
import { fakeChartStore } from '../support/fake-chart-store.ts';
import { queryDuckDb, readPlayRows, sqlText, type TempDir, tempDir } from '../support/temp.ts';

let dir: TempDir;
let lake: LocalFolderStore;
let now: Date;
const clock = () => now;

beforeEach(async () => {
  dir = await tempDir('compact');
  lake = new LocalFolderStore(join(dir.path, 'lake'));
  now = new Date('2026-11-20T11:30:00Z');
});
afterEach(async () => {
  await dir.remove();
});

const manifestOf = async (store: ObjectStore = lake) => {
  const key = compactionManifestKey(COMPACTION_HOUR);
  const bytes = await store.get(key);
  return bytes ? parseCompactionManifest(key, bytes) : undefined;
};
const compactedKeys = async (store: ObjectStore = lake) => store.list(compactedFilesPrefix(COMPACTION_HOUR));

describe('compactHour', () => {
  it('keeps the charts exactly, reads a few files instead of many, each event once, sorted', async () => {
    const { deliveries } = await writeTrafficHour(lake);
    const before = await chartsFromLake(lake);
    await expectExactCharts(lake, deliveries);
    const writerFiles = (await lake.list('plays/')).filter(isWriterPlaysFile);
    expect(writerFiles.length).toBeGreaterThan(100);

    const result = await compactHour(COMPACTION_HOUR, compactionPorts(lake, clock));
    expect(result).toMatchObject({ status: 'compacted', writer_files: writerFiles.length, files: 1 });

    expect(await chartsFromLake(lake)).toEqual(before);
    await expectExactCharts(lake, deliveries);
    const keys = await keysToRead(lake);
    expect(keys).toEqual(await compactedKeys());
    const rows = await readPlayRows(await lake.localCopies(keys));
    expect(rows).toHaveLength(new Set(deliveries.map((play) => play.event_id)).size);
    expect(result.rows).toBe(rows.length);
    const inFileOrder = await queryDuckDb(
      `SELECT strftime(played_at AT TIME ZONE 'UTC', '%Y-%m-%dT%H:%M:%S.%g') || ' ' || event_id AS k
       FROM read_parquet(${sqlText((await lake.localCopies(keys))[0]!)})`,
    );
    const order = inFileOrder.map((row) => String(row.k));
    expect(order).toEqual([...order].sort());

    const manifest = await manifestOf();
    expect(manifest?.files).toEqual(keys);
    expect(Object.keys(manifest?.replaces ?? {}).sort()).toEqual(writerFiles);
    expect(manifest?.duplicates_removed).toEqual(duplicatesPerRegion(deliveries));
    // The day's chart reads the compacted hour too, and is the same.
    expect(
      await chartsFromLake(lake, {
        period: 'day',
        start: new Date('2026-11-20'),
        end: new Date('2026-11-21'),
      }),
    ).toEqual(before);
  });

  it('is idempotent: a second run with nothing new changes nothing', async () => {
    await writeTrafficHour(lake, 600);
    await compactHour(COMPACTION_HOUR, compactionPorts(lake, clock));
    const manifest = await manifestOf();
    const files = await lake.listObjects('plays/');
    const again = await compactHour(COMPACTION_HOUR, compactionPorts(lake, clock));
    expect(again).toMatchObject({ status: 'up to date', writer_files: 0, deleted: 0 });
    expect(await manifestOf()).toEqual(manifest);
    expect(await lake.listObjects('plays/')).toEqual(files);
  });

  it('folds in a file that arrives after compaction: read at once, compacted by the next run', async () => {
    const first = await writeTrafficHour(lake, 1_000);
    await compactHour(COMPACTION_HOUR, compactionPorts(lake, clock));
    // Late plays of the hour, with redeliveries of plays already compacted.
    const late = generateTraffic({
      seed: 99,
      count: 300,
      windowStart: COMPACTION_HOUR,
      windowMs: 3_600_000,
      regions: ['us', 'gb', 'de'],
      songs: 40,
    }).deliveries;
    const redelivered = first.deliveries.slice(0, 40);
    await writeThroughLakeWriter(lake, recordsOf([...late, ...redelivered], first.nextOffsets), 500);
    const all = [...first.deliveries, ...late, ...redelivered];
    await expectExactCharts(lake, all);
    expect((await keysToRead(lake)).some(isWriterPlaysFile)).toBe(true);

    now = new Date(now.getTime() + 15 * 60_000);
    const second = await compactHour(COMPACTION_HOUR, compactionPorts(lake, clock));
    expect(second).toMatchObject({ status: 'compacted', writer_files: 3 });
    await expectExactCharts(lake, all);
    expect((await keysToRead(lake)).some(isWriterPlaysFile)).toBe(false);
    expect((await manifestOf())?.duplicates_removed).toEqual(duplicatesPerRegion(all));
    // The first generation's file stays until no reader can hold the old manifest, then goes.
    expect(await compactedKeys()).toHaveLength(2);
    now = new Date(now.getTime() + RETIRED_FILE_DELAY_MS);
    expect(await compactHour(COMPACTION_HOUR, compactionPorts(lake, clock))).toMatchObject({
      status: 'up to date',
      deleted: 1,
    });
    expect(await compactedKeys()).toEqual((await manifestOf())?.files);
    await expectExactCharts(lake, all);
  });

  it('reads a writer file again when a retried batch rewrote it with more rows after compaction', async () => {
    const traffic = generateTraffic({
      seed: 5,
      count: 200,
      windowStart: COMPACTION_HOUR,
      windowMs: 3_600_000,
      regions: ['us'],
      songs: 10,
    }).deliveries;
    const records = recordsOf(traffic, [0, 0, 0]).filter((record) => record.partition === 0);
    await writeThroughLakeWriter(lake, records.slice(0, 20), 1_000);
    await compactHour(COMPACTION_HOUR, compactionPorts(lake, clock));
    // The retry of the same first offset, longer: same file name, other bytes.
    await writeThroughLakeWriter(lake, records, 1_000);
    const delivered = records.map((record) => JSON.parse(record.value));
    await expectExactCharts(lake, delivered);
    await compactHour(COMPACTION_HOUR, compactionPorts(lake, clock));
    await expectExactCharts(lake, delivered);
  });

  it.each([
    ['writing its compacted file', 1],
    ['writing its manifest', 2],
  ])('killed while %s: readers see exact charts, the next run completes', async (_, failingPut) => {
    const first = await writeTrafficHour(lake, 800);
    await compactHour(COMPACTION_HOUR, compactionPorts(lake, clock));
    const late = first.deliveries.slice(0, 100);
    await writeThroughLakeWriter(lake, recordsOf(late, first.nextOffsets), 100);
    const all = [...first.deliveries, ...late];
    const base = join(dir.path, 'lake');
    const copy = join(dir.path, `crash-${failingPut}`);
    await cp(base, copy, { recursive: true });
    const crashing = crashAtPut(new LocalFolderStore(copy), failingPut);
    now = new Date(now.getTime() + 60_000);
    await expect(compactHour(COMPACTION_HOUR, compactionPorts(crashing, clock))).rejects.toThrow(/crash/);

    const afterCrash = new LocalFolderStore(copy);
    await expectExactCharts(afterCrash, all);
    const finished = await compactHour(COMPACTION_HOUR, compactionPorts(afterCrash, clock));
    expect(finished.status).toBe('compacted');
    await expectExactCharts(afterCrash, all);
    expect((await keysToRead(afterCrash)).some(isWriterPlaysFile)).toBe(false);
    // Whatever the crash left (an unnamed file), and the replaced generation, go once old enough.
    now = new Date(now.getTime() + RETIRED_FILE_DELAY_MS);
    await compactHour(COMPACTION_HOUR, compactionPorts(afterCrash, clock));
    expect(await compactedKeys(afterCrash)).toEqual((await manifestOf(afterCrash))?.files);
    await expectExactCharts(afterCrash, all);
  });
});

describe('the chart job over a compacted hour', () => {
  it('stores the same charts, from one file instead of one per batch and partition', async () => {
    await writeTrafficHour(lake, 1_000);
    const chartJob = async () => {
      let stored: readonly Chart[] = [];
      let counted: readonly LakeCounts[] = [];
      const result = await computeCharts(
        { period: 'hour', windowStart: COMPACTION_HOUR },
        {
          lake,
          charts: {
            ...fakeChartStore([]).store,
            replaceWindow: async (_window, charts) => {
              stored = charts;
              return { stored: true, restated: [] };
            },
          },
          clock: () => new Date('2026-11-20T12:00:00Z'),
          regions: ['us', 'gb', 'de'],
          tally: tallyTopSongs,
          countLakeFiles,
          tallyAndCount: tallyAndCountPlays,
          counts: {
            replaceLakeCounts: async (_period, _start, counts) => {
              counted = counts;
            },
          },
          withScratchDir,
        },
      );
      return {
        files: result.computed[0]!.files,
        charts: stored.map(({ generated_at: _, ...chart }) => chart),
        counted,
      };
    };
    const before = await chartJob();
    await compactHour(COMPACTION_HOUR, compactionPorts(lake, clock));
    const after = await chartJob();
    expect(after.charts).toEqual(before.charts);
    // GET /v1/pipeline's lake counts too: in_lake and duplicates include what compaction removed.
    expect(after.counted).toEqual(before.counted);
    expect(before.counted.find((count) => count.region === 'global')?.duplicates).toBeGreaterThan(0);
    expect(before.files).toBe((await lake.list('plays/')).filter(isWriterPlaysFile).length);
    expect(before.files).toBeGreaterThan(50);
    expect(after.files).toBe(1);
  });
});

describe('compactClosedHours', () => {
  it('compacts the closed hours with new files and leaves the open hour to the writers', async () => {
    await writeTrafficHour(lake, 300);
    const open = generateTraffic({
      seed: 8,
      count: 50,
      windowStart: new Date('2026-11-20T11:00:00Z'),
      windowMs: 1_800_000,
      regions: ['us'],
      songs: 5,
    }).deliveries;
    await writeThroughLakeWriter(lake, recordsOf(open, [1_000, 1_000, 1_000]), 50);
    const results = await compactClosedHours(compactionPorts(lake, clock));
    expect(results.map((result) => [result.window_start, result.status])).toEqual([
      ['2026-11-20T10:00:00.000Z', 'compacted'],
    ]);
    expect(await lake.list(compactedFilesPrefix(new Date('2026-11-20T11:00:00Z')))).toEqual([]);
    expect(await compactClosedHours(compactionPorts(lake, clock))).toEqual([]);
  });
});

/** The lake as a process sees it that dies at its `n`-th put: that put and everything after never happen. */
function crashAtPut(store: ObjectStore, n: number): ObjectStore {
  let puts = 0;
  return withOverrides(store, {
    put: async (key, body, type) => {
      if (++puts >= n) throw new Error(`crash before writing ${key}`);
      await store.put(key, body, type);
    },
    delete: async () => {
      throw new Error('crash: a crashed process deletes nothing');
    },
  });
}
