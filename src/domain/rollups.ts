/**
 * Hour rollups (docs/contracts.md, "Hour rollups"): what one closed hour's plays files add to its day's chart,
 * kept in `rollups/dt=YYYY-MM-DD/hour=HH/` so that the day chart sums 23 small tables and reads only the
 * hours that have none (the open one) instead of deduplicating the whole day every minute.
 *
 * A rollup holds two files of one build: `counts-<build>.parquet`, (region, genre, song_id, plays) of the hour's
 * eligible first deliveries; and `keys-<build>.parquet`, each event_id of the hour once (its first delivery in the
 * hour) with a 64-bit fingerprint, the columns the chart rules read and the source position, sorted by the
 * fingerprint. The keys are what keeps the day exact: an event_id delivered into two hours of a day (a resend
 * with another played_at) counts in both hours' rollups, but once in the day, by its first delivery of all.
 * The manifest `_rollup.json`, written last, names the files and what they were built from; like an enriched
 * hour (enriched.ts) a rollup is current while those inputs equal the lake's listing now.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { buildIdOf, type EnrichmentInputs, parseManifestOf } from './enriched.ts';
import { dateOf } from './lake-layout.ts';

export const ROLLUPS_PREFIX = 'rollups/';
export const ROLLUP_MANIFEST_NAME = '_rollup.json';

const pad = (value: number) => String(value).padStart(2, '0');

export function rollupDayPrefix(dayStart: Date): string {
  return `${ROLLUPS_PREFIX}dt=${dateOf(dayStart)}/`;
}

export function rollupHourPrefix(hourStart: Date): string {
  return `${rollupDayPrefix(hourStart)}hour=${pad(hourStart.getUTCHours())}/`;
}

export function rollupManifestKey(hourStart: Date): string {
  return `${rollupHourPrefix(hourStart)}${ROLLUP_MANIFEST_NAME}`;
}

/** A build's files, named after its inputs (the listing and the catalog), so a retried build writes the same keys. */
export function rollupFileKeys(hourStart: Date, inputs: EnrichmentInputs): { counts: string; keys: string } {
  const build = buildIdOf(inputs);
  const prefix = rollupHourPrefix(hourStart);
  return { counts: `${prefix}counts-${build}.parquet`, keys: `${prefix}keys-${build}.parquet` };
}

/**
 * The events found in two or more of these rollups (named by their files, whose names carry their builds), kept
 * for the day's later runs: the same rollups give the same crossers, so the name is a digest of the files.
 */
export function rollupCrossersKey(dayStart: Date, rollupFiles: readonly string[]): string {
  return `${rollupDayPrefix(dayStart)}${CROSSERS_PREFIX}${rollupSetDigest(rollupFiles)}.parquet`;
}

/** A digest of a set of rollups, by their files (whose names carry their builds). */
export function rollupSetDigest(rollupFiles: readonly string[]): string {
  return createHash('sha256')
    .update(JSON.stringify([...rollupFiles].sort()))
    .digest('hex')
    .slice(0, 16);
}

/**
 * The same rollups' counts summed (region, genre, song_id, plays), kept beside their crossers: each run of the
 * day would otherwise sum the rollups' counts files again (1.1 M rows at 23 hours of a 10 M-play day, 80,000 summed).
 */
export function rollupSumsKey(dayStart: Date, rollupFiles: readonly string[]): string {
  return `${rollupDayPrefix(dayStart)}${SUMS_PREFIX}${rollupSetDigest(rollupFiles)}.parquet`;
}

const CROSSERS_PREFIX = '_crossers-';
const SUMS_PREFIX = '_sums-';

export function isRollupCrossersFile(key: string): boolean {
  return key.startsWith(ROLLUPS_PREFIX) && key.includes(`/${CROSSERS_PREFIX}`);
}

export function isRollupSumsFile(key: string): boolean {
  return key.startsWith(ROLLUPS_PREFIX) && key.includes(`/${SUMS_PREFIX}`);
}

