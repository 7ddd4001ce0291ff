import { type CatalogMetadata, catalogVersionAt } from '../domain/catalog.ts';
import { CATALOG_KEY } from '../domain/lake-layout.ts';
import type { Clock } from '../ports/clock.ts';
import type { ObjectStore } from '../ports/object-store.ts';
import type { SongSource, SongSourceProgress } from '../ports/song-source.ts';
import { type CatalogFiles, currentCatalog, describeCatalog, writeCatalog } from './catalog-in-lake.ts';

export interface CatalogGenerationPorts {
  readonly lake: ObjectStore;
  readonly files: CatalogFiles;
  readonly source: SongSource;
  readonly clock: Clock;
  readonly onProgress?: (progress: SongSourceProgress) => void;
}

/**
 * `generate`: always a new version. `ensure` (after a deploy, at a local start): only when the lake has no
 * catalog yet, or has a seeded one while a chat model is now at hand (the operator filled in the key).
 */
export type CatalogMode = 'ensure' | 'generate';

export interface CatalogRequest {
  readonly mode: CatalogMode;
  readonly songs: number;
  readonly regions: readonly string[];
}

export type CatalogResult =
  | { readonly written: false; readonly reason: string; readonly current: CatalogMetadata | undefined }
  | {
      readonly written: true;
      readonly metadata: CatalogMetadata;
      /** Where this version lives for good, and the current catalog's key. */
      readonly versionKey: string;
      readonly key: string;
      /** The version it replaced as current (kept under catalog/versions/), if any had one. */
      readonly previous: CatalogMetadata | undefined;
      /** The lake had a catalog before (with or without metadata). */
      readonly replaced: boolean;
    };

/**
 * Generates a catalog version and makes it current: the version's own file first
 * (`catalog/versions/<version>/songs.parquet`, never replaced), then the current `catalog/songs.parquet`.
 * A run that fails before the second write leaves the previous catalog current.
 */
export async function generateCatalogVersion(
  ports: CatalogGenerationPorts,
  request: CatalogRequest,
): Promise<CatalogResult> {
  const current = await currentCatalog(ports.lake, ports.files);
  const existing = current.exists ? current.metadata : undefined;
  if (request.mode === 'ensure' && current.exists) {
    const upgrade = ports.source.source === 'openai' && existing?.source !== 'openai';
    if (!upgrade) {
      return {
        written: false,
        reason: `the lake has a catalog already (${describeCatalog(existing)})`,
        current: existing,
      };
    }
  }
  const songs = await ports.source.songs({
    count: request.songs,
    regions: request.regions,
    onProgress: ports.onProgress,
  });
  if (songs.length === 0) throw new Error(`The ${ports.source.source} source produced no songs`);
  const generatedAt = ports.clock();
  const metadata: CatalogMetadata = {
    version: catalogVersionAt(generatedAt),
    source: ports.source.source,
    model: ports.source.model,
    seed: ports.source.seed,
    generated_at: generatedAt.toISOString(),
    songs: songs.length,
    regions: [...request.regions],
  };
  const versionKey = await writeCatalog(ports.lake, ports.files, songs, metadata);
  return {
    written: true,
    metadata,
    versionKey,
    key: CATALOG_KEY,
    previous: existing,
    replaced: current.exists,
  };
}
