/**
 * The seen part of an hour a day reads whole (docs/contracts.md, "Hour rollups"): what one run of the day kept of
 * that hour's plays files as it listed them (each event_id once, its first delivery; the rollups' rows of the same
 * fingerprints; the rows per region), so that the next run reads only the files listed since. A minute's new files
 * are a sliver of an hour: the run dedups, fingerprints and looks up among the rollups only those.
 */
import type { EnrichmentInputs, InputFile } from '../domain/enriched.ts';
import type { LakeFileCounts } from '../domain/pipeline-counts.ts';
import { GLOBAL_REGION } from '../domain/regions.ts';
import {
  isPartialDataFile,
  type PartialManifest,
  parsePartialManifest,
  partialFileKeys,
  partialManifestKey,
} from '../domain/rollups.ts';
import type { Clock } from '../ports/clock.ts';
import type { ObjectStore } from '../ports/object-store.ts';
import type { LakeRows } from '../ports/rollup-engine.ts';

export interface SeenPart {
  readonly manifest: PartialManifest;
  /** Its probe file, when it was found among the rollups the day reads now. */
  readonly probed: string | undefined;
  /** The hour's plays files listed now that it does not hold. */
  readonly newFiles: readonly InputFile[];
}

const sameFile = (a: InputFile | null | undefined, b: InputFile | null | undefined) =>
  a === b || (a != null && b != null && a.key === b.key && a.size === b.size && a.etag === b.etag);

/**
 * The hour's seen part, when the day may read it instead of the files it was made of: every one of those files is
 * listed now as it was (a file rewritten, compacted away or deleted makes it unusable: the hour is read whole and
 * a new one made), the catalog is the same (its genres), and its keys file is there. `listed`: the day's rollups.
 */
export async function usableSeenPart(
  lake: ObjectStore,
  hour: { readonly hour: Date; readonly inputs: EnrichmentInputs },
  listed: readonly string[],
  rollups: string,
): Promise<SeenPart | undefined> {
  const key = partialManifestKey(hour.hour);
  if (!listed.includes(key)) return undefined;
  const manifest = parsePartialManifest(await lake.get(key));
  if (!manifest || !listed.includes(manifest.files[0])) return undefined;
  if (!sameFile(manifest.inputs.catalog, hour.inputs.catalog)) return undefined;
  const now = new Map(hour.inputs.plays.map((file) => [file.key, file]));
  if (!manifest.inputs.plays.every((file) => sameFile(file, now.get(file.key)))) return undefined;
  const held = new Set(manifest.inputs.plays.map((file) => file.key));
  const probed =
    manifest.rollups === rollups && listed.includes(manifest.files[1]) ? manifest.files[1] : undefined;
  return { manifest, probed, newFiles: hour.inputs.plays.filter((file) => !held.has(file.key)) };
}

/**
 * Whether a run should keep a new seen part of the hour: when it has none usable, when its probe was of other
 * rollups, or when the files listed since hold a tenth of its files' bytes or more. Keeping one rewrites all the
 * hour's keys (~400,000 rows at the end of an hour of a 10 M-play day: as long as the rest of the run, on a busy
 * machine), so a run a minute after the last reads that minute's files again instead, until they are a tenth of
 * the hour: at a steady rate one run in about six minutes near the end of the hour keeps a new part.
 */
export function worthKeeping(part: SeenPart | undefined): boolean {
  if (!part?.probed) return true;
  const bytes = (files: readonly InputFile[]) => files.reduce((sum, file) => sum + file.size, 0);
  return bytes(part.newFiles) * KEEP_SHARE >= bytes(part.manifest.inputs.plays) && part.newFiles.length > 0;
}

/** A seen part is kept again when the new files hold 1/KEEP_SHARE of its files' bytes. */
const KEEP_SHARE = 10;

/**
 * Writes the hour's new seen part (its files, then its manifest: the commit point) and deletes the seen-part files
 * of older builds, except the one just replaced: a run that read its manifest a moment ago may still copy them.
 */
