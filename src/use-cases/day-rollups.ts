/**
 * A day's charts from its hours' rollups (docs/contracts.md, "Hour rollups"; docs/decisions.md, "Day charts from
 * hour rollups"): each closed hour is reduced once to what it adds to the day, and every later run of the day
 * sums those instead of deduplicating the whole day again; only the hours without a current rollup (the open
 * hour, an hour still in its grace, an hour whose plays changed since) are read whole.
 */
import type { ChartWindow, RegionTally } from '../domain/charts.ts';
import { LATE_PLAY_GRACE_MS } from '../domain/charts.ts';
import { stalenessOf } from '../domain/enriched.ts';
import type { LakeFileCounts } from '../domain/pipeline-counts.ts';
import { GLOBAL_REGION } from '../domain/regions.ts';
import {
  isRollupCrossersFile,
  isRollupDataFile,
  parseRollupManifest,
  type RollupManifest,
  rollupCrossersKey,
  rollupDayPrefix,
  rollupFileKeys,
  rollupManifestKey,
} from '../domain/rollups.ts';
import type { Clock } from '../ports/clock.ts';
import type { ObjectStore } from '../ports/object-store.ts';
import type { DayRollupPorts } from '../ports/rollup-engine.ts';
import { type EnrichedHour, filesToRead } from './enriched-hours.ts';

const HOUR_MS = 3_600_000;

export interface DayPorts {
  readonly lake: ObjectStore;
  readonly clock: Clock;
  readonly rollups: DayRollupPorts;
  readonly countLakeFiles: (files: readonly string[], window: ChartWindow) => Promise<LakeFileCounts[]>;
  readonly withScratchDir: <T>(work: (dir: string) => Promise<T>) => Promise<T>;
}

export interface DayTally {
  readonly tallies: RegionTally[];
  readonly fileCounts: LakeFileCounts[];
  readonly files: number;
  readonly enrichedHours: number;
  readonly rollupHours: number;
}

/**
 * The day's tallies and lake counts from rollups, building the rollup of every hour that is final (its end plus
 * the grace before `generatedAt`) and has none current; undefined when no hour has one, or when the rollups
 * could not be read (a build replaced twice meanwhile): the caller then reads the day whole, which gives the same.
 */
export async function tallyDayFromRollups(
  window: ChartWindow,
  hours: readonly EnrichedHour[],
  generatedAt: Date,
  ports: DayPorts,
): Promise<DayTally | undefined> {
  const listed = await ports.lake.list(rollupDayPrefix(window.start));
  const manifests = await Promise.all(
    hours.map(async (hour) => {
      const key = rollupManifestKey(hour.hour);
      return listed.includes(key) ? parseRollupManifest(await ports.lake.get(key)) : undefined;
    }),
  );
  const rolled: RollupManifest[] = [];
  const whole: EnrichedHour[] = [];
  for (const [index, hour] of hours.entries()) {
    if (hour.inputs.plays.length === 0) continue;
    const manifest = manifests[index];
    if (stalenessOf(manifest, hour.inputs, listed).current && manifest) {
      rolled.push(manifest);
    } else if (hour.hour.getTime() + HOUR_MS + LATE_PLAY_GRACE_MS <= generatedAt.getTime()) {
      const built = await buildRollup(hour, window, manifest, listed, ports);
      if (built) rolled.push(built);
      else whole.push(hour);
    } else {
      whole.push(hour);
    }
  }
  if (rolled.length === 0) return undefined;
  const read = filesToRead(whole, true);
  const rollupKeys = rolled.flatMap((manifest) => manifest.files);
  // The events in two rollups or more, found by an earlier run of the same rollups (listed before any build).
  const crossersKey = rollupCrossersKey(window.start, rollupKeys);
  const cached = listed.includes(crossersKey);
  const day = await ports.withScratchDir(async (dir) => {
    const copies = await ports.lake
      .localCopies(
        [
          ...rollupKeys,
          ...read.files,
          ...(read.catalog ? [read.catalog] : []),
          ...(cached ? [crossersKey] : []),
        ],
        dir,
      )
      // A file replaced twice since it was listed (a rebuilt rollup, another run's crossers) is gone: the day is
      // read whole instead. Only the copying falls back; a failing query fails the run.
      .catch(() => undefined);
    if (!copies) return undefined;
    const catalog = read.catalog ? copies[rollupKeys.length + read.files.length] : undefined;
    return ports.rollups.tallyDay({
      rollups: rolled.map((_, index) => ({ counts: copies[2 * index]!, keys: copies[2 * index + 1]! })),
      whole: copies.slice(rollupKeys.length, rollupKeys.length + read.files.length),
      wholeOptions: { enriched: read.enrichedHours > 0, ...(catalog ? { catalog } : {}) },
      window,
      ...(cached ? { rollupCrossers: copies.at(-1)! } : {}),
    });
  });
  if (day?.rollupCrossers) {
    await ports.lake.put(crossersKey, day.rollupCrossers, 'application/vnd.apache.parquet');
    // Those of other sets of rollups are not read again (a run still copying one reads the day whole instead).
    for (const key of listed)
      if (isRollupCrossersFile(key) && key !== crossersKey) await ports.lake.delete(key);
  }
  if (!day) return undefined;
  // The lake's counts: the rollups' (of their plays files), those of the other hours' plays files, and the
  // crossers' later first deliveries moved from first deliveries (short or not) to duplicates.
  const raw = filesToRead(whole, false).files;
  const wholeCounts =
    raw.length === 0
      ? []
      : await ports.withScratchDir(async (dir) =>
          ports.countLakeFiles(await ports.lake.localCopies(raw, dir), window),
        );
  return {
    tallies: day.tallies,
    fileCounts: sumLakeCounts(
      [
        ...rolled.flatMap((manifest) =>
          manifest.lake_counts.map((count) => ({
            ...count,
            newest_play_at: count.newest_play_at ? new Date(count.newest_play_at) : undefined,
          })),
        ),
        ...wholeCounts,
      ],
      day.laterDeliveries,
    ),
    files: rolled.length * 2 + read.files.length + (cached ? 1 : 0),
    enrichedHours: read.enrichedHours,
    rollupHours: rolled.length,
  };
}

