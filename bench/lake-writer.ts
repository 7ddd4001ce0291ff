/**
 * lake-writer: the writePlaysToLake use case (decode, validate, group by partition and hour, encode
 * Parquet, write to a folder with fsync) with the lake-writer's encoder (hyparquet-writer) and with the
 * DuckDB encoder it replaced, against DuckDB's own COPY of the same rows from tables already in memory
 * (same files; or one COPY … PARTITION_BY per batch), at today's batch size and at Lambda's largest; then the
 * writer and DuckDB's COPY of the same files each in a process of its own, alternated: the fair comparison.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { encodePlayColumnsParquet } from '../src/adapters/duckdb/plays-parquet.ts';
import { encodePlaysWithHyparquet } from '../src/adapters/parquet/plays-hyparquet.ts';
import { playColumnsOf } from '../src/domain/play-columns.ts';
import type { LakeWriterPorts } from '../src/use-cases/write-plays-to-lake.ts';
import {
  type BenchOptions,
  formatNumber,
  formatRate,
  formatRatio,
  interleave,
  median,
  planFor,
  printTable,
  type Stats,
  timed,
  withTempDir,
} from './harness.ts';
import { alternateApart } from './lake-writer-apart.ts';
import { HOURS, makeRecordBatches, type TimedRun, writeBatches } from './lake-writer-batches.ts';
import {
  type Batch,
  batchOf,
  copyFileTables,
  copyPartitioned,
  dropTables,
  loadFileTables,
  loadTable,
} from './lake-writer-copy.ts';
import { PLAYS_PARTITIONS } from './plays.ts';

/** A batch, and its files' plays as the encoder takes them. */
const withColumns = (batch: Batch) => ({
  ...batch,
  fileColumns: batch.filesByPartition.flat().map(playColumnsOf),
});

async function readTree(dir: string): Promise<number> {
  let bytes = 0;
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) bytes += (await readFile(join(entry.parentPath, entry.name))).length;
  }
  return bytes;
}

