import { encodeCatalogParquet } from '../adapters/duckdb/catalog-parquet.ts';
import { CATALOG_KEY } from '../domain/lake-layout.ts';
import type { Song } from '../domain/song.ts';
import type { ObjectStore } from '../ports/object-store.ts';

/** Writes the catalog to the lake unless one is there already; returns whether it wrote. */
export async function ensureCatalog(lake: ObjectStore, generate: () => readonly Song[]): Promise<boolean> {
  if ((await lake.list(CATALOG_KEY)).includes(CATALOG_KEY)) return false;
  await writeCatalog(lake, generate());
  return true;
}

export async function writeCatalog(lake: ObjectStore, songs: readonly Song[]): Promise<void> {
  await lake.put(CATALOG_KEY, await encodeCatalogParquet(songs), 'application/vnd.apache.parquet');
}
