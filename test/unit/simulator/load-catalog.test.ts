import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeCatalog } from '../../../local/catalog.ts';
import { loadCatalog } from '../../../simulator/load-catalog.ts';
import { LocalFolderStore } from '../../../src/adapters/object-store/local-folder.ts';
import { CATALOG_KEY } from '../../../src/domain/lake-layout.ts';
import type { Song } from '../../../src/domain/song.ts';
import { type TempDir, tempDir } from '../support/temp.ts';

const songs: Song[] = [
  {
    song_id: 'song-aaaaaaaaaaaa',
    title: 'A',
    artist: 'X',
    genre: 'pop',
    language: 'en',
    release_year: 2001,
    duration_ms: 180_000,
    home_regions: ['jp'],
    popularity: 70,
  },
];

let dir: TempDir;
beforeAll(async () => {
  dir = await tempDir('load-catalog');
  await writeCatalog(new LocalFolderStore(dir.path), songs);
});
afterAll(async () => dir.remove());

describe('loadCatalog (npm run simulate -- --catalog …)', () => {
  it('reads a catalog file with every field', async () => {
    expect(await loadCatalog(join(dir.path, CATALOG_KEY))).toEqual(songs);
  });
});