async function runBatchSize(options: BenchOptions, size: number, count: number): Promise<void> {
  const plan = planFor(options);
  const batches = makeRecordBatches(count, size).map(batchOf).map(withColumns);
  const rowCount = batches.length * size;
  const fileCount = batches.reduce((sum, batch) => sum + batch.filesByPartition.flat().length, 0);

  const expected = { rows: rowCount, files: fileCount };
  const records = batches.map((batch) => batch.records);
  // CPU seconds of this process per writer run (warm-up first), kept to show what the figure of the writer's own
  // process (below) corrects: here they include V8's collection of the baselines' garbage.
  const writerCpuSeconds: number[] = [];
  const writer = (encodePlays: LakeWriterPorts['encodePlays'], cpu?: number[]) => async () => {
    const { seconds, cpuSeconds } = await writeBatches(records, encodePlays, expected);
    cpu?.push(cpuSeconds);
    return seconds;
  };

  const stats = await interleave(
    {
      writer: writer(encodePlaysWithHyparquet, writerCpuSeconds),
      writerDuckDb: writer(encodePlayColumnsParquet),
      encodeSameFiles: () =>
        timed(async () => {
          for (const batch of batches) {
            for (const plays of batch.fileColumns) encodePlaysWithHyparquet(plays);
          }
        }),
      copySameFiles: () =>
        withTempDir('copy', async (dir) => {
          const tables = await loadFileTables(batches, 'bench_copy');
          try {
            return await timed(() => copyFileTables(tables, dir));
          } finally {
            await dropTables(tables.flat(2));
          }
        }),
      copyPartitioned: () =>
        withTempDir('copy-partitioned', async (dir) => {
          const tables = batches.map((_, b) => `bench_batch_${b}`);
          for (const [b, batch] of batches.entries()) await loadTable(tables[b]!, batch.rows);
          try {
            return await timed(async () => {
              for (const [b, table] of tables.entries()) await copyPartitioned(table, join(dir, String(b)));
            });
          } finally {
            await dropTables(tables);
          }
        }),
      // What a DuckDB batch encoder would cost: load the batch into a table, one partitioned COPY, read back.
      appendCopyPartitioned: () =>
        withTempDir('append-copy', async (dir) =>
          timed(async () => {
            for (const [b, batch] of batches.entries()) {
              const table = `bench_append_${b}`;
              await loadTable(table, batch.rows);
              await copyPartitioned(table, join(dir, String(b)));
              await dropTables([table]);
              await readTree(join(dir, String(b)));
            }
          }),
        ),
    },
    plan,
  );

  const row = (name: string, figure: Stats, baseline: Stats) => ({
    name,
    figure: formatRate(rowCount, figure, 'rows/s'),
    baseline: formatRate(rowCount, baseline, 'rows/s'),
    ratio: formatRatio(figure, baseline),
  });
  printTable(
    `lake-writer: writePlaysToLake, ${batches.length} batches × ${size.toLocaleString('en-US')} records over ${PLAYS_PARTITIONS} partitions and ${HOURS} hours (${fileCount} files)`,
    [
      'figure:    writePlaysToLake with LocalFolderStore (fsync per file) and encodePlaysWithHyparquet, rows/s',
      'baselines: the same writer with the DuckDB encoder (encodePlayColumnsParquet, before); hyparquet encoding alone;',
      '           DuckDB COPY … TO parquet from tables already in memory: the same files, or one COPY',
      '           … PARTITION_BY (source_partition, hour) per batch; and that COPY with loading the batch and',
      '           reading the files back (a DuckDB batch encoder)',
      `ratio:     figure ÷ baseline throughput; median of ${plan.runs} runs after ${plan.warmups} warm-up, ± half the range`,
    ],
    [
      row('vs writer with DuckDB encoder (before)', stats.writer, stats.writerDuckDb),
      row(`vs hyparquet encoding alone, same ${fileCount} files`, stats.writer, stats.encodeSameFiles),
      row(`vs DuckDB COPY, same ${fileCount} files`, stats.writer, stats.copySameFiles),
      row('vs DuckDB COPY PARTITION_BY, 1 per batch', stats.writer, stats.copyPartitioned),
      row('vs DuckDB load + COPY PARTITION_BY + read', stats.writer, stats.appendCopyPartitioned),
    ],
  );
  // Ten warm-ups: V8 keeps optimising the writer for its first ~400,000 records (its rows per CPU-second rise from
  // ~100k in the first run to a steady state from about the tenth; docs/benchmarks.md), and a lake-writer function
  // runs batch after batch. Three times the table's runs: each is a fraction of a second, and a figure of a shared
  // machine needs them.
  const apartPlan = { warmups: 10, runs: plan.runs * 3 };
  const apart = await alternateApart(size, count, apartPlan);
  const statsOf = (runs: readonly TimedRun[], measure: 'seconds' | 'cpuSeconds'): Stats => {
    const samples = runs.map((run) => run[measure]);
    return { median: median(samples), min: Math.min(...samples), max: Math.max(...samples), samples };
  };
  const apartRow = (name: string, measure: 'seconds' | 'cpuSeconds', unit: string) => {
    const [figure, baseline] = [statsOf(apart.writer, measure), statsOf(apart.copy, measure)];
    return {
      name,
      figure: formatRate(rowCount, figure, unit),
      baseline: formatRate(rowCount, baseline, unit),
      ratio: formatRatio(figure, baseline),
    };
  };
  printTable(
    `lake-writer against DuckDB COPY, each in a process of its own, alternated: ${batches.length} batches × ${size.toLocaleString('en-US')} records (${fileCount} files)`,
    [
      'figure:    writePlaysToLake as above (LocalFolderStore, fsync per file), in a process running only it',
      `baseline:  DuckDB COPY of the same ${fileCount} files from tables already in memory (no fsync), in another`,
      '           process; one run of each in turn, never both at once (bench/lake-writer-apart.ts)',
      `ratio:     figure ÷ baseline; median of ${apartPlan.runs} runs after ${apartPlan.warmups} warm-ups each, ± half the range;`,
      "           CPU: every thread of each process (the writer's GC and fsyncs' kernel time, DuckDB's threads)",
    ],
    [apartRow('wall clock', 'seconds', 'rows/s'), apartRow('CPU', 'cpuSeconds', 'rows per CPU-second')],
  );
  console.log(
    `  the writer's CPU in this process, interleaved above: ${formatNumber(rowCount / median(writerCpuSeconds.slice(plan.warmups)))} rows per CPU-second ` +
      `(V8 also collects the baselines' garbage during the writer's runs)\n`,
  );
}

export async function run(options: BenchOptions): Promise<void> {
  // Today's trigger batch (the topology's before this change) and Lambda's largest Kafka batch.
  await runBatchSize(options, 500, options.quick ? 4 : 20);
  await runBatchSize(options, 10_000, options.quick ? 2 : 4);
}
