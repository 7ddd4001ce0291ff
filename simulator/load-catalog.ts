import type { Song } from '../src/adapters/catalog/seeded-catalog.ts';
import { readCatalogParquet } from '../src/adapters/parquet/catalog-parquet.ts';
import { loadSettings } from '../src/config/settings.ts';
import { readCurrentSongs } from '../src/use-cases/catalog-in-lake.ts';
import { catalogFiles } from '../src/wiring/catalog-files.ts';
import { createDependencies } from '../src/wiring/dependencies.ts';

/** The songs of `--catalog lake` (the lake of the current settings) or `--catalog <file.parquet>`. */
export async function loadCatalog(where: string): Promise<readonly Song[]> {
  if (where !== 'lake') return readCatalogParquet(where);
  const lake = createDependencies(loadSettings(process.env)).lake();
  const songs = await readCurrentSongs(lake, catalogFiles);
  if (!songs)
    throw new Error(
      `--catalog lake: ${lake.describe()} has no catalog; npm run catalog -- generate writes one`,
    );
  return songs;
}
