import { DuckDBInstance } from '@duckdb/node-api';
import { invokeFunction } from '../local/functions.ts';
import { mskEvent } from '../src/adapters/event-sources/kafka.ts';
import type { LogRecord } from '../src/ports/transport.ts';
import { topics } from '../src/topology.ts';

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

/**
 * Writes plays straight into the lake of the running local runtime, as the lake-writer function does when
 * its event source hands it these records (one MSK batch on `partition`, offsets from `firstOffset`):
 * for tests about what comes after the lake, without ingest and the transport in the way.
 */
export async function writePlaysThroughLakeWriter(
  plays: readonly object[],
  options: { readonly partition: number; readonly firstOffset: number },
): Promise<void> {
  await handPlaysTo('lake-writer', plays, options);
}

/**
 * Hands plays to a consumer function of the plays topic as its event source would (one MSK batch on `partition`,
 * offsets from `firstOffset`): the lake-writer, or the live chart given the same records as the lake.
 */
export async function handPlaysTo(
  consumer: 'lake-writer' | 'live-chart',
  plays: readonly object[],
  options: { readonly partition: number; readonly firstOffset: number },
): Promise<void> {
  const records: LogRecord[] = plays.map((play, index) => ({
    topic: topics.plays.name,
    partition: options.partition,
    offset: options.firstOffset + index,
    timestamp: Date.now(),
    key: undefined,
    value: Buffer.from(JSON.stringify(play)),
    headers: {},
  }));
  const result = (await invokeFunction(consumer, mskEvent(records))) as {
    batchItemFailures: readonly unknown[];
  };
  if (result.batchItemFailures.length > 0) {
    throw new Error(`${consumer} failed records: ${JSON.stringify(result.batchItemFailures)}`);
  }
}
