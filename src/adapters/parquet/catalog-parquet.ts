import { readFile } from 'node:fs/promises';
import { zstdCompressSync, zstdDecompressSync } from 'node:zlib';
import { parquetMetadata, parquetReadObjects } from 'hyparquet';
import { parquetWriteBuffer, type SchemaElement } from 'hyparquet-writer';
import { type CatalogMetadata, catalogMetadataSchema } from '../../domain/catalog.ts';
import type { Song } from '../../domain/song.ts';

/**
 * The catalog's Parquet file (docs/contracts.md, "The catalog") in plain JavaScript, without DuckDB: `npm start`
 * writes and reads it at its start (the seeded catalog, the simulator's songs), and loading DuckDB for that kept
 * ~85 MB in the runtime's process for its whole life (docs/decisions.md, "DuckDB out of the runtime's process").
 */

/** The Parquet key-value metadata entry holding the catalog's CatalogMetadata, as JSON. */
export const CATALOG_METADATA_KEY = 'top_songs.catalog';

const text = (name: string, required: boolean): SchemaElement => ({
  name,
  type: 'BYTE_ARRAY',
  converted_type: 'UTF8',
  logical_type: { type: 'STRING' },
  repetition_type: required ? 'REQUIRED' : 'OPTIONAL',
});
const int16 = (name: string): SchemaElement => ({
  name,
  type: 'INT32',
  // Converted type only: DuckDB cannot read the INTEGER logical type as hyparquet-writer 0.17 writes it.
  converted_type: 'INT_16',
  repetition_type: 'OPTIONAL',
});

/** The columns in the contract's order and types (SMALLINT, INTEGER, VARCHAR[] as a three-level LIST). */
const schema: SchemaElement[] = [
  { name: 'schema', num_children: 9 },
  text('song_id', true),
  text('title', true),
  text('artist', true),
  text('genre', true),
  text('language', false),
  int16('release_year'),
  { name: 'duration_ms', type: 'INT32', converted_type: 'INT_32', repetition_type: 'OPTIONAL' },
  { name: 'home_regions', repetition_type: 'OPTIONAL', converted_type: 'LIST', num_children: 1 },
  { name: 'list', repetition_type: 'REPEATED', num_children: 1 },
  text('element', false),
  int16('popularity'),
];

/** Songs in song_id order (by code unit, not locale). */
const bySongId = (a: Song, b: Song) => (a.song_id < b.song_id ? -1 : a.song_id > b.song_id ? 1 : 0);

const zstd = {
  ZSTD: (input: Uint8Array): Uint8Array => zstdCompressSync(input),
};

/** Encodes the song catalog as Parquet (`catalog/songs.parquet`), sorted by song_id, ZSTD, with its metadata. */
export async function encodeCatalogParquet(
  songs: readonly Song[],
  metadata?: CatalogMetadata,
): Promise<Uint8Array> {
  const sorted = [...songs].sort(bySongId);
  const column = <K extends keyof Song>(name: K) => sorted.map((song) => song[name] ?? null);
  const buffer = parquetWriteBuffer({
    schema,
    codec: 'ZSTD',
    compressors: zstd,
    columnData: [
      { name: 'song_id', data: column('song_id') },
      { name: 'title', data: column('title') },
      { name: 'artist', data: column('artist') },
      { name: 'genre', data: column('genre') },
      { name: 'language', data: column('language') },
      { name: 'release_year', data: column('release_year') },
      { name: 'duration_ms', data: column('duration_ms') },
      { name: 'home_regions', data: column('home_regions') },
      { name: 'popularity', data: column('popularity') },
    ],
    kvMetadata: metadata ? [{ key: CATALOG_METADATA_KEY, value: JSON.stringify(metadata) }] : undefined,
  });
  return new Uint8Array(buffer);
}

/** DuckDB wrote the catalogs before this module did, ZSTD too: hyparquet reads only Snappy by itself. */
const decompressors = {
  ZSTD: (input: Uint8Array, outputLength: number): Uint8Array => {
    const output = zstdDecompressSync(input);
    if (output.length !== outputLength)
      throw new Error(
        `a ZSTD page of the catalog decompressed to ${output.length} bytes, not ${outputLength}`,
      );
    return output;
  },
};

async function fileBuffer(file: string): Promise<ArrayBuffer> {
  const bytes = await readFile(file);
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
}

/**
 * Reads a catalog Parquet file from a local path, sorted by song_id. A file written before the catalog had more
 * than four columns (or by another writer) lacks some: those fields read as null.
 */
export async function readCatalogParquet(file: string): Promise<Song[]> {
  const rows = (await parquetReadObjects({
    file: await fileBuffer(file),
    compressors: decompressors,
  })) as Record<string, unknown>[];
  const nullable = <T>(value: unknown): T | null => (value ?? null) as T | null;
  return rows
    .map((row) => ({
      song_id: String(row.song_id),
      title: String(row.title),
      artist: String(row.artist),
      genre: String(row.genre),
      language: nullable<string>(row.language),
      release_year: nullable<number>(row.release_year),
      duration_ms: nullable<number>(row.duration_ms),
      home_regions: nullable<string[]>(row.home_regions),
      popularity: nullable<number>(row.popularity),
    }))
    .sort(bySongId);
}

/** The metadata a catalog file carries, or undefined for a file written without it (before versioning). */
export async function readCatalogMetadata(file: string): Promise<CatalogMetadata | undefined> {
  const { key_value_metadata: entries = [] } = parquetMetadata(await fileBuffer(file));
  const entry = entries.find((kv) => kv.key === CATALOG_METADATA_KEY);
  if (entry?.value === undefined) return undefined;
  const parsed = catalogMetadataSchema.safeParse(JSON.parse(entry.value));
  if (!parsed.success) {
    throw new Error(
      `The catalog file's ${CATALOG_METADATA_KEY} metadata is malformed: ${parsed.error.message}`,
    );
  }
  return parsed.data;
}
