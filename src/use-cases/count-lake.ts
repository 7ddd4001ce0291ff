/**
 * What a chart run found in the lake for a window, per region and `global` (GET /v1/pipeline's lake hops). The one
 * place where "deliveries written to the lake" is defined: rows in the window's Parquet files plus the duplicates
 * compaction removed from them (recorded in each hour's `_compaction.json`), so that compacting an hour changes
 * neither in_lake nor reconciliation.
 */
import type { ChartWindow } from '../domain/charts.ts';
import { dateOf, REJECTS_PREFIX, windowPrefix } from '../domain/lake-layout.ts';
import { countedRegion, type LakeCounts, type LakeFileCounts } from '../domain/pipeline-counts.ts';
import { GLOBAL_REGION } from '../domain/regions.ts';
import type { ObjectStore } from '../ports/object-store.ts';

/** The file a compaction of an hour leaves beside its Parquet files. */
export const COMPACTION_FILE = '_compaction.json';

export interface LakeCountSources {
  readonly lake: ObjectStore;
  readonly regions: readonly string[];
  readonly files: readonly LakeFileCounts[];
  /** The eligible plays of the charts computed from the same files, by region. */
  readonly charted: ReadonlyMap<string, number>;
}

export async function lakeCounts(window: ChartWindow, sources: LakeCountSources): Promise<LakeCounts[]> {
  const keys = await sources.lake.list(windowPrefix(window.period, window.start));
  const removed = await duplicatesRemoved(sources.lake, keys, sources.regions);
  const rejected = await rejectedInLake(sources.lake, window, sources.regions);
  return [...sources.regions, GLOBAL_REGION].map((region) => {
    const files = sources.files.find((count) => count.region === region);
    const compacted = removed.get(region) ?? 0;
    return {
      region,
      in_lake: (files?.rows ?? 0) + compacted,
      duplicates: (files?.duplicates ?? 0) + compacted,
      short_plays: files?.short_plays ?? 0,
      charted: sources.charted.get(region) ?? 0,
      rejected_in_lake: rejected.get(region) ?? 0,
    };
  });
}

/**
 * Duplicates that compaction removed, per region and in total under `global`: `{"duplicates_removed": {"us": 3}}`
 * in each compacted hour's `_compaction.json`.
 */
async function duplicatesRemoved(
  lake: ObjectStore,
  keys: readonly string[],
  regions: readonly string[],
): Promise<Map<string, number>> {
  const removed = new Map<string, number>();
  for (const key of keys.filter((candidate) => candidate.endsWith(`/${COMPACTION_FILE}`))) {
    const body = await lake.get(key);
    if (!body) continue;
    const record = JSON.parse(new TextDecoder().decode(body)) as {
      duplicates_removed?: Record<string, number>;
    };
    for (const [region, count] of Object.entries(record.duplicates_removed ?? {})) {
      if (!Number.isSafeInteger(count) || count < 0) {
        throw new Error(`${key}: duplicates_removed.${region} is ${count}, not a count`);
      }
      const counted = countedRegion(region, regions);
      if (counted) removed.set(counted, (removed.get(counted) ?? 0) + count);
      removed.set(GLOBAL_REGION, (removed.get(GLOBAL_REGION) ?? 0) + count);
    }
  }
  return removed;
}

/**
 * Records the lake writers filed under rejects/, counted in the window the transport received them in (what they
 * hold may have no readable time), in their region when they name a configured one.
 */
async function rejectedInLake(
  lake: ObjectStore,
  window: ChartWindow,
  regions: readonly string[],
): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  const keys = await lake.list(`${REJECTS_PREFIX}dt=${dateOf(window.start)}/`);
  for (const key of keys) {
    const body = await lake.get(key);
    if (!body) continue;
    for (const line of new TextDecoder().decode(body).split('\n')) {
      if (!line.trim()) continue;
      const rejection = JSON.parse(line) as { received_at?: string; value?: string };
      const receivedAt = Date.parse(rejection.received_at ?? '');
      if (!(receivedAt >= window.start.getTime() && receivedAt < window.end.getTime())) continue;
      const region = countedRegion(regionOf(rejection.value), regions);
      if (region) counts.set(region, (counts.get(region) ?? 0) + 1);
      counts.set(GLOBAL_REGION, (counts.get(GLOBAL_REGION) ?? 0) + 1);
    }
  }
  return counts;
}

function regionOf(value: string | undefined): unknown {
  try {
    const parsed: unknown = JSON.parse(value ?? '');
    return parsed !== null && typeof parsed === 'object'
      ? (parsed as { region?: unknown }).region
      : undefined;
  } catch {
    return undefined;
  }
}
