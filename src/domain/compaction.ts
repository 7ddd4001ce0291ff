/**
 * Compaction of an hour of `plays/` (docs/contracts.md, "Compaction"): the hour's rows, each event_id once
 * (its first delivery, as the chart query keeps), in a few large sorted files under `_compacted/`, and a
 * manifest `_compaction.json` naming them and the writer files (with their versions) they replace. Readers
 * take the files the manifest names plus every writer file it does not cover: a compaction is visible all at
 * once, when its manifest is written, or not at all.
 */
import { z } from 'zod';
import { compactedFilesPrefix, isWriterPlaysFile } from './lake-layout.ts';

/**
 * How long compacted files stay after the manifest stopped naming them, before compaction deletes them: a
 * reader that took the previous manifest may still be downloading them. Twice the longest timeout of any
 * function that reads plays (compact's 900 s), so that every such reader has ended (docs/decisions.md,
 * "Compaction: writer files kept, old compacted files deleted after 30 minutes").
 */
export const RETIRED_FILE_DELAY_MS = 30 * 60_000;

const isoInstant = z.iso.datetime({ offset: true });

export const compactionManifestSchema = z.object({
  version: z.literal(1),
  hour: isoInstant,
  /** `<UTC time, compact ISO>-<random>`: names this compaction's files; sorts as time. */
  generation: z.string().regex(/^\d{8}T\d{9}Z-[0-9a-f]{8}$/),
  created_at: isoInstant,
  /** The compacted files holding the hour: what readers read instead of `replaces`. */
  files: z.array(z.string()),
  /** Rows in `files`. */
  rows: z.number().int().nonnegative(),
  /**
   * Every writer file whose rows are in `files`, with the etag it had when it was read: one rewritten since
   * (a retried batch of another length) no longer matches, so readers take it again.
   */
  replaces: z.record(z.string(), z.string()),
  /** Rows removed as later deliveries of an event_id already kept, per region, over every generation. */
  duplicates_removed: z.record(z.string(), z.number().int().nonnegative()),
});
export type CompactionManifest = z.infer<typeof compactionManifestSchema>;

/** A listed lake object: its key and an etag that changes when it is written again (ObjectStore.listObjects). */
export interface ListedObject {
  readonly key: string;
  readonly etag: string;
}

export class CompactionManifestError extends Error {
  override name = 'CompactionManifestError';
}

export function parseCompactionManifest(key: string, bytes: Uint8Array): CompactionManifest {
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder().decode(bytes));
  } catch (error) {
    throw new CompactionManifestError(`${key} is not JSON: ${(error as Error).message}`);
  }
  const parsed = compactionManifestSchema.safeParse(json);
  if (!parsed.success) throw new CompactionManifestError(`${key} is malformed: ${parsed.error.message}`);
  return parsed.data;
}

export function generationAt(instant: Date, randomHex: string): string {
  return `${instant.toISOString().replaceAll(/[-:.]/g, '')}-${randomHex}`;
}

/** When a generation (or a file named after it) was made; undefined for a name that is not one. */
export function generationTime(name: string): Date | undefined {
  const match = /(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})(\d{3})Z-[0-9a-f]{8}/.exec(name);
  if (!match) return undefined;
  const [, y, mo, d, h, mi, s, ms] = match;
  return new Date(`${y}-${mo}-${d}T${h}:${mi}:${s}.${ms}Z`);
}

/** The writer files of an hour's listing that the manifest does not cover (absent, or since rewritten). */
export function uncoveredWriterFiles<T extends ListedObject>(
  objects: readonly T[],
  manifest: CompactionManifest | undefined,
): T[] {
  return objects.filter(
    (object) => isWriterPlaysFile(object.key) && manifest?.replaces[object.key] !== object.etag,
  );
}

/**
 * What a reader of the hour reads: the files the manifest names, then the writer files it does not cover. A
 * named file missing from the listing (a manifest newer than the listing) gets an etag naming its generation.
 */
export function hourFilesToRead<T extends ListedObject & { readonly size: number }>(
  objects: readonly T[],
  manifest: CompactionManifest | undefined,
): (T | { readonly key: string; readonly size: number; readonly etag: string })[] {
  const listed = new Map(objects.map((object) => [object.key, object]));
  const compacted = (manifest?.files ?? []).map(
    (key) => listed.get(key) ?? { key, size: 0, etag: `compaction ${manifest!.generation}` },
  );
  return [...compacted, ...uncoveredWriterFiles(objects, manifest)];
}

/**
 * The hour's compacted files that no reader can be using any more: not named by the manifest in force, which
 * is itself RETIRED_FILE_DELAY_MS old (so whatever it replaced was retired at least that long ago), and made
 * at least that long ago (so not the files of a compaction still under way, nor of a crashed one too recently).
 */
export function deletableCompactedFiles(
  hourStart: Date,
  objects: readonly ListedObject[],
  manifest: CompactionManifest | undefined,
  now: Date,
): string[] {
  const cutoff = now.getTime() - RETIRED_FILE_DELAY_MS;
  if (manifest && Date.parse(manifest.created_at) > cutoff) return [];
  const named = new Set(manifest?.files ?? []);
  const prefix = compactedFilesPrefix(hourStart);
  return objects
    .map((object) => object.key)
    .filter((key) => key.startsWith(prefix) && !named.has(key))
    .filter((key) => (generationTime(key)?.getTime() ?? Number.POSITIVE_INFINITY) <= cutoff);
}
