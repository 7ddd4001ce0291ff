import { constants, zstdCompressSync } from 'node:zlib';
import { ByteWriter, type ColumnSource, parquetWrite, type SchemaElement } from 'hyparquet-writer';
import type { LakePlayRow } from '../../domain/lake-row.ts';

/**
 * The `plays/` Parquet schema (docs/contracts.md, "Data lake layout"), as DuckDB writes it: every column
 * OPTIONAL, the same converted and logical types (compared with DuckDB's own in the test), played_at a UTC-adjusted microsecond timestamp. Files from this encoder,
 * from DuckDB and from the Spark job then read as one table (test/unit/adapters/plays-parquet.test.ts).
 */
const text = (name: string): SchemaElement => ({
  name,
  type: 'BYTE_ARRAY',
  converted_type: 'UTF8',
  repetition_type: 'OPTIONAL',
});
const int32 = (name: string): SchemaElement => ({
  name,
  type: 'INT32',
  converted_type: 'INT_32',
  repetition_type: 'OPTIONAL',
});
const schema: SchemaElement[] = [
  { name: 'duckdb_schema', num_children: 11 },
  text('event_id'),
  text('user_id'),
  text('song_id'),
  text('region'),
  {
    name: 'played_at',
    type: 'INT64',
    converted_type: 'TIMESTAMP_MICROS',
    logical_type: { type: 'TIMESTAMP', isAdjustedToUTC: true, unit: 'MICROS' },
    repetition_type: 'OPTIONAL',
  },
  int32('ms_played'),
  text('device'),
  text('session_id'),
  text('source_topic'),
  int32('source_partition'),
  { name: 'source_offset', type: 'INT64', converted_type: 'INT_64', repetition_type: 'OPTIONAL' },
];

/**
 * ZSTD at DuckDB's default level (3) through node:zlib, per column chunk: hyparquet-writer ships only Snappy,
 * and the lake's files are ZSTD (docs/decisions.md, "Lake-writer: hyparquet-writer for small files").
 */
const zstd = (input: Uint8Array): Uint8Array =>
  zstdCompressSync(input, { params: { [constants.ZSTD_c_compressionLevel]: 3 } });

/**
 * Encodes rows as a `plays/` Parquet file (ZSTD) in this process, sorted by played_at then event_id like
 * the DuckDB encoder's, one row group. Costs about a tenth of a millisecond of fixed work per file where
 * DuckDB's temp table, appender and COPY cost 4–5 ms (docs/benchmarks.md).
 */
export function encodePlaysWithHyparquet(rows: readonly LakePlayRow[]): Uint8Array {
  const sorted = [...rows].sort(
    (a, b) => compare(a.played_at, b.played_at) || compare(a.event_id, b.event_id),
  );
  const n = sorted.length;
  const playedAt = new BigInt64Array(n);
  const msPlayed = new Int32Array(n);
  const sourcePartition = new Int32Array(n);
  const sourceOffset = new BigInt64Array(n);
  const text = {
    event_id: new Array<string>(n),
    user_id: new Array<string>(n),
    song_id: new Array<string>(n),
    region: new Array<string>(n),
    device: new Array<string | null>(n),
    session_id: new Array<string | null>(n),
    source_topic: new Array<string>(n),
  };
  for (let i = 0; i < n; i++) {
    const row = sorted[i]!;
    text.event_id[i] = row.event_id;
    text.user_id[i] = row.user_id;
    text.song_id[i] = row.song_id;
    text.region[i] = row.region;
    text.device[i] = row.device ?? null;
    text.session_id[i] = row.session_id ?? null;
    text.source_topic[i] = row.source_topic;
    playedAt[i] = BigInt(Date.parse(row.played_at)) * 1000n;
    msPlayed[i] = row.ms_played;
    sourcePartition[i] = row.source_partition;
    sourceOffset[i] = BigInt(row.source_offset);
  }
  // Min/max statistics only where a reader can skip on them: played_at (a window's bounds) and the source
  // position. Statistics of the text columns cost ~8% of the encoder and no reader filters on them.
  const columnData: ColumnSource[] = [
    { name: 'event_id', data: text.event_id, statistics: false },
    { name: 'user_id', data: text.user_id, statistics: false },
    { name: 'song_id', data: text.song_id, statistics: false },
    { name: 'region', data: text.region, statistics: false },
    { name: 'played_at', data: playedAt },
    { name: 'ms_played', data: msPlayed, statistics: false },
    { name: 'device', data: text.device, statistics: false },
    { name: 'session_id', data: text.session_id, statistics: false },
    { name: 'source_topic', data: text.source_topic, statistics: false },
    { name: 'source_partition', data: sourcePartition },
    { name: 'source_offset', data: sourceOffset },
  ];
  const writer = new ByteWriter();
  parquetWrite({
    writer,
    columnData,
    schema,
    codec: 'ZSTD',
    compressors: { ZSTD: zstd },
    // One row group, as DuckDB writes a file of up to 122,880 rows: readers then see the same layout.
    rowGroupSize: Math.max(n, 1),
    createdBy: 'top-songs lake-writer (hyparquet-writer)',
  });
  return writer.getBytes();
}

/** Code-unit order, as DuckDB's ORDER BY on VARCHAR (and the ISO-8601 UTC strings sort as their instants). */
function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
