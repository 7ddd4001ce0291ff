import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CATALOG_METADATA_KEY,
  encodeCatalogParquet,
  readCatalogMetadata,
  readCatalogParquet,
} from '../../../src/adapters/parquet/catalog-parquet.ts';
import type { CatalogMetadata } from '../../../src/domain/catalog.ts';
import type { Song } from '../../../src/domain/song.ts';
import { queryDuckDb, sqlText, type TempDir, tempDir } from '../support/temp.ts';

const metadata: CatalogMetadata = {
  version: '2026-12-07T04-20-00.000Z',
  source: 'openai',
  model: 'gpt-4.1-mini',
  seed: null,
  generated_at: '2026-12-07T04:20:00.000Z',
  songs: 4,
  regions: ['us', 'gb'],
};

// Out of song_id order, with every optional field null somewhere, an empty and a filled home_regions, and text
// beyond ASCII.
const songs: Song[] = [
  {
    song_id: 'song-000003',
    title: 'Überall',
    artist: 'Los Niños',
    genre: 'latin',
    language: 'es',
    release_year: 2021,
    duration_ms: 201_000,
    home_regions: ['mx', 'es'],
    popularity: 87,
  },
  {
    song_id: 'song-000001',
    title: 'Plain',
    artist: 'A',
    genre: 'pop',
    language: null,
    release_year: null,
    duration_ms: null,
    home_regions: null,
    popularity: null,
  },
  {
    song_id: 'song-000002',
    title: "It's",
    artist: 'B',
    genre: 'rock',
    language: 'zxx',
    release_year: 1999,
    duration_ms: 1_200_000,
    home_regions: [],
    popularity: 1,
  },
];
const bySongId = [...songs].sort((a, b) => a.song_id.localeCompare(b.song_id));

let dir: TempDir;
beforeAll(async () => {
  dir = await tempDir('catalog-parquet');
});
afterAll(() => dir.remove());

describe('the catalog file without DuckDB', () => {
  it('reads back what it wrote, sorted by song_id, with its metadata', async () => {
    const file = join(dir.path, 'round-trip.parquet');
    await writeFile(file, await encodeCatalogParquet(songs, metadata));
    expect(await readCatalogParquet(file)).toEqual(bySongId);
    expect(await readCatalogMetadata(file)).toEqual(metadata);
  });

  it("writes the contract's columns and types, ZSTD, as DuckDB reads them", async () => {
    const file = join(dir.path, 'contract.parquet');
    await writeFile(file, await encodeCatalogParquet(songs, metadata));
    const columns = await queryDuckDb(`DESCRIBE SELECT * FROM read_parquet(${sqlText(file)})`);
    // docs/contracts.md, "The catalog", written out by hand.
    expect(columns.map((c) => [c.column_name, c.column_type])).toEqual([
      ['song_id', 'VARCHAR'],
      ['title', 'VARCHAR'],
      ['artist', 'VARCHAR'],
      ['genre', 'VARCHAR'],
      ['language', 'VARCHAR'],
      ['release_year', 'SMALLINT'],
      ['duration_ms', 'INTEGER'],
      ['home_regions', 'VARCHAR[]'],
      ['popularity', 'SMALLINT'],
    ]);
    const rows = await queryDuckDb(`SELECT * FROM read_parquet(${sqlText(file)})`);
    expect(rows).toEqual(bySongId);
    const codecs = await queryDuckDb(`SELECT DISTINCT compression FROM parquet_metadata(${sqlText(file)})`);
    expect(codecs).toEqual([{ compression: 'ZSTD' }]);
    const [entry] = await queryDuckDb(
      `SELECT decode(value) AS value FROM parquet_kv_metadata(${sqlText(file)})
       WHERE decode(key) = ${sqlText(CATALOG_METADATA_KEY)}`,
    );
    expect(JSON.parse(String(entry?.value))).toEqual(metadata);
  });

  it('reads the catalogs DuckDB wrote (ZSTD, with metadata), and older ones of four columns', async () => {
    const full = join(dir.path, 'duckdb.parquet');
    const values = songs
      .map(
        (s) =>
          `(${[s.song_id, s.title, s.artist, s.genre].map(sqlText).join(', ')}, ${s.language ? sqlText(s.language) : 'NULL'},
            ${s.release_year ?? 'NULL'}::SMALLINT, ${s.duration_ms ?? 'NULL'}::INTEGER,
            ${s.home_regions ? `[${s.home_regions.map(sqlText).join(', ')}]::VARCHAR[]` : 'NULL::VARCHAR[]'},
            ${s.popularity ?? 'NULL'}::SMALLINT)`,
      )
      .join(', ');
    await queryDuckDb(
      `COPY (SELECT * FROM (VALUES ${values}) t(song_id, title, artist, genre, language, release_year, duration_ms,
       home_regions, popularity) ORDER BY song_id) TO ${sqlText(full)}
       (FORMAT parquet, COMPRESSION zstd, KV_METADATA {${sqlText(CATALOG_METADATA_KEY)}: ${sqlText(JSON.stringify(metadata))}})`,
    );
    expect(await readCatalogParquet(full)).toEqual(bySongId);
    expect(await readCatalogMetadata(full)).toEqual(metadata);

    const old = join(dir.path, 'four-columns.parquet');
    await queryDuckDb(
      `COPY (SELECT 'song-000009' AS song_id, 'T' AS title, 'A' AS artist, 'jazz' AS genre) TO ${sqlText(old)}
       (FORMAT parquet, COMPRESSION zstd)`,
    );
    expect(await readCatalogParquet(old)).toEqual([
      {
        song_id: 'song-000009',
        title: 'T',
        artist: 'A',
        genre: 'jazz',
        language: null,
        release_year: null,
        duration_ms: null,
        home_regions: null,
        popularity: null,
      },
    ]);
    expect(await readCatalogMetadata(old)).toBeUndefined();
  });

  it('refuses metadata that is not a catalog version', async () => {
    const file = join(dir.path, 'bad-metadata.parquet');
    await queryDuckDb(
      `COPY (SELECT 'song-000001' AS song_id) TO ${sqlText(file)}
       (FORMAT parquet, KV_METADATA {${sqlText(CATALOG_METADATA_KEY)}: '{"version": 3}'})`,
    );
    await expect(readCatalogMetadata(file)).rejects.toThrow(/metadata is malformed/);
  });
});
