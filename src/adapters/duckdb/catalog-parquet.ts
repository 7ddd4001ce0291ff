import type { Song } from '../../domain/song.ts';
import { sqlString, tableToParquetBytes, withDuckDb } from './duckdb.ts';

/** Encodes the song catalog as Parquet (`catalog/songs.parquet`). */
export async function encodeCatalogParquet(songs: readonly Song[]): Promise<Uint8Array> {
  return withDuckDb(async (connection) => {
    const table = `songs_${process.pid}_${Math.random().toString(36).slice(2)}`;
    await connection.run(
      `CREATE TEMP TABLE ${table} (song_id VARCHAR NOT NULL, title VARCHAR NOT NULL, artist VARCHAR NOT NULL, genre VARCHAR NOT NULL)`,
    );
    try {
      const appender = await connection.createAppender(table);
      for (const song of [...songs].sort((a, b) =>
        a.song_id < b.song_id ? -1 : a.song_id > b.song_id ? 1 : 0,
      )) {
        appender.appendVarchar(song.song_id);
        appender.appendVarchar(song.title);
        appender.appendVarchar(song.artist);
        appender.appendVarchar(song.genre);
        appender.endRow();
      }
      appender.closeSync();
      return await tableToParquetBytes(connection, table);
    } finally {
      await connection.run(`DROP TABLE IF EXISTS ${table}`);
    }
  });
}

/** Reads a catalog Parquet file from a local path. */
export async function readCatalogParquet(file: string): Promise<Song[]> {
  return withDuckDb(async (connection) => {
    const reader = await connection.runAndReadAll(
      `SELECT song_id, title, artist, genre FROM read_parquet(${sqlString(file)}) ORDER BY song_id`,
    );
    return reader.getRowObjectsJS() as unknown as Song[];
  });
}
