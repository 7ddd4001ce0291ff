import type { ChartStore } from '../ports/chart-store.ts';
import type { ObjectStore } from '../ports/object-store.ts';
import { type CatalogFiles, readCurrentSongs } from './catalog-in-lake.ts';

export interface CatalogSyncPorts {
  readonly lake: ObjectStore;
  readonly charts: ChartStore;
  readonly files: Pick<CatalogFiles, 'readSongs' | 'withScratchDir'>;
}

export interface CatalogSyncResult {
  readonly songs: number;
  readonly changed: number;
}

/**
 * Enrichment: copies the current song catalog (master data in the lake) into the database, where charts
 * are joined with it when served. A song the catalog learns later gets its title in every chart,
 * past ones included, without recomputing them; songs of earlier catalog versions stay.
 */
export async function syncCatalog(ports: CatalogSyncPorts): Promise<CatalogSyncResult> {
  const songs = (await readCurrentSongs(ports.lake, ports.files)) ?? [];
  return { songs: songs.length, changed: await ports.charts.upsertSongs(songs) };
}
