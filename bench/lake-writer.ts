/**
 * lake-writer: the writePlaysToLake use case (decode, validate, group by partition and hour, encode
 * Parquet with DuckDB, write to a folder with fsync) against encoding the same rows alone, and
 * against DuckDB's own COPY of the same rows from tables already in memory.
 */
import { join } from 'node:path';
import { sqlString, withDuckDb } from '../src/adapters/duckdb/duckdb.ts';
import { createPlaysTable, encodePlaysParquet } from '../src/adapters/duckdb/plays-parquet.ts';
import { LocalFolderStore } from '../src/adapters/object-store/local-folder.ts';
import { windowContaining } from '../src/domain/charts.ts';
import type { ConsumedRecord } from '../src/domain/consumed-record.ts';
import type { LakePlayRow } from '../src/domain/lake-row.ts';
import type { PlayEvent } from '../src/domain/play-event.ts';
import { defaultRegions } from '../src/domain/regions.ts';
import { writePlaysToLake } from '../src/use-cases/write-plays-to-lake.ts';
import {
  type BenchOptions,
  formatRate,
  formatRatio,
  interleave,
  planFor,
  printTable,
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

const BATCH_SIZE = 500;
const HOURS = 3;

interface Batch {
  readonly records: readonly ConsumedRecord[];
  /** The rows of each file the writer makes of this batch: per source partition, per hour. */
  readonly filesByPartition: readonly (readonly LakePlayRow[])[][];
  readonly rows: readonly LakePlayRow[];
}

function makeBatches(count: number): Batch[] {
  const generator = createIndependentPlayGenerator({ seed: 2_000 });
  const nextOffsets = Array.from({ length: PLAYS_PARTITIONS }, () => 0);
  return Array.from({ length: count }, () => {
    const plays = Array.from({ length: BATCH_SIZE }, () =>
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
    return { records, filesByPartition, rows };
  });
}

async function loadTable(table: string, rows: readonly LakePlayRow[]): Promise<void> {
  await withDuckDb((connection) => createPlaysTable(connection, table, rows, { temporary: false }));
}

const dropTables = (tables: readonly string[]) =>
  withDuckDb(async (connection) => {
    for (const table of tables) await connection.run(`DROP TABLE IF EXISTS ${table}`);
  });

export async function run(options: BenchOptions): Promise<void> {
  const plan = planFor(options);
  const batches = makeBatches(options.quick ? 4 : 20);
  const rowCount = batches.length * BATCH_SIZE;
  const fileCount = batches.reduce((sum, batch) => sum + batch.filesByPartition.flat().length, 0);

  const stats = await interleave(
    {
      writer: () =>
        withTempDir('lake', async (dir) => {
          const ports = {
            lake: new LocalFolderStore(dir),
            regions: defaultRegions,
            writer: 'bench',
            encodePlays: encodePlaysParquet,
          };
          let written = 0;
          let files = 0;
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
          if (written !== rowCount || files !== fileCount) {
            throw new Error(
              `the writer wrote ${written} rows in ${files} files, expected ${rowCount} in ${fileCount}`,
            );
          }
          return seconds;
        }),
      encodeSameFiles: () =>
        timed(async () => {
          for (const batch of batches) {
            await Promise.all(
              batch.filesByPartition.map(async (files) => {
                for (const rows of files) await encodePlaysParquet(rows);
              }),
            );
          }
        }),
      encodeOneFile: () =>
        timed(async () => {
          for (const batch of batches) await encodePlaysParquet(batch.rows);
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
    },
    plan,
  );

  const figure = formatRate(rowCount, stats.writer, 'rows/s');
  const versus = (name: string, baseline: (typeof stats)['writer']) => ({
    name,
    figure,
    baseline: formatRate(rowCount, baseline, 'rows/s'),
    ratio: formatRatio(stats.writer, baseline),
  });
  printTable(
    `lake-writer: writePlaysToLake, ${batches.length} batches × ${BATCH_SIZE} records over ${PLAYS_PARTITIONS} partitions and ${HOURS} hours (${fileCount} files)`,
    [
      'figure:    writePlaysToLake with LocalFolderStore (fsync per file) and encodePlaysParquet, rows/s',
      'baselines: encodePlaysParquet of the same rows (same files, or one file per batch);',
      '           DuckDB COPY … TO parquet of the same files from tables already in memory',
      `ratio:     figure ÷ baseline throughput; median of ${plan.runs} runs after ${plan.warmups} warm-up, ± half the range`,
    ],
    [
      versus(`vs encodePlaysParquet, same ${fileCount} files`, stats.encodeSameFiles),
      versus(`vs encodePlaysParquet, 1 file per batch (${batches.length})`, stats.encodeOneFile),
      versus(`vs DuckDB COPY, same ${fileCount} files`, stats.copySameFiles),
    ],
  );
}
