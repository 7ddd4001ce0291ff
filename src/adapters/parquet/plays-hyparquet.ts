import { constants, zstdCompressSync } from 'node:zlib';
import { ByteWriter, type SchemaElement } from 'hyparquet-writer';
import { writeMetadata } from 'hyparquet-writer/src/metadata.js';
import type { PlayColumns } from '../../domain/play-columns.ts';
import {
  type ChunkOptions,
  type ColumnChunk,
  type EncodedValues,
  encodeText,
  plainInt32,
  plainInt64,
  plainText,
  writeColumnChunk,
} from './column-pages.ts';

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
 * ZSTD through node:zlib, per page: the lake's files are ZSTD (docs/decisions.md, "Lake-writer: hyparquet-writer for
 * small files"). Level 1, not DuckDB's 3: on the lake-writer's pages it is faster and the files no larger
 * (docs/benchmarks.md). Each call costs ~30 µs of fixed work (a compression context made and freed), so the
 * columns zstd cannot shrink much (a few dictionary indexes of 3 bits, a single topic) are stored uncompressed.
 */
const zstd = {
  name: 'ZSTD',
  compress: (input: Uint8Array): Uint8Array =>
    zstdCompressSync(input, { params: { [constants.ZSTD_c_compressionLevel]: 1 } }),
} as const;

const MAGIC = 0x31524150; // "PAR1"

/**
 * Encodes a file's plays as a `plays/` Parquet file (ZSTD), sorted by played_at then event_id like the DuckDB
 * encoder's, one row group, one page per column: the column arrays are gathered in one pass in that order and
 * written by column-pages.ts; hyparquet-writer writes the page headers and the footer. No per-file setup, unlike
 * DuckDB's temp table, appender and COPY (4–5 ms a file; docs/benchmarks.md).
 */
export function encodePlaysWithHyparquet(plays: PlayColumns): Uint8Array {
  const n = plays.length;
  const order = playOrder(plays);
  const text = {
    event_id: new Array<string>(n),
    user_id: new Array<string>(n),
    song_id: new Array<string>(n),
    region: new Array<string>(n),
    device: [] as string[],
    session_id: [] as string[],
    source_topic: new Array<string>(n),
  };
  const devicePresent = new Uint8Array(n);
  const sessionPresent = new Uint8Array(n);
  const playedAt = new Float64Array(n);
  const msPlayed = new Int32Array(n);
  const sourcePartition = new Int32Array(n);
  const sourceOffset = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const at = order[i]!;
    text.event_id[i] = plays.event_id[at]!;
    text.user_id[i] = plays.user_id[at]!;
    text.song_id[i] = plays.song_id[at]!;
    text.region[i] = plays.region[at]!;
    text.source_topic[i] = plays.source_topic[at]!;
    const device = plays.device[at];
    if (device !== undefined) {
      text.device.push(device);
      devicePresent[i] = 1;
    }
    const session = plays.session_id[at];
    if (session !== undefined) {
      text.session_id.push(session);
      sessionPresent[i] = 1;
    }
    playedAt[i] = plays.played_at_ms[at]! * 1000;
    msPlayed[i] = plays.ms_played[at]!;
    sourcePartition[i] = plays.source_partition[at]!;
    sourceOffset[i] = plays.source_offset[at]!;
  }
  if (n > 0 && !(Number.isSafeInteger(playedAt[0]) && Number.isSafeInteger(playedAt[n - 1]))) {
    throw new RangeError('played_at out of the range a microsecond timestamp holds exactly here');
  }

  // Min/max statistics only where a reader can skip on them: played_at (a window's bounds) and the source
  // position. Statistics of the text columns cost ~8% of the encoder and no reader filters on them.
  const range = (values: Float64Array | Int32Array, sorted: boolean) => {
    if (n === 0) return { null_count: 0n };
    let [min, max] = sorted ? [values[0]!, values[n - 1]!] : [values[0]!, values[0]!];
    if (!sorted) {
      for (const value of values) {
        if (value < min) min = value;
        if (value > max) max = value;
      }
    }
    return values instanceof Int32Array
      ? { min_value: min, max_value: max, null_count: 0n }
      : { min_value: BigInt(min), max_value: BigInt(max), null_count: 0n };
  };
  // region and device: dictionary indexes of a few bits, which zstd hardly shrinks; source_topic: one value.
  const columns: Column[] = [
    column('event_id', 'BYTE_ARRAY', { encoding: 'PLAIN', bytes: plainText(text.event_id) }),
    column('user_id', 'BYTE_ARRAY', encodeText(text.user_id)),
    column('song_id', 'BYTE_ARRAY', encodeText(text.song_id)),
    column('region', 'BYTE_ARRAY', encodeText(text.region), { compressible: false }),
    column('played_at', 'INT64', plainInt64(playedAt), { statistics: range(playedAt, true) }),
    column('ms_played', 'INT32', plainInt32(msPlayed)),
    column('device', 'BYTE_ARRAY', encodeText(text.device), { presence: devicePresent, compressible: false }),
    column('session_id', 'BYTE_ARRAY', encodeText(text.session_id), { presence: sessionPresent }),
    column('source_topic', 'BYTE_ARRAY', encodeText(text.source_topic), { compressible: false }),
    column('source_partition', 'INT32', plainInt32(sourcePartition), {
      statistics: range(sourcePartition, false),
    }),
    column('source_offset', 'INT64', plainInt64(sourceOffset), { statistics: range(sourceOffset, false) }),
  ];

  const writer = new ByteWriter(1024 + n * 128);
  writer.appendUint32(MAGIC);
  const chunks: ColumnChunk[] = columns.map(({ options, values, compressible }) =>
    writeColumnChunk(
      writer,
      {
        ...options,
        rows: n,
        codec: compressible && encodedSize(values) >= COMPRESS_FROM_BYTES ? zstd : undefined,
      },
      values,
    ),
  );
  let totalByteSize = 0n;
  for (const written of chunks) totalByteSize += written.meta_data?.total_uncompressed_size ?? 0n;
  writeMetadata(writer, {
    version: 2,
    created_by: 'top-songs lake-writer (hyparquet-writer)',
    schema,
    num_rows: BigInt(n),
    // One row group, as DuckDB writes a file of up to 122,880 rows: readers then see the same layout.
    row_groups: [
      {
        columns: chunks,
        total_byte_size: totalByteSize,
        num_rows: BigInt(n),
        total_compressed_size: BigInt(writer.offset - 4),
      },
    ],
    metadata_length: 0,
  });
  writer.appendUint32(MAGIC);
  return writer.getBytes();
}

