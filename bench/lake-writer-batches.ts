/**
 * What the lake-writer bench (bench/lake-writer.ts) and its processes of their own (bench/lake-writer-process.ts)
 * share: the seeded batches of records and one timed run of the writer over them, checked.
 */
import { LocalFolderStore } from '../src/adapters/object-store/local-folder.ts';
import type { ConsumedRecord } from '../src/domain/consumed-record.ts';
import { defaultRegions } from '../src/domain/regions.ts';
import { type LakeWriterPorts, writePlaysToLake } from '../src/use-cases/write-plays-to-lake.ts';
import { withTempDir } from './harness.ts';
import {
  BENCH_NOW,
  consumedRecords,
  createIndependentPlayGenerator,
  HOUR_MS,
  PLAYS_PARTITIONS,
} from './plays.ts';

/** The plays' hours: each batch becomes about PLAYS_PARTITIONS × HOURS files. */
export const HOURS = 3;

/** `count` batches of `size` records as the transport delivers them: seeded, so every process makes the same. */
export function makeRecordBatches(count: number, size: number): ConsumedRecord[][] {
  const generator = createIndependentPlayGenerator({ seed: 2_000 });
  const nextOffsets = Array.from({ length: PLAYS_PARTITIONS }, () => 0);
  return Array.from({ length: count }, () => {
    const plays = Array.from({ length: size }, () =>
      generator.playBetween(BENCH_NOW - HOURS * HOUR_MS, BENCH_NOW - 1000),
    );
    return consumedRecords(plays, nextOffsets, BENCH_NOW);
  });
}

export interface TimedRun {
  /** Wall-clock seconds of the run's calls. */
  readonly seconds: number;
  /** CPU seconds of this process (every thread) over the same calls. */
  readonly cpuSeconds: number;
}

/** The wall-clock and CPU seconds (every thread of this process) of `work`. */
export async function measured(work: () => Promise<unknown>): Promise<TimedRun> {
  const cpuStart = process.cpuUsage();
  const start = performance.now();
  await work();
  const seconds = (performance.now() - start) / 1000;
  const cpu = process.cpuUsage(cpuStart);
  return { seconds, cpuSeconds: (cpu.user + cpu.system) / 1e6 };
}

/**
 * writePlaysToLake over every batch into a fresh folder lake (fsync per file), timed; fails unless it wrote
 * `rows` rows in `files` files with nothing rejected.
 */
export function writeBatches(
  batches: readonly (readonly ConsumedRecord[])[],
  encodePlays: LakeWriterPorts['encodePlays'],
  expected: { readonly rows: number; readonly files: number },
): Promise<TimedRun> {
  return withTempDir('lake', async (dir) => {
    const ports = {
      lake: new LocalFolderStore(dir),
      regions: defaultRegions,
      writer: 'bench',
      encodePlays,
      // Before every play's hour ends: no window is closed, so no restatement mark is written, as in the steady
      // state (marks are for late plays). The real clock, days after BENCH_NOW, made every file also write two marks.
      clock: () => new Date(BENCH_NOW - HOURS * HOUR_MS),
    };
    let written = 0;
    let files = 0;
    const run = await measured(async () => {
      for (const batch of batches) {
        const summary = await writePlaysToLake(batch, ports);
        if (summary.rejected > 0 || summary.failures.length > 0) {
          throw new Error(`the writer rejected or failed: ${JSON.stringify(summary.failures)}`);
        }
        written += summary.written;
        files += summary.files.length;
      }
    });
    if (written !== expected.rows || files !== expected.files) {
      throw new Error(
        `the writer wrote ${written} rows in ${files} files, expected ${expected.rows} in ${expected.files}`,
      );
    }
    return run;
  });
}

/** The files the writer makes of the batches: one per batch, source partition and UTC hour of the plays. */
export function expectedFiles(batches: readonly (readonly ConsumedRecord[])[]): number {
  let files = 0;
  for (const batch of batches) {
    const keys = new Set<string>();
    for (const record of batch) {
      const playedAt = Date.parse((JSON.parse(record.value) as { played_at: string }).played_at);
      keys.add(`${record.partition}/${Math.floor(playedAt / HOUR_MS)}`);
    }
    files += keys.size;
  }
  return files;
}
