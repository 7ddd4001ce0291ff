import { DEFAULT_CATALOG_SIZE } from '../src/adapters/catalog/seeded-catalog.ts';
import { SeededSongSource } from '../src/adapters/catalog/seeded-song-source.ts';
import { catalogVersionAt } from '../src/domain/catalog.ts';
import type { Song } from '../src/domain/song.ts';
import type { Clock } from '../src/ports/clock.ts';
import type { ObjectStore } from '../src/ports/object-store.ts';
import type { SongSource } from '../src/ports/song-source.ts';
import { writeCatalog as writeCatalogFiles } from '../src/use-cases/catalog-in-lake.ts';
import { generateCatalogVersion } from '../src/use-cases/generate-catalog.ts';
import { catalogFiles } from '../src/wiring/catalog-files.ts';

/**
 * The local runtime's counterpart of catalog-generate's run after a deploy: when the lake has no catalog,
 * writes one from `source` (npm start: the seeded generator; it never calls a chat model by itself, which
 * `npm run catalog -- generate` does). Returns whether it wrote.
 */
export async function ensureCatalog(
  lake: ObjectStore,
  source: SongSource,
  regions: readonly string[],
  clock: Clock,
): Promise<boolean> {
  const result = await generateCatalogVersion(
    { lake, files: catalogFiles, source, clock },
    { mode: 'ensure', songs: DEFAULT_CATALOG_SIZE, regions },
  );
  return result.written;
}

/** The seeded catalog of `npm start -- --seed N`. */
export const seededCatalog = (seed: number): SongSource => new SeededSongSource(seed);

/** Writes these songs as a new current catalog version, labelled seeded (tests and fixtures). */
export async function writeCatalog(lake: ObjectStore, songs: readonly Song[]): Promise<void> {
  const at = new Date();
  await writeCatalogFiles(lake, catalogFiles, songs, {
    version: catalogVersionAt(at),
    source: 'seeded',
    model: null,
    seed: null,
    generated_at: at.toISOString(),
    songs: songs.length,
    regions: [],
  });
}