/** Builds an hour's rollup from the plays files listed for it, writes it, and returns its manifest. */
async function buildRollup(
  hour: EnrichedHour,
  day: ChartWindow,
  previous: RollupManifest | undefined,
  listed: readonly string[],
  ports: DayPorts,
): Promise<RollupManifest | undefined> {
  const { inputs } = hour;
  const built = await ports.withScratchDir(async (dir) => {
    const keys = [...inputs.plays.map((file) => file.key), ...(inputs.catalog ? [inputs.catalog.key] : [])];
    // A plays file gone since the listing: the hour is read whole, as it was before rollups, and the next run,
    // listing again, builds it. Only the copying falls back; a failing build fails the run.
    const copies = await ports.lake.localCopies(keys, dir).catch(() => undefined);
    if (!copies) return undefined;
    return ports.rollups.buildHourRollup({
      plays: copies.slice(0, inputs.plays.length),
      catalog: inputs.catalog ? copies.at(-1) : undefined,
      day,
    });
  });
  if (!built) return undefined;
  const files = rollupFileKeys(hour.hour, inputs);
  await ports.lake.put(files.counts, built.counts, 'application/vnd.apache.parquet');
  await ports.lake.put(files.keys, built.keys, 'application/vnd.apache.parquet');
  const manifest: RollupManifest = {
    format: 1,
    hour: hour.hour.toISOString(),
    built_at: ports.clock().toISOString(),
    files: [files.counts, files.keys],
    events: built.events,
    lake_counts: built.lakeCounts.map((count) => ({
      ...count,
      newest_play_at: count.newest_play_at?.toISOString() ?? null,
    })),
    inputs: { plays: [...inputs.plays], catalog: inputs.catalog },
  };
  // The commit point: from here on readers read the new files.
  await ports.lake.put(
    rollupManifestKey(hour.hour),
    new TextEncoder().encode(`${JSON.stringify(manifest, null, 2)}\n`),
    'application/json',
  );
  // Files of older builds go, except those of the build just replaced: a run that read the previous manifest a
  // moment ago may still be copying them.
  const keep = new Set([...manifest.files, ...(previous?.files ?? [])]);
  const prefix = rollupManifestKey(hour.hour).replace(/[^/]+$/, '');
  for (const key of listed) {
    if (key.startsWith(prefix) && isRollupDataFile(key) && !keep.has(key)) await ports.lake.delete(key);
  }
  return manifest;
}

/** Sums counts by region; each later first delivery is a duplicate of the day, no longer a first (short) play. */
function sumLakeCounts(
  counts: readonly LakeFileCounts[],
  later: readonly { region: string; duplicates: number; short_plays: number }[],
): LakeFileCounts[] {
  const sums = new Map<string, { rows: number; duplicates: number; short_plays: number; newest: number }>();
  const add = (region: string, rows: number, duplicates: number, shortPlays: number, newest?: Date) => {
    const sum = sums.get(region) ?? { rows: 0, duplicates: 0, short_plays: 0, newest: Number.NaN };
    sum.rows += rows;
    sum.duplicates += duplicates;
    sum.short_plays += shortPlays;
    if (newest && !(newest.getTime() <= sum.newest)) sum.newest = newest.getTime();
    sums.set(region, sum);
  };
  for (const count of counts) {
    add(count.region, count.rows, count.duplicates, count.short_plays, count.newest_play_at);
  }
  for (const moved of later) {
    add(moved.region, 0, moved.duplicates, -moved.short_plays);
    add(GLOBAL_REGION, 0, moved.duplicates, -moved.short_plays);
  }
  return [...sums].map(([region, sum]) => ({
    region,
    rows: sum.rows,
    duplicates: sum.duplicates,
    short_plays: sum.short_plays,
    newest_play_at: Number.isNaN(sum.newest) ? undefined : new Date(sum.newest),
  }));
}
