import { endianness } from 'node:os';
import { ByteWriter } from 'hyparquet-writer';
import { writePageHeader } from 'hyparquet-writer/src/datapage.js';
import { writeRleBitPackedHybrid } from 'hyparquet-writer/src/encoding.js';
import type { writeMetadata } from 'hyparquet-writer/src/metadata.js';

/**
 * The pages of one flat, OPTIONAL Parquet column chunk (one data page, v2, and for dictionary-encoded text a
 * dictionary page), written straight from column arrays: the per-value work of a file, which hyparquet-writer's
 * general paths (per-value type checks, a TextEncoder call per string, dictionary sampling) made most of the
 * lake-writer's cost (docs/benchmarks.md). Page headers and the footer stay hyparquet-writer's thrift code.
 */

type FileMetaData = Parameters<typeof writeMetadata>[1];
export type ColumnChunk = FileMetaData['row_groups'][number]['columns'][number];
type ColumnMetaData = NonNullable<ColumnChunk['meta_data']>;
export type Statistics = NonNullable<ColumnMetaData['statistics']>;

// Typed arrays are written as their bytes: Parquet's PLAIN integers are little-endian, as x86-64 and ARM64 are.
if (endianness() !== 'LE') throw new Error('the Parquet page encoder needs a little-endian machine');

export interface ChunkOptions {
  readonly name: string;
  readonly type: 'BYTE_ARRAY' | 'INT32' | 'INT64';
  /** The chunk's codec and its compressor; none: UNCOMPRESSED. */
  readonly codec?:
    | { readonly name: 'ZSTD'; readonly compress: (bytes: Uint8Array) => Uint8Array }
    | undefined;
  /** Rows in the chunk, null or not. */
  readonly rows: number;
  /** One per row, 1 present, 0 null; absent: no nulls. */
  readonly presence?: Uint8Array | undefined;
  readonly statistics?: Statistics | undefined;
}

/** A column's non-null values, encoded: PLAIN bytes, or dictionary indexes with the dictionary's PLAIN bytes. */
export type EncodedValues =
  | { readonly encoding: 'PLAIN'; readonly bytes: Uint8Array }
  | {
      readonly encoding: 'RLE_DICTIONARY';
      readonly dictionary: Uint8Array;
      readonly size: number;
      readonly indexes: Uint32Array;
    };

/** Writes the column chunk at the writer's offset and returns its footer entry. */
export function writeColumnChunk(
  writer: ByteWriter,
  options: ChunkOptions,
  values: EncodedValues,
): ColumnChunk {
  const { name, type, codec, rows, presence, statistics } = options;
  const compress = codec?.compress ?? ((bytes: Uint8Array) => bytes);
  const start = writer.offset;
  let uncompressed = 0;
  let dictionaryPageOffset: bigint | undefined;
  let data: Uint8Array;
  if (values.encoding === 'RLE_DICTIONARY') {
    dictionaryPageOffset = BigInt(start);
    const compressed = compress(values.dictionary);
    const headerStart = writer.offset;
    writePageHeader(writer, {
      type: 'DICTIONARY_PAGE',
      uncompressed_page_size: values.dictionary.length,
      compressed_page_size: compressed.length,
      dictionary_page_header: { num_values: values.size, encoding: 'PLAIN' },
    });
    uncompressed += writer.offset - headerStart + values.dictionary.length;
    writer.appendBytes(compressed);
    data = dictionaryIndexes(values.indexes, values.size);
  } else {
    data = values.bytes;
  }

  // Definition levels (max level 1), RLE/bit-packed and never compressed in a v2 page.
  const levels = new ByteWriter(16);
  let nulls = 0;
  if (presence) {
    for (let i = 0; i < rows; i++) nulls += 1 - presence[i]!;
    writeRleBitPackedHybrid(levels, presence, 1);
  } else {
    writeRleBitPackedHybrid(levels, new Uint8Array(rows).fill(1), 1);
  }
  const compressed = compress(data);
  const dataPageOffset = BigInt(writer.offset);
  const headerStart = writer.offset;
  writePageHeader(writer, {
    type: 'DATA_PAGE_V2',
    uncompressed_page_size: levels.offset + data.length,
    compressed_page_size: levels.offset + compressed.length,
    data_page_header_v2: {
      num_values: rows,
      num_nulls: nulls,
      num_rows: rows,
      encoding: values.encoding,
      definition_levels_byte_length: levels.offset,
      repetition_levels_byte_length: 0,
      is_compressed: codec !== undefined,
    },
  });
  uncompressed += writer.offset - headerStart + levels.offset + data.length;
  writer.appendBytes(levels.getBytes());
  writer.appendBytes(compressed);

  return {
    file_offset: BigInt(start),
    meta_data: {
      type,
      encodings: values.encoding === 'RLE_DICTIONARY' ? ['PLAIN', 'RLE_DICTIONARY'] : ['PLAIN'],
      path_in_schema: [name],
      codec: codec?.name ?? 'UNCOMPRESSED',
      num_values: BigInt(rows),
      total_compressed_size: BigInt(writer.offset - start),
      total_uncompressed_size: BigInt(uncompressed),
      data_page_offset: dataPageOffset,
      dictionary_page_offset: dictionaryPageOffset,
      statistics,
    },
  };
}

