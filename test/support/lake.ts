import { DuckDBInstance } from '@duckdb/node-api';

export interface LakeRow {
  event_id: string;
  song_id: string;
  region: string;
  played_at: string;
  ms_played: number;
  source_topic: string;
  source_partition: number;
  source_offset: number;
}

/** Every play row of a lake folder, read with DuckDB straight from the Parquet files. */
export async function readLakeRows(lakeDir: string): Promise<LakeRow[]> {
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  try {
    const reader = await connection.runAndReadAll(
      `SELECT event_id, song_id, region, strftime(played_at AT TIME ZONE 'UTC', '%Y-%m-%dT%H:%M:%S.%gZ') AS played_at,
              ms_played, source_topic, source_partition, source_offset::DOUBLE AS source_offset
       FROM read_parquet('${lakeDir.replaceAll("'", "''")}/plays/**/*.parquet', union_by_name = true)`,
    );
    return reader.getRowObjectsJS() as unknown as LakeRow[];
  } catch (error) {
    if (/No files found/.test((error as Error).message)) return [];
    throw error;
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}
