import {
  encodeCatalogParquet,
  readCatalogMetadata,
  readCatalogParquet,
} from '../adapters/duckdb/catalog-parquet.ts';
import { withScratchDir } from '../adapters/duckdb/duckdb.ts';
import type { CatalogFiles } from '../use-cases/catalog-in-lake.ts';

/** Catalog files through DuckDB's Parquet; remote lakes through a scratch folder. */
export const catalogFiles: CatalogFiles = {
  encode: encodeCatalogParquet,
  readMetadata: readCatalogMetadata,
  readSongs: readCatalogParquet,
  withScratchDir,
};