/** A data page's dictionary-encoded values: the index bit width, then the indexes RLE/bit-packed. */
function dictionaryIndexes(indexes: Uint32Array, size: number): Uint8Array {
  const bitWidth = size > 1 ? 32 - Math.clz32(size - 1) : 0;
  const page = new ByteWriter(16 + Math.ceil((indexes.length * bitWidth) / 8) + indexes.length / 4);
  page.appendUint8(bitWidth);
  writeRleBitPackedHybrid(page, indexes, bitWidth);
  return page.getBytes();
}

/** PLAIN BYTE_ARRAY values: each a 4-byte little-endian length, then its UTF-8 bytes. */
export function plainText(values: readonly string[]): Uint8Array {
  let chars = 0;
  for (const value of values) chars += value.length;
  // A UTF-16 code unit is at most 3 UTF-8 bytes.
  const buffer = Buffer.allocUnsafe(chars * 3 + values.length * 4);
  let offset = 0;
  for (const value of values) {
    const length = buffer.write(value, offset + 4, 'utf8');
    buffer[offset] = length & 0xff;
    buffer[offset + 1] = (length >>> 8) & 0xff;
    buffer[offset + 2] = (length >>> 16) & 0xff;
    buffer[offset + 3] = length >>> 24;
    offset += 4 + length;
  }
  return buffer.subarray(0, offset);
}

const DICTIONARY_PROBE = 256;

/**
 * A text column's values dictionary-encoded where that pays (the dictionary and its indexes at most half the
 * PLAIN bytes, hyparquet-writer's rule: low-cardinality columns such as region, device, song_id), else PLAIN.
 */
export function encodeText(values: readonly string[]): EncodedValues {
  const positions = new Map<string, number>();
  const distinct: string[] = [];
  const indexes = new Uint32Array(values.length);
  let chars = 0;
  let distinctChars = 0;
  for (let i = 0; i < values.length; i++) {
    const value = values[i]!;
    chars += value.length;
    let index = positions.get(value);
    if (index === undefined) {
      index = distinct.length;
      positions.set(value, index);
      distinct.push(value);
      distinctChars += value.length;
    }
    indexes[i] = index;
    // Nearly every value new so far (ids of users, sessions): a dictionary would not pay; stop building it.
    if (i === DICTIONARY_PROBE - 1 && distinct.length > 0.9 * DICTIONARY_PROBE) {
      return { encoding: 'PLAIN', bytes: plainText(values) };
    }
  }
  const bitWidth = distinct.length > 1 ? 32 - Math.clz32(distinct.length - 1) : 0;
  const dictionaryBytes = distinctChars + 4 * distinct.length + Math.ceil((values.length * bitWidth) / 8);
  if (values.length === 0 || 2 * dictionaryBytes > chars + 4 * values.length) {
    return { encoding: 'PLAIN', bytes: plainText(values) };
  }
  return { encoding: 'RLE_DICTIONARY', dictionary: plainText(distinct), size: distinct.length, indexes };
}

/** PLAIN INT32 values. */
export const plainInt32 = (values: Int32Array): EncodedValues => ({
  encoding: 'PLAIN',
  bytes: new Uint8Array(values.buffer, values.byteOffset, values.byteLength),
});

/** PLAIN INT64 values from integers that are exact as numbers (|v| < 2^53), written as two 32-bit words. */
export function plainInt64(values: Float64Array): EncodedValues {
  const words = new Uint32Array(values.length * 2);
  for (let i = 0; i < values.length; i++) {
    const value = values[i]!;
    words[2 * i] = value >>> 0;
    // Math.floor of a negative value gives the two's-complement high word once stored as 32 bits.
    words[2 * i + 1] = Math.floor(value / 4_294_967_296);
  }
  return { encoding: 'PLAIN', bytes: new Uint8Array(words.buffer) };
}
