/**
 * catalog-sync loads the current catalog's songs into PostgreSQL's songs table, the generated fields
 * included; a catalog written before those fields existed still loads, with them null.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir } from '../../../devkit/temp-dir.ts';
import { writeCatalog } from '../../../local/catalog.ts';
import { sqlString, withDuckDb } from '../../../src/adapters/duckdb/duckdb.ts';
import { LocalFolderStore } from '../../../src/adapters/object-store/local-folder.ts';
import { CATALOG_KEY } from '../../../src/domain/lake-layout.ts';
import type { Song } from '../../../src/domain/song.ts';
import { syncCatalog } from '../../../src/use-cases/sync-catalog.ts';
import { catalogFiles } from '../../../src/wiring/catalog-files.ts';
import { chartStoreForThisFile } from '../../unit/support/postgres.ts';

const database = chartStoreForThisFile('catalog-sync');
let dir: { path: string; remove: () => Promise<void> };
beforeAll(async () => {
  dir = await makeTempDir('catalog-sync');
});
afterAll(async () => dir.remove());

const generated: Song[] = [
  {
    song_id: 'song-0a1b2c3d4e5f',
    title: 'Evidências',
    artist: 'Chitãozinho & Xororó',
    genre: 'sertanejo',
    language: 'pt',
    release_year: 1990,
    duration_ms: 281_000,
    home_regions: ['br'],
    popularity: 77,
  },
  {
    song_id: 'song-ffeeddccbbaa',
    title: 'Blinding Lights',
    artist: 'The Weeknd',
    genre: 'pop',
    language: 'en',
    release_year: 2019,
    duration_ms: 200_000,
    home_regions: [],
    popularity: 98,
  },
];

async function songsTable() {
  const { rows } = await database
    .pool()
    .query(
      'SELECT song_id, title, artist, genre, language, release_year, duration_ms, home_regions, popularity FROM songs ORDER BY song_id',
    );
  return rows;
}

describe('catalog-sync', () => {
  it('loads every field of the generated catalog', async () => {
    const lake = new LocalFolderStore(join(dir.path, 'generated'));
    await writeCatalog(lake, generated);
    const result = await syncCatalog({ lake, charts: database.store(), files: catalogFiles });
    expect(result).toEqual({ songs: 2, changed: 2 });
    expect(await songsTable()).toEqual(generated);
    // Loading the same catalog again changes nothing.
    expect(await syncCatalog({ lake, charts: database.store(), files: catalogFiles })).toEqual({
      songs: 2,
      changed: 0,
    });
  });

  it('loads a catalog of the four first columns only, its other fields null', async () => {
    const lake = new LocalFolderStore(join(dir.path, 'old'));
    const file = join(dir.path, 'old-songs.parquet');
    await withDuckDb((connection) =>
      connection.run(
        `COPY (SELECT 'song-000001' AS song_id, 'Old Title' AS title, 'Old Artist' AS artist, 'rock' AS genre)
         TO ${sqlString(file)} (FORMAT parquet)`,
      ),
    );
    await lake.put(CATALOG_KEY, new Uint8Array(await readFile(file)), 'application/vnd.apache.parquet');
    expect(await syncCatalog({ lake, charts: database.store(), files: catalogFiles })).toEqual({
      songs: 1,
      changed: 1,
    });
    const [old] = (await songsTable()).filter((row) => row.song_id === 'song-000001');
    expect(old).toEqual({
      song_id: 'song-000001',
      title: 'Old Title',
      artist: 'Old Artist',
      genre: 'rock',
      language: null,
      release_year: null,
      duration_ms: null,
      home_regions: null,
      popularity: null,
    });
  });
});
