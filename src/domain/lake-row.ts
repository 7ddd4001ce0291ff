import type { PlayEvent } from './play-event.ts';

/**
 * One row of `plays/`: the play plus where it came from. The lake-writer function and the Spark
 * job write exactly these columns with these Parquet types (docs/contracts.md, "Data lake layout"; test/vectors/).
 */
export interface LakePlayRow extends PlayEvent {
  readonly source_topic: string;
  readonly source_partition: number;
  readonly source_offset: number;
}

/** Column order and DuckDB types of `plays/` Parquet files. */
export const lakePlayColumns = [
  ['event_id', 'VARCHAR NOT NULL'],
  ['user_id', 'VARCHAR NOT NULL'],
  ['song_id', 'VARCHAR NOT NULL'],
  ['region', 'VARCHAR NOT NULL'],
  ['played_at', 'TIMESTAMPTZ NOT NULL'],
  ['ms_played', 'INTEGER NOT NULL'],
  ['device', 'VARCHAR'],
  ['session_id', 'VARCHAR'],
  ['source_topic', 'VARCHAR NOT NULL'],
  ['source_partition', 'INTEGER NOT NULL'],
  ['source_offset', 'BIGINT NOT NULL'],
] as const;
