import type { ChartWindow } from '../domain/charts.ts';
import { isPlaysFile, windowPrefix } from '../domain/lake-layout.ts';
import type { ObjectStore, StoredObject } from '../ports/object-store.ts';

/**
 * The plays files that make up a window (an hour or a day), with their sizes and etags: what every reader of
 * plays (the chart jobs, enrich) reads, so that a change of what makes up an hour (compaction) is made here once.
 */
export async function listPlaysFiles(lake: ObjectStore, window: ChartWindow): Promise<StoredObject[]> {
  return (await lake.listObjects(windowPrefix(window.period, window.start))).filter((object) =>
    isPlaysFile(object.key),
  );
}
