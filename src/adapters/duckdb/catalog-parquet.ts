import { LIST, listValue, VARCHAR } from '@duckdb/node-api';
import { type CatalogMetadata, catalogMetadataSchema } from '../../domain/catalog.ts';
import type { Song } from '../../domain/song.ts';
import { sqlString, tableToParquetBytes, withDuckDb } from './duckdb.ts';

/** The Parquet key-value metadata entry holding the catalog's CatalogMetadata, as JSON. */
export const CATALOG_METADATA_KEY = 'top_songs.catalog';

const columns = `song_id VARCHAR NOT NULL, title VARCHAR NOT NULL, artist VARCHAR NOT NULL,
  genre VARCHAR NOT NULL, language VARCHAR, release_year SMALLINT, duration_ms INTEGER,
  home_regions VARCHAR[], popularity SMALLINT`;

/** Encodes the song catalog as Parquet (`catalog/songs.parquet`), sorted by song_id, with its metadata. */
export async function encodeCatalogParquet(
  songs: readonly Song[],
  metadata?: CatalogMetadata,
): Promise<Uint8Array> {
  return withDuckDb(async (connection) => {
    const table = `songs_${process.pid}_${Math.random().toString(36).slice(2)}`;
    await connection.run(`CREATE TEMP TABLE ${table} (${columns})`);
    try {
      const appender = await connection.createAppender(table);
      const optional = (value: number | string | null | undefined, append: () => void) =>
        value === null || value === undefined ? appender.appendNull() : append();
      for (const song of [...songs].sort((a, b) =>
        a.song_id < b.song_id ? -1 : a.song_id > b.song_id ? 1 : 0,
      )) {
        appender.appendVarchar(song.song_id);
        appender.appendVarchar(song.title);
        appender.appendVarchar(song.artist);
        appender.appendVarchar(song.genre);
        optional(song.language, () => appender.appendVarchar(song.language!));
        optional(song.release_year, () => appender.appendSmallInt(song.release_year!));
        optional(song.duration_ms, () => appender.appendInteger(song.duration_ms!));
        if (song.home_regions === null || song.home_regions === undefined) appender.appendNull();
        else appender.appendList(listValue([...song.home_regions]), LIST(VARCHAR));
        optional(song.popularity, () => appender.appendSmallInt(song.popularity!));
        appender.endRow();
      }
      appender.closeSync();
      return await tableToParquetBytes(
        connection,
        table,
        metadata ? { [CATALOG_METADATA_KEY]: JSON.stringify(metadata) } : {},
      );
    } finally {
      await connection.run(`DROP TABLE IF EXISTS ${table}`);
    }
  });
}

/**
 * Reads a catalog Parquet file from a local path. A file written before the catalog had more than four
 * columns (or by another writer) lacks some: those fields read as null.
 */
export async function readCatalogParquet(file: string): Promise<Song[]> {
  return withDuckDb(async (connection) => {
    const reader = await connection.runAndReadAll(
      `SELECT * FROM read_parquet(${sqlString(file)}) ORDER BY song_id`,
    );
    return (reader.getRowObjectsJS() as Record<string, unknown>[]).map((row) => ({
      song_id: String(row.song_id),
      title: String(row.title),
      artist: String(row.artist),
      genre: String(row.genre),
      language: (row.language as string | null | undefined) ?? null,
      release_year: (row.release_year as number | null | undefined) ?? null,
      duration_ms: (row.duration_ms as number | null | undefined) ?? null,
      home_regions: (row.home_regions as string[] | null | undefined) ?? null,
      popularity: (row.popularity as number | null | undefined) ?? null,
    }));
  });
}

/** The metadata a catalog file carries, or undefined for a file written without it (before versioning). */
export async function readCatalogMetadata(file: string): Promise<CatalogMetadata | undefined> {
  return withDuckDb(async (connection) => {
    const reader = await connection.runAndReadAll(
      `SELECT decode(value) AS value FROM parquet_kv_metadata(${sqlString(file)})
       WHERE decode(key) = ${sqlString(CATALOG_METADATA_KEY)}`,
    );
    const [row] = reader.getRowObjectsJS() as { value: string }[];
    if (!row) return undefined;
    const parsed = catalogMetadataSchema.safeParse(JSON.parse(row.value));
    if (!parsed.success) {
      throw new Error(
        `The catalog file's ${CATALOG_METADATA_KEY} metadata is malformed: ${parsed.error.message}`,
      );
    }
    return parsed.data;
  });
}
