/**
 * Enrichment (docs/contracts.md, "Enriched plays"): each hour's plays, each event_id once, the 30 s rule flagged,
 * joined with the current catalog into `enriched/`. An hour is (re)built when it has no enrichment yet or its
 * inputs changed (plays files added, replaced or removed; another catalog), judged by the lake's listing.
 */
import { type ChartWindow, type Period, windowContaining, windowStartingAt } from '../domain/charts.ts';
import {
  buildIdOf,
  ENRICH_LOOKBACK_HOURS,
  type EnrichmentManifest,
  enrichedFileKey,
  enrichedManifestKey,
  isEnrichedDataFile,
} from '../domain/enriched.ts';
import type { Clock } from '../ports/clock.ts';
import type { ObjectStore } from '../ports/object-store.ts';
import { catalogObject, type EnrichedHour, enrichedHoursOf } from './enriched-hours.ts';

/** The engine's part: one hour's plays and the catalog (local copies) in, the enriched Parquet file's bytes out. */
export type EnrichHour = (input: {
  readonly plays: readonly string[];
  readonly catalog: string | undefined;
  readonly catalogVersion: string | null;
  readonly timeZones: Readonly<Record<string, string>>;
}) => Promise<{ bytes: Uint8Array; rows: number; counted: number }>;

export interface EnrichPorts {
  readonly lake: ObjectStore;
  readonly clock: Clock;
  /** Region → IANA time zone of its listeners (domain/regions.ts). */
  readonly timeZones: Readonly<Record<string, string>>;
  readonly enrichHour: EnrichHour;
  /** The version a catalog file names in its metadata; undefined for one written before versions. */
  readonly catalogVersion: (file: string) => Promise<string | undefined>;
  readonly withScratchDir: <T>(work: (dir: string) => Promise<T>) => Promise<T>;
}

/** An explicit hour or day (backfill, replay); without one, the closed hours of the lookback. */
export type EnrichRequest = { readonly period: Period; readonly windowStart: Date } | undefined;

export interface EnrichedHourResult {
  readonly hour: string;
  readonly reason: string;
  readonly rows: number;
  readonly counted: number;
  readonly files: readonly string[];
}

export interface EnrichResult {
  readonly enriched: readonly EnrichedHourResult[];
  /** Hours whose enrichment was already current. */
  readonly current: number;
  /** Hours that failed; the next run tries them again. */
  readonly failed: readonly { readonly hour: string; readonly reason: string }[];
}

export class EnrichmentFailedError extends Error {
  override name = 'EnrichmentFailedError';
}

/**
 * Enriches the hours that need it. The open hour is left out of scheduled runs: its plays change every second,
 * so its enrichment would never be current when a chart job looks; an explicit request may name it.
 * Throws EnrichmentFailedError after trying every hour when any failed.
 */
export async function enrichPlays(request: EnrichRequest, ports: EnrichPorts): Promise<EnrichResult> {
  const hours = await hoursToConsider(request, ports);
  const result: {
    enriched: EnrichedHourResult[];
    current: number;
    failed: EnrichResult['failed'][number][];
  } = { enriched: [], current: 0, failed: [] };
  for (const hour of hours) {
    if (hour.staleness.current) {
      result.current += 1;
      continue;
    }
    // Nothing ever played in it: nothing to enrich, nothing to replace.
    if (hour.inputs.plays.length === 0 && !hour.manifest) continue;
    try {
      result.enriched.push(await enrichOneHour(hour, hour.staleness.reason, ports));
    } catch (error) {
      result.failed.push({ hour: hour.hour.toISOString(), reason: (error as Error).message });
    }
  }
  if (result.failed.length > 0) {
    const list = result.failed.map((failure) => `${failure.hour}: ${failure.reason}`).join('; ');
    throw new EnrichmentFailedError(
      `${result.failed.length} hour(s) could not be enriched (${list}); ${result.enriched.length} were, and the next run tries the others again`,
    );
  }
  return result;
}

async function hoursToConsider(request: EnrichRequest, ports: EnrichPorts): Promise<EnrichedHour[]> {
  const catalog = await catalogObject(ports.lake);
  if (request) {
    return enrichedHoursOf(ports.lake, windowStartingAt(request.period, request.windowStart), catalog);
  }
  const open = windowContaining('hour', ports.clock());
  const oldest = open.start.getTime() - ENRICH_LOOKBACK_HOURS * 3_600_000;
  // By day: one listing of plays and one of enriched/ per day rather than per hour.
  const days: ChartWindow[] = [];
  for (let day = windowContaining('day', new Date(oldest)); day.start < open.start; ) {
    days.push(day);
    day = windowContaining('day', day.end);
  }
  const hours = (await Promise.all(days.map((day) => enrichedHoursOf(ports.lake, day, catalog)))).flat();
  return hours
    .filter((hour) => hour.hour.getTime() >= oldest && hour.hour.getTime() < open.start.getTime())
    .reverse();
}

async function enrichOneHour(
  hour: EnrichedHour,
  reason: string,
  ports: EnrichPorts,
): Promise<EnrichedHourResult> {
  const { inputs } = hour;
  const build = buildIdOf(inputs);
  const built = await ports.withScratchDir(async (dir) => {
    const keys = [...inputs.plays.map((file) => file.key), ...(inputs.catalog ? [inputs.catalog.key] : [])];
    const copies = await ports.lake.localCopies(keys, dir);
    const catalog = inputs.catalog ? copies.at(-1) : undefined;
    const catalogVersion = catalog ? ((await ports.catalogVersion(catalog)) ?? 'unversioned') : null;
    if (inputs.plays.length === 0) return { files: [], rows: 0, counted: 0, catalogVersion };
    const output = await ports.enrichHour({
      plays: copies.slice(0, inputs.plays.length),
      catalog,
      catalogVersion,
      timeZones: ports.timeZones,
    });
    const key = enrichedFileKey(hour.hour, build);
    await ports.lake.put(key, output.bytes, 'application/vnd.apache.parquet');
    return { files: [key], rows: output.rows, counted: output.counted, catalogVersion };
  });
  const manifest: EnrichmentManifest = {
    format: 1,
    hour: hour.hour.toISOString(),
    built_at: ports.clock().toISOString(),
    files: built.files,
    rows: built.rows,
    counted: built.counted,
    inputs: { plays: [...inputs.plays], catalog: inputs.catalog, catalog_version: built.catalogVersion },
  };
  // The commit point: from here on readers read the new files.
  await ports.lake.put(
    enrichedManifestKey(hour.hour),
    new TextEncoder().encode(`${JSON.stringify(manifest, null, 2)}\n`),
    'application/json',
  );
  // Files of older builds go, except those of the build just replaced: a reader that read the previous
  // manifest a moment ago may still be copying them.
  const keep = new Set([...manifest.files, ...(hour.manifest?.files ?? [])]);
  for (const key of hour.enrichedKeys) {
    if (isEnrichedDataFile(key) && !keep.has(key)) await ports.lake.delete(key);
  }
  return { hour: manifest.hour, reason, rows: built.rows, counted: built.counted, files: built.files };
}