interface Column {
  readonly options: Omit<ChunkOptions, 'rows' | 'codec'>;
  readonly values: EncodedValues;
  readonly compressible: boolean;
}

function column(
  name: string,
  type: ChunkOptions['type'],
  values: EncodedValues,
  extra: Pick<ChunkOptions, 'presence' | 'statistics'> & { compressible?: boolean } = {},
): Column {
  const { compressible = true, ...options } = extra;
  return { options: { name, type, ...options }, values, compressible };
}

/**
 * Pages smaller than this stay uncompressed: zstd's ~30 µs a call is most of the encoding of a file of a few dozen
 * rows, for a few KB saved (such files are about 1.9 times larger, and twice as fast to encode; docs/benchmarks.md).
 */
const COMPRESS_FROM_BYTES = 4096;

const encodedSize = (values: EncodedValues) =>
  values.encoding === 'PLAIN' ? values.bytes.length : values.dictionary.length + values.indexes.length / 2;

/**
 * The plays' positions by played_at, then event_id in code-unit order (DuckDB's ORDER BY on VARCHAR). Each key
 * packs a play's milliseconds past the file's first instant and its position into one number, so that a typed
 * array's native numeric sort does the work of a comparator called ~n·log n times (a file's plays lie within an
 * hour: 22 bits, and a position needs fewer than 31); plays of the same millisecond are then put in event_id
 * order. Instants spread too far for that, or not whole milliseconds, are sorted by the comparator.
 */
function playOrder(plays: PlayColumns): Uint32Array | number[] {
  const n = plays.length;
  const times = plays.played_at_ms;
  const byEventId = (a: number, b: number) => compare(plays.event_id[a]!, plays.event_id[b]!);
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  let whole = true;
  for (let i = 0; i < n; i++) {
    const time = times[i]!;
    if (time < min) min = time;
    if (time > max) max = time;
    whole &&= Number.isInteger(time);
  }
  if (n === 0 || !whole || (max - min + 1) * POSITIONS > Number.MAX_SAFE_INTEGER || n > POSITIONS) {
    return Array.from({ length: n }, (_, i) => i).sort((a, b) => times[a]! - times[b]! || byEventId(a, b));
  }
  const keys = new Float64Array(n);
  for (let i = 0; i < n; i++) keys[i] = (times[i]! - min) * POSITIONS + i;
  keys.sort();
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = keys[i]! % POSITIONS;
  // Runs of one millisecond (rare: a file's plays are a few per second at most) in event_id order.
  for (let start = 0; start < n; ) {
    let end = start + 1;
    while (end < n && times[order[end]!] === times[order[start]!]) end++;
    if (end - start > 1) order.subarray(start, end).sort(byEventId);
    start = end;
  }
  return order;
}

/** Positions packed below the milliseconds in a sort key: 2^31. */
const POSITIONS = 2_147_483_648;

/** Code-unit order, as DuckDB's ORDER BY on VARCHAR. */
function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
