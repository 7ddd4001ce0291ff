import { DuckDBInstance } from '@duckdb/node-api';
import { makeTempDir, type TempDir } from '../../../devkit/temp-dir.ts';

export type { TempDir };

/** A fresh folder under the system temp dir, as makeTempDir (devkit/temp-dir.ts) makes it. */
export const tempDir = (prefix: string): Promise<TempDir> => makeTempDir(`unit-${prefix}`);

/** Runs a query on a private in-memory DuckDB (not the one the code under test uses). */
export async function queryDuckDb(sql: string): Promise<Record<string, unknown>[]> {
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  try {
    return (await connection.runAndReadAll(sql)).getRowObjectsJS() as Record<string, unknown>[];
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

export const sqlText = (value: string) => `'${value.replaceAll("'", "''")}'`;

/** Rows of Parquet files as plain values (played_at as an ISO string), ordered by source position. */
export async function readPlayRows(files: readonly string[]): Promise<Record<string, unknown>[]> {
  const rows = await queryDuckDb(
    `SELECT event_id, user_id, song_id, region, epoch_ms(played_at) AS played_at_ms, ms_played, device, session_id,
            source_topic, source_partition, source_offset
     FROM read_parquet([${files.map(sqlText).join(', ')}])
     ORDER BY source_topic, source_partition, source_offset`,
  );
  return rows.map(({ played_at_ms, source_offset, ...row }) => ({
    ...row,
    played_at: new Date(Number(played_at_ms)).toISOString(),
    source_offset: Number(source_offset),
  }));
}