export async function keepSeenPart(
  ports: { readonly lake: ObjectStore; readonly clock: Clock },
  hour: { readonly hour: Date; readonly inputs: EnrichmentInputs },
  part: {
    readonly keys: Uint8Array;
    readonly probed: Uint8Array;
    readonly rollups: string;
    readonly rows: readonly LakeRows[];
  },
  previous: PartialManifest | undefined,
  listed: readonly string[],
): Promise<void> {
  const files = partialFileKeys(hour.hour, hour.inputs, part.rollups);
  await ports.lake.put(files.keys, part.keys, 'application/vnd.apache.parquet');
  await ports.lake.put(files.probed, part.probed, 'application/vnd.apache.parquet');
  const manifest: PartialManifest = {
    format: 1,
    hour: hour.hour.toISOString(),
    built_at: ports.clock().toISOString(),
    files: [files.keys, files.probed],
    rollups: part.rollups,
    lake_rows: part.rows.map((row) => ({
      ...row,
      newest_play_at: row.newest_play_at?.toISOString() ?? null,
    })),
    inputs: { plays: [...hour.inputs.plays], catalog: hour.inputs.catalog },
  };
  const key = partialManifestKey(hour.hour);
  await ports.lake.put(
    key,
    new TextEncoder().encode(`${JSON.stringify(manifest, null, 2)}\n`),
    'application/json',
  );
  const keep = new Set([...manifest.files, ...(previous?.files ?? [])]);
  const prefix = key.slice(0, key.lastIndexOf('/') + 1);
  for (const file of listed) {
    if (file.startsWith(prefix) && isPartialDataFile(file) && !keep.has(file)) await ports.lake.delete(file);
  }
}

/** The seen part's rows and the new files' rows of an hour, summed per region. */
export function addLakeRows(...parts: readonly (readonly LakeRows[])[]): LakeRows[] {
  const sums = new Map<string, { rows: number; newest: number }>();
  for (const row of parts.flat()) {
    const sum = sums.get(row.region) ?? { rows: 0, newest: Number.NaN };
    sum.rows += row.rows;
    const newest = row.newest_play_at?.getTime();
    if (newest !== undefined && !(newest <= sum.newest)) sum.newest = newest;
    sums.set(row.region, sum);
  }
  return [...sums]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([region, sum]) => ({
      region,
      rows: sum.rows,
      newest_play_at: Number.isNaN(sum.newest) ? undefined : new Date(sum.newest),
    }));
}

/** A seen part's stored rows, as the engine gives them. */
export function lakeRowsOf(manifest: PartialManifest | undefined): LakeRows[] {
  return (manifest?.lake_rows ?? []).map((row) => ({
    region: row.region,
    rows: row.rows,
    newest_play_at: row.newest_play_at ? new Date(row.newest_play_at) : undefined,
  }));
}

/**
 * The lake counts of the hours read whole (as countLakeFiles counts their files), from their rows per region and
 * their first deliveries: every row that is not its event's first delivery is a duplicate, in its own region.
 */
export function wholeLakeCounts(
  rows: readonly LakeRows[],
  firsts: readonly { region: string; firsts: number; short_plays: number }[],
): LakeFileCounts[] {
  const byRegion = new Map(firsts.map((first) => [first.region, first]));
  const regions = addLakeRows(rows).map((row) => ({
    region: row.region,
    rows: row.rows,
    duplicates: row.rows - (byRegion.get(row.region)?.firsts ?? 0),
    short_plays: byRegion.get(row.region)?.short_plays ?? 0,
    newest_play_at: row.newest_play_at,
  }));
  if (regions.length === 0) return [];
  const newest = addLakeRows(rows.map((row) => ({ ...row, region: GLOBAL_REGION })))[0]?.newest_play_at;
  return [
    ...regions,
    {
      region: GLOBAL_REGION,
      rows: regions.reduce((sum, region) => sum + region.rows, 0),
      duplicates: regions.reduce((sum, region) => sum + region.duplicates, 0),
      short_plays: regions.reduce((sum, region) => sum + region.short_plays, 0),
      newest_play_at: newest,
    },
  ];
}
