/**
 * What a chart run found in the lake for a window, per region and `global` (GET /v1/pipeline's lake hops). The one
 * place where "deliveries written to the lake" is defined: rows in the window's Parquet files plus the duplicates
 * compaction removed from them (`duplicates_removed` of each hour's `_compaction.json`; the files read are what
 * the hour's readers read: its compacted files and the writer files they do not cover, listPlaysFiles), so that
 * compacting an hour changes neither in_lake nor reconciliation.
 */
import type { ChartWindow } from '../domain/charts.ts';
import { parseCompactionManifest } from '../domain/compaction.ts';
import { compactionManifestKey, dateOf, REJECTS_PREFIX } from '../domain/lake-layout.ts';
import { countedRegion, type LakeCounts, type LakeFileCounts } from '../domain/pipeline-counts.ts';
import { GLOBAL_REGION } from '../domain/regions.ts';
import type { ObjectStore } from '../ports/object-store.ts';
import { hoursOf } from './enriched-hours.ts';

export interface LakeCountSources {
  readonly lake: ObjectStore;
  readonly regions: readonly string[];
  readonly files: readonly LakeFileCounts[];
  /** The eligible plays of the charts computed from the same files, by region. */
  readonly charted: ReadonlyMap<string, number>;
}

export async function lakeCounts(window: ChartWindow, sources: LakeCountSources): Promise<LakeCounts[]> {
  const removed = await duplicatesRemoved(sources.lake, window, sources.regions);
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
 * Duplicates that compaction removed, per region and in total under `global`: `duplicates_removed` of each
 * compacted hour's manifest (`_compaction.json`, src/domain/compaction.ts), over every generation.
 */
async function duplicatesRemoved(
  lake: ObjectStore,
  window: ChartWindow,
  regions: readonly string[],
): Promise<Map<string, number>> {
  const removed = new Map<string, number>();
  for (const hour of hoursOf(window)) {
    const key = compactionManifestKey(hour);
    const body = await lake.get(key);
    if (!body) continue;
    for (const [region, count] of Object.entries(parseCompactionManifest(key, body).duplicates_removed)) {
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
