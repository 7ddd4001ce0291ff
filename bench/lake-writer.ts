/**
 * lake-writer: the writePlaysToLake use case (decode, validate, group by partition and hour, encode
 * Parquet, write to a folder with fsync) with the lake-writer's encoder (hyparquet-writer) and with the
 * DuckDB encoder it replaced, against DuckDB's own COPY of the same rows from tables already in memory
 * (same files; or one COPY … PARTITION_BY per batch), at today's batch size and at Lambda's largest.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { sqlString, withDuckDb } from '../src/adapters/duckdb/duckdb.ts';
import { createPlaysTable, encodePlayColumnsParquet } from '../src/adapters/duckdb/plays-parquet.ts';
import { LocalFolderStore } from '../src/adapters/object-store/local-folder.ts';
import { encodePlaysWithHyparquet } from '../src/adapters/parquet/plays-hyparquet.ts';
import { windowContaining } from '../src/domain/charts.ts';
import type { ConsumedRecord } from '../src/domain/consumed-record.ts';
import type { LakePlayRow } from '../src/domain/lake-row.ts';
import { type PlayColumns, playColumnsOf } from '../src/domain/play-columns.ts';
import type { PlayEvent } from '../src/domain/play-event.ts';
import { defaultRegions } from '../src/domain/regions.ts';
import { type LakeWriterPorts, writePlaysToLake } from '../src/use-cases/write-plays-to-lake.ts';
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
import {
  BENCH_NOW,
  consumedRecords,
  createIndependentPlayGenerator,
  HOUR_MS,
  PLAYS_PARTITIONS,
} from './plays.ts';

const HOURS = 3;

interface Batch {
  readonly records: readonly ConsumedRecord[];
  /** The rows of each file the writer makes of this batch: per source partition, per hour. */
  readonly filesByPartition: readonly (readonly LakePlayRow[])[][];
  /** The same files' plays as the encoder takes them. */
  readonly fileColumns: readonly PlayColumns[];
  readonly rows: readonly LakePlayRow[];
}

function makeBatches(count: number, size: number): Batch[] {
  const generator = createIndependentPlayGenerator({ seed: 2_000 });
  const nextOffsets = Array.from({ length: PLAYS_PARTITIONS }, () => 0);
  return Array.from({ length: count }, () => {
    const plays = Array.from({ length: size }, () =>
      generator.playBetween(BENCH_NOW - HOURS * HOUR_MS, BENCH_NOW - 1000),
    );
    const records = consumedRecords(plays, nextOffsets, BENCH_NOW);
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

  // CPU seconds of this process per writer run (warm-up first): rows per CPU-second is the writer's cost per core,
  // which a machine shared with other work changes far less than its wall-clock rate.
  const writerCpuSeconds: number[] = [];
  const writer = (encodePlays: LakeWriterPorts['encodePlays'], cpu?: number[]) => () =>
    withTempDir('lake', async (dir) => {
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
      const cpuStart = process.cpuUsage();
      const seconds = await timed(async () => {
        for (const batch of batches) {
          const summary = await writePlaysToLake(batch.records, ports);
          if (summary.rejected > 0 || summary.failures.length > 0) {
            throw new Error(`the writer rejected or failed: ${JSON.stringify(summary.failures)}`);
          }
          written += summary.written;
          files += summary.files.length;
        }
      });
      const cpuUsed = process.cpuUsage(cpuStart);
      cpu?.push((cpuUsed.user + cpuUsed.system) / 1e6);
      if (written !== rowCount || files !== fileCount) {
        throw new Error(
          `the writer wrote ${written} rows in ${files} files, expected ${rowCount} in ${fileCount}`,
        );
      }
      return seconds;
    });

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
  const cpuSeconds = median(writerCpuSeconds.slice(plan.warmups));
  console.log(
    `  writer CPU: ${formatNumber(rowCount / cpuSeconds)} rows per CPU-second of this process (median; fsync's kernel time included)\n`,
  );
}

export async function run(options: BenchOptions): Promise<void> {
  // Today's trigger batch (the topology's before this change) and Lambda's largest Kafka batch.
  await runBatchSize(options, 500, options.quick ? 4 : 20);
  await runBatchSize(options, 10_000, options.quick ? 2 : 4);
}
