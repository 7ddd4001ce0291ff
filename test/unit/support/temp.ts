import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';

export interface TempDir {
  readonly path: string;
  remove(): Promise<void>;
}

/**
 * A fresh folder under the system temp dir. Open to others because, when the tests run as root, the
 * embedded PostgreSQL server runs as the postgres account: in a folder that account cannot reach, its files
 * would go to /var/lib/top-songs/postgres instead (docs/operations.md, "Running as root"), and outlive the test.
 */
export async function tempDir(prefix: string): Promise<TempDir> {
  const path = await mkdtemp(join(tmpdir(), `top-songs-unit-${prefix}-`));
  await chmod(path, 0o755);
  return { path, remove: () => rm(path, { recursive: true, force: true }) };
}

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
