import { enrichHourFiles } from '../adapters/duckdb/enrich-query.ts';
import { readCatalogMetadata } from '../adapters/parquet/catalog-parquet.ts';
import { withScratchDir } from '../adapters/scratch-dir.ts';
import { regionTimeZones } from '../domain/regions.ts';
import type { EnrichPorts } from '../use-cases/enrich-plays.ts';

/** Enrichment's engine in every runtime: DuckDB over local copies, the regions' time zones. */
export const enrichmentEngine: Omit<EnrichPorts, 'lake' | 'clock'> = {
  timeZones: regionTimeZones,
  enrichHour: enrichHourFiles,
  catalogVersion: async (file) => (await readCatalogMetadata(file))?.version,
  withScratchDir,
};
