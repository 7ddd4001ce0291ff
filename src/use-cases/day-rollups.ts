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
  isRollupSumsFile,
  parseRollupManifest,
  type RollupManifest,
  rollupCrossersKey,
  rollupDayPrefix,
  rollupFileKeys,
  rollupManifestKey,
  rollupSetDigest,
  rollupSumsKey,
} from '../domain/rollups.ts';
import type { Clock } from '../ports/clock.ts';
import type { ObjectStore } from '../ports/object-store.ts';
import type { DayRollupPorts } from '../ports/rollup-engine.ts';
import type { EnrichedHour } from './enriched-hours.ts';
import {
  addLakeRows,
  keepSeenPart,
  lakeRowsOf,
  usableSeenPart,
  wholeLakeCounts,
  worthKeeping,
} from './seen-parts.ts';

const HOUR_MS = 3_600_000;

export interface DayPorts {
  readonly lake: ObjectStore;
  readonly clock: Clock;
  readonly rollups: DayRollupPorts;
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
  const rollupKeys = rolled.flatMap((manifest) => manifest.files);
  const rollups = rollupSetDigest(rollupKeys);
  // The events in two rollups or more, and the rollups' counts summed, kept by an earlier run of the same rollups
  // (listed before any build; the sums are written first, so the crossers stand for both).
  const crossersKey = rollupCrossersKey(window.start, rollupKeys);
  const sumsKey = rollupSumsKey(window.start, rollupKeys);
  const cached = listed.includes(crossersKey) && listed.includes(sumsKey);
  // The hours read whole: each its seen part, when an earlier run kept a usable one, and the files listed since.
  const seen = await Promise.all(whole.map((hour) => usableSeenPart(ports.lake, hour, listed, rollups)));
  const wholeFiles = whole.map((hour, index) => [
    ...(seen[index]
      ? [seen[index].manifest.files[0], ...(seen[index].probed ? [seen[index].probed] : [])]
      : []),
    ...(seen[index]?.newFiles ?? hour.inputs.plays).map((file) => file.key),
  ]);
  const catalog = whole[0]?.inputs.catalog?.key ?? undefined;
  const keys = [
    ...rollupKeys,
    ...wholeFiles.flat(),
    ...(catalog ? [catalog] : []),
    ...(cached ? [crossersKey, sumsKey] : []),
  ];
  const day = await ports.withScratchDir(async (dir) => {
    const copies = await ports.lake
      .localCopies(keys, dir)
      // A file replaced twice since it was listed (a rebuilt rollup, another run's crossers or seen part) is
      // gone: the day is read whole instead. Only the copying falls back; a failing query fails the run.
      .catch(() => undefined);
    if (!copies) return undefined;
    const local = new Map(keys.map((key, index) => [key, copies[index]!]));
    return ports.rollups.tallyDay({
      rollups: rolled.map((manifest) => ({
        counts: local.get(manifest.files[0])!,
        keys: local.get(manifest.files[1])!,
      })),
      whole: whole.map((hour, index) => {
        const part = seen[index];
        return {
          files: (part?.newFiles ?? hour.inputs.plays).map((file) => local.get(file.key)!),
          keep: worthKeeping(part),
          ...(part
            ? {
                partial: {
                  keys: local.get(part.manifest.files[0])!,
                  probed: part.probed ? local.get(part.probed) : undefined,
                },
              }
            : {}),
        };
      }),
      catalog: catalog ? local.get(catalog) : undefined,
      window,
      ...(cached ? { rollupCrossers: local.get(crossersKey)!, rollupSums: local.get(sumsKey)! } : {}),
    });
  });
  if (day?.rollupCrossers && day.rollupSums) {
    await ports.lake.put(sumsKey, day.rollupSums, 'application/vnd.apache.parquet');
    await ports.lake.put(crossersKey, day.rollupCrossers, 'application/vnd.apache.parquet');
    // Those of other sets of rollups are not read again (a run still copying one reads the day whole instead).
    for (const key of listed) {
      const other =
        (isRollupCrossersFile(key) || isRollupSumsFile(key)) && key !== crossersKey && key !== sumsKey;
      if (other) await ports.lake.delete(key);
    }
  }
  if (!day) return undefined;
  // Each hour read whole: its rows (those of its seen part and of the files read now), and its new seen part.
  const wholeRows = whole.map((_, index) =>
    addLakeRows(lakeRowsOf(seen[index]?.manifest), day.wholeHours[index]?.rows ?? []),
  );
  for (const [index, hour] of whole.entries()) {
    const part = day.wholeHours[index]?.partial;
    if (part) {
      await keepSeenPart(
        ports,
        hour,
        { ...part, rollups, rows: wholeRows[index]! },
        seen[index]?.manifest,
        listed,
      );
    }
  }
  // The lake's counts: the rollups' (of their plays files), those of the hours read whole, and the crossers'
  // later first deliveries moved from first deliveries (short or not) to duplicates.
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
        ...wholeLakeCounts(wholeRows.flat(), day.wholeFirsts),
      ],
      day.laterDeliveries,
    ),
    files: rollupKeys.length + wholeFiles.flat().length + (cached ? 2 : 0),
    enrichedHours: 0,
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
