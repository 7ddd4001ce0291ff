/**
 * DuckDB's side of the lake-writer bench (bench/lake-writer.ts) and of its process of its own
 * (bench/lake-writer-process.ts): the batches grouped into the writer's files, loaded into tables, and DuckDB's own
 * `COPY … TO parquet` of those files.
 */
import { join } from 'node:path';
import { sqlString, withDuckDb } from '../src/adapters/duckdb/duckdb.ts';
import { createPlaysTable } from '../src/adapters/duckdb/plays-parquet.ts';
import type { ConsumedRecord } from '../src/domain/consumed-record.ts';
import type { LakePlayRow } from '../src/domain/lake-row.ts';
import type { PlayEvent } from '../src/domain/play-event.ts';
import { HOUR_MS } from './plays.ts';

export interface Batch {
  readonly records: readonly ConsumedRecord[];
  /** The rows of each file the writer makes of this batch: per source partition, per hour. */
  readonly filesByPartition: readonly (readonly LakePlayRow[])[][];
  readonly rows: readonly LakePlayRow[];
}

/** The records as rows, grouped as the writer groups them: one file per source partition and UTC hour. */
export function batchOf(records: readonly ConsumedRecord[]): Batch {
  const rows = records.map((record) => ({
    ...(JSON.parse(record.value) as PlayEvent),
    source_topic: record.topic,
    source_partition: record.partition,
    source_offset: record.offset,
  }));
  const filesByPartition = [...Map.groupBy(rows, (row) => row.source_partition).values()].map((partRows) => [
    ...Map.groupBy(partRows, (row) => Math.floor(Date.parse(row.played_at) / HOUR_MS)).values(),
  ]);
  return { records, filesByPartition, rows };
}

export const loadTable = (table: string, rows: readonly LakePlayRow[]) =>
  withDuckDb((connection) => createPlaysTable(connection, table, rows, { temporary: false }));

export const dropTables = (tables: readonly string[]) =>
  withDuckDb(async (connection) => {
    for (const table of tables) await connection.run(`DROP TABLE IF EXISTS ${table}`);
  });

/** The tables of the batches' files (batch, partition, file), loaded: `prefix` keeps apart those of one process. */
export async function loadFileTables(batches: readonly Batch[], prefix: string): Promise<string[][][]> {
  const tables = batches.map((batch, b) =>
    batch.filesByPartition.map((files, p) => files.map((_, f) => `${prefix}_${b}_${p}_${f}`)),
  );
  for (const [b, batch] of batches.entries()) {
    for (const [p, files] of batch.filesByPartition.entries()) {
      for (const [f, rows] of files.entries()) await loadTable(tables[b]![p]![f]!, rows);
    }
  }
  return tables;
}

/**
 * DuckDB's COPY of each file's table to a Parquet file in `dir`, in the writer's row order, a batch's partitions at
 * once as the writer takes them (DuckDB spreads each COPY over its threads too). No `fsync`: DuckDB's COPY makes none
 * (strace shows no fsync or fdatasync), where the writer makes one per file.
 */
export async function copyFileTables(tables: readonly (readonly (readonly string[])[])[], dir: string) {
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
}

/** One COPY of a whole batch into a file per source partition and hour, in the writer's row order. */
export const copyPartitioned = (table: string, dir: string) =>
  withDuckDb((connection) =>
    connection.run(
      `COPY (SELECT *, strftime(played_at AT TIME ZONE 'UTC', '%Y-%m-%dT%H') AS hour FROM ${table}
             ORDER BY played_at, event_id)
       TO ${sqlString(dir)} (FORMAT parquet, COMPRESSION zstd, PARTITION_BY (source_partition, hour),
                             WRITE_PARTITION_COLUMNS true, OVERWRITE_OR_IGNORE true)`,
    ),
  );
