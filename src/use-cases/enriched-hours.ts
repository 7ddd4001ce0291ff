/**
 * What the lake holds of a window's enrichment, hour by hour, and whether each hour's enriched files are current:
 * what enrich decides to (re)build by, and what the chart jobs decide to read enriched or raw plays by.
 */
import { type ChartWindow, windowContaining } from '../domain/charts.ts';
import {
  type EnrichmentInputs,
  type EnrichmentManifest,
  enrichedHourPrefix,
  MANIFEST_NAME,
  parseManifest,
  type Staleness,
  stalenessOf,
} from '../domain/enriched.ts';
import { CATALOG_KEY, hourPartitionPrefix } from '../domain/lake-layout.ts';
import type { ObjectStore, StoredObject } from '../ports/object-store.ts';
import { listPlaysFiles } from './list-plays-files.ts';

const HOUR_MS = 3_600_000;

export interface EnrichedHour {
  readonly hour: Date;
  /** What the hour's enrichment is (or would be) built from, as listed now. */
  readonly inputs: EnrichmentInputs;
  /** Its manifest, when it has one this version reads. */
  readonly manifest: EnrichmentManifest | undefined;
  /** Every key under its enriched prefix. */
  readonly enrichedKeys: readonly string[];
  readonly staleness: Staleness;
}

/** The current catalog's listing entry, or null when the lake has no catalog. */
export async function catalogObject(lake: ObjectStore): Promise<StoredObject | null> {
  return (await lake.listObjects(CATALOG_KEY)).find((object) => object.key === CATALOG_KEY) ?? null;
}

/** The hours of a window (one for an hour, 24 for a day). */
export function hoursOf(window: ChartWindow): Date[] {
  const hours: Date[] = [];
  for (let at = window.start.getTime(); at < window.end.getTime(); at += HOUR_MS) hours.push(new Date(at));
  return hours;
}

/**
 * Every hour of the window with its inputs, manifest and staleness: one listing of the window's plays, one of
 * its enriched prefix, the catalog's listing, and a read of each manifest there is.
 */
export async function enrichedHoursOf(
  lake: ObjectStore,
  window: ChartWindow,
  catalog?: StoredObject | null,
): Promise<EnrichedHour[]> {
  const [plays, enriched, currentCatalog] = await Promise.all([
    listPlaysFiles(lake, window),
    lake.list(enrichedPrefixOf(window)),
    catalog === undefined ? catalogObject(lake) : Promise.resolve(catalog),
  ]);
  return Promise.all(
    hoursOf(window).map(async (hour) => {
      const playsPrefix = hourPartitionPrefix(hour);
      const enrichedPrefix = enrichedHourPrefix(hour);
      const enrichedKeys = enriched.filter((key) => key.startsWith(enrichedPrefix));
      const manifestKey = `${enrichedPrefix}${MANIFEST_NAME}`;
      const manifest = enrichedKeys.includes(manifestKey)
        ? parseManifest(await lake.get(manifestKey))
        : undefined;
      const inputs: EnrichmentInputs = {
        plays: plays
          .filter((object) => object.key.startsWith(playsPrefix))
          .map(({ key, size, etag }) => ({ key, size, etag })),
        catalog: currentCatalog && {
          key: currentCatalog.key,
          size: currentCatalog.size,
          etag: currentCatalog.etag,
        },
      };
      return { hour, inputs, manifest, enrichedKeys, staleness: stalenessOf(manifest, inputs, enrichedKeys) };
    }),
  );
}

/** The enriched prefix covering a window: its hour's, or its day's. */
function enrichedPrefixOf(window: ChartWindow): string {
  const hourPrefix = enrichedHourPrefix(window.start);
  return window.period === 'hour' ? hourPrefix : hourPrefix.slice(0, hourPrefix.lastIndexOf('hour='));
}

/** The closed hours a scheduled enrich run looks at, newest first. */
export function recentClosedHours(now: Date, count: number): ChartWindow[] {
  const open = windowContaining('hour', now);
  return Array.from({ length: count }, (_, index) =>
    windowContaining('hour', new Date(open.start.getTime() - (index + 1) * HOUR_MS)),
  );
}

/**
 * The files a window's charts are computed from: for each hour, its enriched files when their manifest is
 * current (the same plays files and catalog as now: docs/contracts.md, "Enriched plays"), else its plays files.
 * Enriched rows keep the plays' columns and each event_id's first delivery, so the chart query gives the same
 * charts from either, or from a mix of both.
 */
export function filesToRead(hours: readonly EnrichedHour[], useEnriched: boolean) {
  const files: string[] = [];
  let enrichedHours = 0;
  let rawHours = 0;
  for (const hour of hours) {
    if (hour.inputs.plays.length === 0) continue;
    if (useEnriched && hour.staleness.current && hour.manifest) {
      files.push(...hour.manifest.files);
      enrichedHours += 1;
    } else {
      files.push(...hour.inputs.plays.map((file) => file.key));
      rawHours += 1;
    }
  }
  // Raw plays get their genre from the catalog, the one an enriched hour was built with (else it is not current).
  const catalog = rawHours > 0 ? (hours[0]?.inputs.catalog?.key ?? undefined) : undefined;
  return { files, enrichedHours, catalog };
}
