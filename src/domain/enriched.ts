/**
 * The enriched plays in the lake (docs/contracts.md, "Enriched plays"): an hour's plays, each event_id once,
 * joined with the catalog, in `enriched/dt=YYYY-MM-DD/hour=HH/`. A small manifest names the hour's current
 * files and what they were built from; readers read only the files it names, so replacing an hour is writing
 * new files and then a new manifest.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { dateOf } from './lake-layout.ts';

export const ENRICHED_PREFIX = 'enriched/';
export const MANIFEST_NAME = '_manifest.json';

/**
 * How many closed hours back a scheduled run looks for hours to enrich: the hours the scheduled chart jobs
 * chart (the open and the previous day). An older hour whose plays change is enriched on demand (invoke);
 * until then the chart jobs read its raw plays, which give the same charts.
 */
export const ENRICH_LOOKBACK_HOURS = 48;

/** A file an enrichment was built from, as the lake listed it. */
export interface InputFile {
  readonly key: string;
  readonly size: number;
  readonly etag: string;
}

/** What an hour's enrichment is built from: its plays files and the current catalog (null without one). */
export interface EnrichmentInputs {
  readonly plays: readonly InputFile[];
  readonly catalog: InputFile | null;
}

const pad = (value: number) => String(value).padStart(2, '0');

export function enrichedHourPrefix(hourStart: Date): string {
  return `${ENRICHED_PREFIX}dt=${dateOf(hourStart)}/hour=${pad(hourStart.getUTCHours())}/`;
}

export function enrichedManifestKey(hourStart: Date): string {
  return `${enrichedHourPrefix(hourStart)}${MANIFEST_NAME}`;
}

/** A data file of one build: named after its inputs, so a retried build writes the same key. */
export function enrichedFileKey(hourStart: Date, build: string): string {
  return `${enrichedHourPrefix(hourStart)}part-${build}.parquet`;
}

export function isEnrichedDataFile(key: string): boolean {
  return key.startsWith(ENRICHED_PREFIX) && key.endsWith('.parquet');
}

/** The name of a build of these inputs: a digest of the listing (keys, sizes, etags) and the catalog's. */
export function buildIdOf(inputs: EnrichmentInputs): string {
  const listing = JSON.stringify({ plays: inputs.plays.map(fileEntry), catalog: inputs.catalog });
  return createHash('sha256').update(listing).digest('hex').slice(0, 16);
}

const fileEntry = ({ key, size, etag }: InputFile): InputFile => ({ key, size, etag });

const inputFileSchema = z.object({ key: z.string(), size: z.number().int().nonnegative(), etag: z.string() });

export const enrichmentManifestSchema = z.object({
  format: z.literal(1),
  /** The UTC hour, RFC 3339. */
  hour: z.iso.datetime(),
  built_at: z.iso.datetime(),
  /** The hour's data files, relative to the lake root: the only ones a reader may read. */
  files: z.array(z.string()),
  rows: z.number().int().nonnegative(),
  counted: z.number().int().nonnegative(),
  inputs: z.object({
    plays: z.array(inputFileSchema),
    catalog: inputFileSchema.nullable(),
    /** The catalog's version (its metadata), `unversioned` for a catalog written before versions, or null. */
    catalog_version: z.string().nullable(),
  }),
});
export type EnrichmentManifest = z.infer<typeof enrichmentManifestSchema>;

export type Staleness = { readonly current: true } | { readonly current: false; readonly reason: string };

/**
 * Whether an hour's enriched files are those of its current inputs: the same plays files (keys, sizes and
 * etags: a file added, replaced or removed changes it), the same catalog file, and every file the manifest
 * names still there (`enrichedKeys`: the hour's enriched prefix as listed).
 */
export function stalenessOf(
  manifest: { readonly files: readonly string[]; readonly inputs: EnrichmentInputs } | undefined,
  inputs: EnrichmentInputs,
  enrichedKeys: readonly string[],
): Staleness {
  if (!manifest) return { current: false, reason: 'not enriched yet' };
  if (!sameFiles(manifest.inputs.plays, inputs.plays)) {
    return { current: false, reason: 'its plays files changed' };
  }
  if (!sameFile(manifest.inputs.catalog, inputs.catalog)) {
    return { current: false, reason: 'the catalog changed' };
  }
  const missing = manifest.files.filter((file) => !enrichedKeys.includes(file));
  if (missing.length > 0) return { current: false, reason: `${missing.join(', ')} is missing` };
  return { current: true };
}

function sameFile(a: InputFile | null, b: InputFile | null): boolean {
  if (a === null || b === null) return a === b;
  return a.key === b.key && a.size === b.size && a.etag === b.etag;
}

function sameFiles(a: readonly InputFile[], b: readonly InputFile[]): boolean {
  if (a.length !== b.length) return false;
  const byKey = new Map(b.map((file) => [file.key, file]));
  return a.every((file) => sameFile(file, byKey.get(file.key) ?? null));
}

/** Parses a manifest's bytes; undefined (rebuild) when it is not one this version understands. */
export function parseManifest(bytes: Uint8Array | undefined): EnrichmentManifest | undefined {
  return parseManifestOf(enrichmentManifestSchema, bytes);
}

/** Parses the bytes of a manifest of `schema`'s kind; undefined (rebuild) when it is not one this version understands. */
export function parseManifestOf<T>(schema: z.ZodType<T>, bytes: Uint8Array | undefined): T | undefined {
  if (!bytes) return undefined;
  try {
    const parsed = schema.safeParse(JSON.parse(new TextDecoder().decode(bytes)));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}