export function isRollupDataFile(key: string): boolean {
  return key.startsWith(ROLLUPS_PREFIX) && key.endsWith('.parquet');
}

const inputFileSchema = z.object({ key: z.string(), size: z.number().int().nonnegative(), etag: z.string() });

/** What the hour's plays files hold, per region as the rows name it (`global`: all), as countLakeFiles counts. */
const lakeFileCountsSchema = z.object({
  region: z.string(),
  rows: z.number().int().nonnegative(),
  duplicates: z.number().int().nonnegative(),
  short_plays: z.number().int().nonnegative(),
  newest_play_at: z.iso.datetime().nullable(),
});

export const rollupManifestSchema = z.object({
  format: z.literal(1),
  /** The UTC hour, RFC 3339. */
  hour: z.iso.datetime(),
  built_at: z.iso.datetime(),
  /** The counts file, then the keys file, relative to the lake root. */
  files: z.tuple([z.string(), z.string()]),
  /** Distinct event_ids of the hour (rows of the keys file). */
  events: z.number().int().nonnegative(),
  lake_counts: z.array(lakeFileCountsSchema),
  inputs: z.object({ plays: z.array(inputFileSchema), catalog: inputFileSchema.nullable() }),
});
export type RollupManifest = z.infer<typeof rollupManifestSchema>;

/** Parses a manifest's bytes; undefined (rebuild) when it is not one this version understands. */
export function parseRollupManifest(bytes: Uint8Array | undefined): RollupManifest | undefined {
  return parseManifestOf(rollupManifestSchema, bytes);
}

/**
 * The part of an hour not final yet that a run has read (its plays files as listed then): what the next run of the
 * day needs of it, so that it reads only the files listed since (docs/contracts.md, "Hour rollups", "Seen part").
 */
export const PARTIAL_MANIFEST_NAME = '_partial.json';
const PARTIAL_PREFIX = 'partial-';

export function partialManifestKey(hourStart: Date): string {
  return `${rollupHourPrefix(hourStart)}${PARTIAL_MANIFEST_NAME}`;
}

/** The seen part's keys file (named after its inputs) and its probe file (also after the rollups it probed). */
export function partialFileKeys(
  hourStart: Date,
  inputs: EnrichmentInputs,
  rollups: string,
): { keys: string; probed: string } {
  const build = buildIdOf(inputs);
  const prefix = `${rollupHourPrefix(hourStart)}${PARTIAL_PREFIX}`;
  return { keys: `${prefix}keys-${build}.parquet`, probed: `${prefix}probed-${build}-${rollups}.parquet` };
}

export function isPartialDataFile(key: string): boolean {
  return isRollupDataFile(key) && key.slice(key.lastIndexOf('/') + 1).startsWith(PARTIAL_PREFIX);
}

const lakeRowsSchema = z.object({
  region: z.string(),
  rows: z.number().int().nonnegative(),
  newest_play_at: z.iso.datetime().nullable(),
});

export const partialManifestSchema = z.object({
  format: z.literal(1),
  hour: z.iso.datetime(),
  built_at: z.iso.datetime(),
  /** The keys file (each event_id of the seen files once, as a rollup's keys), then the probe file. */
  files: z.tuple([z.string(), z.string()]),
  /** The digest of the rollups the probe file was found among (rollupSetDigest). */
  rollups: z.string(),
  /** Rows of the seen files, per region (the day's lake counts add the new files' rows to these). */
  lake_rows: z.array(lakeRowsSchema),
  inputs: z.object({ plays: z.array(inputFileSchema), catalog: inputFileSchema.nullable() }),
});
export type PartialManifest = z.infer<typeof partialManifestSchema>;

export function parsePartialManifest(bytes: Uint8Array | undefined): PartialManifest | undefined {
  return parseManifestOf(partialManifestSchema, bytes);
}
