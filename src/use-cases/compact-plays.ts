import { previousWindow, windowContaining, windowStartingAt } from '../domain/charts.ts';
import {
  type CompactionManifest,
  deletableCompactedFiles,
  generationAt,
  uncoveredWriterFiles,
} from '../domain/compaction.ts';
import {
  compactedFileKey,
  compactionManifestKey,
  dayPartitionPrefix,
  hourOfKey,
  hourPartitionPrefix,
} from '../domain/lake-layout.ts';
import type { Clock } from '../ports/clock.ts';
import type { ObjectStore } from '../ports/object-store.ts';
import { readManifest } from './list-plays-files.ts';

export interface CompactionPorts {
  readonly lake: ObjectStore;
  readonly clock: Clock;
  /** Rewrites local Parquet files as a few deduplicated, sorted ones in `outDir` (DuckDB in every runtime). */
  readonly compact: (
    inputs: readonly string[],
    outDir: string,
  ) => Promise<{
    readonly paths: readonly string[];
    readonly rows: number;
    readonly duplicatesRemoved: Readonly<Record<string, number>>;
  }>;
  readonly withScratchDir: <T>(work: (dir: string) => Promise<T>) => Promise<T>;
  /** The bytes of a local file (one of `compact`'s outputs). */
  readonly readLocalFile: (path: string) => Promise<Uint8Array>;
  /** Eight hex digits, naming a compaction apart from another started in the same millisecond. */
  readonly randomHex: () => string;
}

export interface HourCompaction {
  readonly window_start: string;
  /** `compacted`: a new generation; `up to date`: nothing new since the last (old files may be deleted). */
  readonly status: 'compacted' | 'up to date';
  readonly generation?: string;
  /** Writer files folded in by this run. */
  readonly writer_files: number;
  readonly files: number;
  readonly rows: number;
  /** Duplicates this run removed, per region (the manifest keeps the hour's total). */
  readonly duplicates_removed: Readonly<Record<string, number>>;
  /** Compacted files of older generations (or of crashed runs) deleted. */
  readonly deleted: number;
}

/** How far back the schedule looks for closed hours to compact: today and yesterday (UTC). */
const SCHEDULED_DAYS = 2;

/**
 * Compacts one UTC hour of plays (docs/contracts.md, "Compaction"): its compacted files so far and every
 * writer file the manifest does not cover become a new generation of files, then a new manifest names them
 * and everything they replace. Readers switch at the manifest's write, all at once; a crash before it leaves
 * unnamed files that nobody reads (deleted by a later run), a crash after it a finished compaction. Running
 * it again with nothing new changes nothing, and a writer file that arrives later is folded in by the next run.
 */
export async function compactHour(hourStart: Date, ports: CompactionPorts): Promise<HourCompaction> {
  const hour = windowStartingAt('hour', hourStart);
  const objects = await ports.lake.listObjects(hourPartitionPrefix(hour.start));
  const manifest = await readManifest(ports.lake, hour.start, objects);
  const uncovered = uncoveredWriterFiles(objects, manifest);
  const now = ports.clock();
  let written: CompactionManifest | undefined;
  let duplicatesRemoved: Readonly<Record<string, number>> = {};
  if (uncovered.length > 0) {
    const generation = generationAt(now, ports.randomHex());
    const inputs = [...(manifest?.files ?? []), ...uncovered.map((object) => object.key)];
    const result = await ports.withScratchDir(async (dir) => {
      const compacted = await ports.compact(await ports.lake.localCopies(inputs, dir), `${dir}/compacted`);
      const keys: string[] = [];
      for (const [index, path] of compacted.paths.entries()) {
        const key = compactedFileKey(hour.start, generation, index);
        await ports.lake.put(key, await ports.readLocalFile(path), 'application/vnd.apache.parquet');
        keys.push(key);
      }
      return { ...compacted, keys };
    });
    duplicatesRemoved = result.duplicatesRemoved;
    written = {
      version: 1,
      hour: hour.start.toISOString(),
      generation,
      created_at: now.toISOString(),
      files: result.keys,
      rows: result.rows,
      replaces: {
        ...manifest?.replaces,
        ...Object.fromEntries(uncovered.map((object) => [object.key, object.etag])),
      },
      duplicates_removed: addCounts(manifest?.duplicates_removed ?? {}, result.duplicatesRemoved),
    };
    // The switch: one object written whole. Everything above is invisible to readers until here.
    await ports.lake.put(
      compactionManifestKey(hour.start),
      new TextEncoder().encode(`${JSON.stringify(written, null, 2)}\n`),
      'application/json',
    );
  }
  // Judged against the manifest read at the start: the files of the generation just written are named.
  const deletable = deletableCompactedFiles(hour.start, objects, manifest, now);
  for (const key of deletable) await ports.lake.delete(key);
  return {
    window_start: hour.start.toISOString(),
    status: written ? 'compacted' : 'up to date',
    ...(written ? { generation: written.generation } : {}),
    writer_files: uncovered.length,
    files: (written ?? manifest)?.files.length ?? 0,
    rows: (written ?? manifest)?.rows ?? 0,
    duplicates_removed: duplicatesRemoved,
    deleted: deletable.length,
  };
}

/**
 * The schedule's run: every closed hour of today and yesterday (UTC) with something to do, oldest first: a
 * writer file no manifest covers, or old compacted files to delete. Older hours: `compactHour` on request.
 */
export async function compactClosedHours(ports: CompactionPorts): Promise<HourCompaction[]> {
  const now = ports.clock();
  const openHour = windowContaining('hour', now).start;
  const days = [windowContaining('day', now)];
  while (days.length < SCHEDULED_DAYS) days.unshift(previousWindow(days[0]!));
  const results: HourCompaction[] = [];
  for (const { start } of days) {
    const objects = await ports.lake.listObjects(dayPartitionPrefix(start));
    const byHour = Map.groupBy(
      objects.filter((object) => (hourOfKey(object.key)?.getTime() ?? Infinity) < openHour.getTime()),
      (object) => hourOfKey(object.key)!.getTime(),
    );
    for (const [hourStart, hourObjects] of [...byHour].sort(([a], [b]) => a - b)) {
      const manifest = await readManifest(ports.lake, new Date(hourStart), hourObjects);
      const due =
        uncoveredWriterFiles(hourObjects, manifest).length > 0 ||
        deletableCompactedFiles(new Date(hourStart), hourObjects, manifest, now).length > 0;
      if (due) results.push(await compactHour(new Date(hourStart), ports));
    }
  }
  return results;
}

function addCounts(
  a: Readonly<Record<string, number>>,
  b: Readonly<Record<string, number>>,
): Record<string, number> {
  const sum: Record<string, number> = { ...a };
  for (const [region, count] of Object.entries(b)) sum[region] = (sum[region] ?? 0) + count;
  return sum;
}
