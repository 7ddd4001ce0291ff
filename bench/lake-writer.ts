/**
 * lake-writer: the writePlaysToLake use case (decode, validate, group by partition and hour, encode
 * Parquet, write to a folder with fsync) with the lake-writer's encoder (hyparquet-writer) and with the
 * DuckDB encoder it replaced, against DuckDB's own COPY of the same rows from tables already in memory
 * (same files; or one COPY … PARTITION_BY per batch), at today's batch size and at Lambda's largest.
 */
import { execFile } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { sqlString, withDuckDb } from '../src/adapters/duckdb/duckdb.ts';
import { createPlaysTable, encodePlayColumnsParquet } from '../src/adapters/duckdb/plays-parquet.ts';
import { encodePlaysWithHyparquet } from '../src/adapters/parquet/plays-hyparquet.ts';
import { windowContaining } from '../src/domain/charts.ts';
import type { ConsumedRecord } from '../src/domain/consumed-record.ts';
import type { LakePlayRow } from '../src/domain/lake-row.ts';
import { type PlayColumns, playColumnsOf } from '../src/domain/play-columns.ts';
import type { PlayEvent } from '../src/domain/play-event.ts';
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
  type RunPlan,
  type Stats,
  timed,
  withTempDir,
} from './harness.ts';
import { HOURS, makeRecordBatches, type WriterRun, writeBatches } from './lake-writer-batches.ts';
import { PLAYS_PARTITIONS } from './plays.ts';

interface Batch {
  readonly records: readonly ConsumedRecord[];
  /** The rows of each file the writer makes of this batch: per source partition, per hour. */
  readonly filesByPartition: readonly (readonly LakePlayRow[])[][];
  /** The same files' plays as the encoder takes them. */
  readonly fileColumns: readonly PlayColumns[];
  readonly rows: readonly LakePlayRow[];
}

function makeBatches(count: number, size: number): Batch[] {
  return makeRecordBatches(count, size).map((records) => {
    const rows = records.map((record) => ({
      ...(JSON.parse(record.value) as PlayEvent),
      source_topic: record.topic,
      source_partition: record.partition,
      source_offset: record.offset,
    }));
    // The writer's grouping: one file per source partition and UTC hour.
    const filesByPartition = [...Map.groupBy(rows, (row) => row.source_partition).values()].map(
      (partRows) => [
        ...Map.groupBy(partRows, (row) =>
          windowContaining('hour', new Date(row.played_at)).start.getTime(),
        ).values(),
      ],
    );
    return { records, filesByPartition, fileColumns: filesByPartition.flat().map(playColumnsOf), rows };
  });
}

const loadTable = (table: string, rows: readonly LakePlayRow[]) =>
  withDuckDb((connection) => createPlaysTable(connection, table, rows, { temporary: false }));

const dropTables = (tables: readonly string[]) =>
  withDuckDb(async (connection) => {
    for (const table of tables) await connection.run(`DROP TABLE IF EXISTS ${table}`);
  });

/** One COPY of a whole batch into a file per source partition and hour, in the writer's row order. */
const copyPartitioned = (table: string, dir: string) =>
  withDuckDb((connection) =>
    connection.run(
      `COPY (SELECT *, strftime(played_at AT TIME ZONE 'UTC', '%Y-%m-%dT%H') AS hour FROM ${table}
             ORDER BY played_at, event_id)
       TO ${sqlString(dir)} (FORMAT parquet, COMPRESSION zstd, PARTITION_BY (source_partition, hour),
                             WRITE_PARTITION_COLUMNS true, OVERWRITE_OR_IGNORE true)`,
    ),
  );

async function readTree(dir: string): Promise<number> {
  let bytes = 0;
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) bytes += (await readFile(join(entry.parentPath, entry.name))).length;
  }
  return bytes;
}

async function runBatchSize(options: BenchOptions, size: number, count: number): Promise<void> {
  const plan = planFor(options);
  const batches = makeBatches(count, size);
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
          const tables = batches.map((batch, b) =>
            batch.filesByPartition.map((files, p) => files.map((_, f) => `bench_copy_${b}_${p}_${f}`)),
          );
          for (const [b, batch] of batches.entries()) {
            for (const [p, files] of batch.filesByPartition.entries()) {
              for (const [f, rows] of files.entries()) await loadTable(tables[b]![p]![f]!, rows);
            }
          }
          try {
            return await timed(async () => {
              for (const perPartition of tables) {
                await Promise.all(
                  perPartition.map((names) =>
                    withDuckDb(async (connection) => {
                      for (const table of names) {
                        const file = sqlString(join(dir, `${table}.parquet`));
                        await connection.run(
                          `COPY (SELECT * FROM ${table} ORDER BY played_at, event_id) TO ${file} (FORMAT parquet, COMPRESSION zstd)`,
                        );
                      }
                    }),
                  ),
                );
              }
            });
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
  // runs batch after batch. Three times the table's runs: each is a fraction of a second, and a CPU figure of a
  // shared machine needs them.
  const alonePlan = { warmups: 10, runs: plan.runs * 3 };
  const alone = await writerAlone(size, count, alonePlan);
  const perCpuSecond = (cpuSeconds: readonly number[]) => formatNumber(rowCount / median(cpuSeconds));
  console.log(
    `  writer CPU: ${perCpuSecond(alone.map((run) => run.cpuSeconds))} rows per CPU-second in a process running only the writer ` +
      `(median of ${alonePlan.runs} runs after ${alonePlan.warmups} warm-ups; all its threads: its GC, fsync's kernel time);\n` +
      `              ${perCpuSecond(writerCpuSeconds.slice(plan.warmups))} in this process, where V8 also collects the baselines' garbage ` +
      `during the writer's runs (docs/benchmarks.md)\n` +
      `  writer alone, wall clock: ${formatRate(rowCount, statsOf(alone.map((run) => run.seconds)), 'rows/s')}\n`,
  );
}

/**
 * The writer's runs in a process of its own that runs nothing else (bench/lake-writer-alone.ts), after the
 * interleaved rounds, so that the two never share the cores: its CPU time is the writer's alone.
 */
async function writerAlone(size: number, count: number, plan: RunPlan): Promise<WriterRun[]> {
  const script = fileURLToPath(new URL('./lake-writer-alone.ts', import.meta.url));
  const { stdout } = await promisify(execFile)(process.execPath, [
    script,
    String(size),
    String(count),
    String(plan.warmups),
    String(plan.runs),
  ]);
  return JSON.parse(stdout) as WriterRun[];
}

const statsOf = (samples: readonly number[]): Stats => ({
  median: median(samples),
  min: Math.min(...samples),
  max: Math.max(...samples),
  samples,
});

export async function run(options: BenchOptions): Promise<void> {
  // Today's trigger batch (the topology's before this change) and Lambda's largest Kafka batch.
  await runBatchSize(options, 500, options.quick ? 4 : 20);
  await runBatchSize(options, 10_000, options.quick ? 2 : 4);
}
