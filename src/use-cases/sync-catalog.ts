import { CATALOG_KEY } from '../domain/lake-layout.ts';
import type { Song } from '../domain/song.ts';
import type { ChartStore } from '../ports/chart-store.ts';
import type { ObjectStore } from '../ports/object-store.ts';

export interface CatalogSyncPorts {
  readonly lake: ObjectStore;
  readonly charts: ChartStore;
  readonly readCatalog: (file: string) => Promise<Song[]>;
  readonly withScratchDir: <T>(work: (dir: string) => Promise<T>) => Promise<T>;
}

export interface CatalogSyncResult {
  readonly songs: number;
  readonly changed: number;
}

/**
 * Enrichment: copies the song catalog (master data in the lake) into the database, where charts
 * are joined with it when served. A song the catalog learns later gets its title in every chart,
 * past ones included, without recomputing them.
 */
export async function syncCatalog(ports: CatalogSyncPorts): Promise<CatalogSyncResult> {
  const songs = await ports.withScratchDir(async (dir) => {
    const [file] = await ports.lake.localCopies(
      (await ports.lake.list(CATALOG_KEY)).filter((key) => key === CATALOG_KEY),
      dir,
    );
    return file ? ports.readCatalog(file) : [];
  });
  return { songs: songs.length, changed: await ports.charts.upsertSongs(songs) };
}
