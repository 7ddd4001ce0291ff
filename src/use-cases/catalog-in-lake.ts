import type { CatalogMetadata } from '../domain/catalog.ts';
import { CATALOG_KEY, catalogVersionKey } from '../domain/lake-layout.ts';
import type { Song } from '../domain/song.ts';
import type { ObjectStore } from '../ports/object-store.ts';

/** Reading and writing catalog files: the Parquet adapter, and a scratch folder for remote lakes. */
export interface CatalogFiles {
  readonly encode: (songs: readonly Song[], metadata: CatalogMetadata) => Promise<Uint8Array>;
  readonly readMetadata: (file: string) => Promise<CatalogMetadata | undefined>;
  readonly readSongs: (file: string) => Promise<Song[]>;
  readonly withScratchDir: <T>(work: (dir: string) => Promise<T>) => Promise<T>;
}

/** Reads the current catalog's file with `read`; undefined when the lake has no catalog. */
async function readCurrentFile<T>(
  lake: ObjectStore,
  withScratchDir: CatalogFiles['withScratchDir'],
  read: (file: string) => Promise<T>,
): Promise<T | undefined> {
  if (!(await lake.list(CATALOG_KEY)).includes(CATALOG_KEY)) return undefined;
  return withScratchDir(async (dir) => {
    const [file] = await lake.localCopies([CATALOG_KEY], dir);
    return file ? read(file) : undefined;
  });
}

/** The current catalog: absent, or present (metadata undefined for a file written before versioning). */
export async function currentCatalog(
  lake: ObjectStore,
  files: Pick<CatalogFiles, 'readMetadata' | 'withScratchDir'>,
): Promise<{ exists: false } | { exists: true; metadata: CatalogMetadata | undefined }> {
  const found = await readCurrentFile(lake, files.withScratchDir, async (file) => ({
    metadata: await files.readMetadata(file),
  }));
  return found ? { exists: true, metadata: found.metadata } : { exists: false };
}

/** The current catalog's songs, or undefined when the lake has none. */
export function readCurrentSongs(
  lake: ObjectStore,
  files: Pick<CatalogFiles, 'readSongs' | 'withScratchDir'>,
): Promise<Song[] | undefined> {
  return readCurrentFile(lake, files.withScratchDir, files.readSongs);
}

/** The current catalog's songs and metadata from one copy of its file, or undefined when the lake has none. */
export function readCurrentCatalog(
  lake: ObjectStore,
  files: Pick<CatalogFiles, 'readSongs' | 'readMetadata' | 'withScratchDir'>,
): Promise<{ songs: Song[]; metadata: CatalogMetadata | undefined } | undefined> {
  return readCurrentFile(lake, files.withScratchDir, async (file) => ({
    songs: await files.readSongs(file),
    metadata: await files.readMetadata(file),
  }));
}

/** Writes songs as a new catalog version and as the current catalog; returns the version's key. */
export async function writeCatalog(
  lake: ObjectStore,
  files: Pick<CatalogFiles, 'encode'>,
  songs: readonly Song[],
  metadata: CatalogMetadata,
): Promise<string> {
  const bytes = await files.encode(songs, metadata);
  const versionKey = catalogVersionKey(metadata.version);
  await lake.put(versionKey, bytes, PARQUET);
  await lake.put(CATALOG_KEY, bytes, PARQUET);
  return versionKey;
}

const PARQUET = 'application/vnd.apache.parquet';

/** `openai (gpt-4.1-mini), 2000 songs, version 2026-…` / `seeded (seed 1), …` / `written before versioning`. */
export function describeCatalog(metadata: CatalogMetadata | undefined): string {
  if (!metadata) return 'written before catalogs carried metadata';
  const origin =
    metadata.source === 'openai' ? `openai, model ${metadata.model}` : `seeded, seed ${metadata.seed}`;
  return `${origin}, ${metadata.songs} songs, version ${metadata.version}`;
}
