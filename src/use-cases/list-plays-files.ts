import type { ChartWindow } from '../domain/charts.ts';
import { type CompactionManifest, hourFilesToRead, parseCompactionManifest } from '../domain/compaction.ts';
import { compactionManifestKey, hourOfKey, windowPrefix } from '../domain/lake-layout.ts';
import type { ObjectStore, StoredObject } from '../ports/object-store.ts';

/**
 * The plays files that make up a window (an hour or a day), with their sizes and etags: what every reader of
 * plays reads (the chart jobs, enrich, compaction itself), so that none reads a compaction half done or an hour
 * twice (docs/contracts.md, "Compaction"). For each hour: the compacted files its manifest names, then every
 * writer file the manifest does not replace; compacted files are never taken from the listing itself.
 *
 * One listing of the window, then the manifest of each hour that has one. The manifest may be newer than the
 * listing: its files exist (a manifest is written after them, and replaced ones are deleted only long after
 * the manifest that stopped naming them), and writer files that arrived after the listing are read by the
 * next run, as without compaction.
 */
export async function listPlaysFiles(lake: ObjectStore, window: ChartWindow): Promise<StoredObject[]> {
  const objects = await lake.listObjects(windowPrefix(window.period, window.start));
  const byHour = Map.groupBy(
    objects.filter((object) => hourOfKey(object.key) !== undefined),
    (object) => hourOfKey(object.key)!.getTime(),
  );
  const hours = await Promise.all(
    [...byHour].map(async ([hourStart, hourObjects]) => {
      const manifest = await readManifest(lake, new Date(hourStart), hourObjects);
      return { hourStart, files: hourFilesToRead(hourObjects, manifest) };
    }),
  );
  return hours.sort((a, b) => a.hourStart - b.hourStart).flatMap((hour) => hour.files);
}

/** The hour's compaction manifest when its listing shows one; undefined otherwise. */
export async function readManifest(
  lake: ObjectStore,
  hourStart: Date,
  hourObjects: readonly StoredObject[],
): Promise<CompactionManifest | undefined> {
  const key = compactionManifestKey(hourStart);
  if (!hourObjects.some((object) => object.key === key)) return undefined;
  const bytes = await lake.get(key);
  // Listed, then gone: only a hand could have removed it (compaction replaces it, never deletes it).
  if (!bytes) throw new Error(`${key} disappeared while being read`);
  return parseCompactionManifest(key, bytes);
}
