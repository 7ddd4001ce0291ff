import {
  encodeCatalogParquet,
  readCatalogMetadata,
  readCatalogParquet,
} from '../adapters/parquet/catalog-parquet.ts';
import { withScratchDir } from '../adapters/scratch-dir.ts';
import type { CatalogFiles } from '../use-cases/catalog-in-lake.ts';

/** Catalog files in plain JavaScript (no DuckDB in `npm start`'s process); remote lakes through a scratch folder. */
export const catalogFiles: CatalogFiles = {
  encode: encodeCatalogParquet,
  readMetadata: readCatalogMetadata,
  readSongs: readCatalogParquet,
  withScratchDir,
};
