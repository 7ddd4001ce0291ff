/**
 * Counts at every hop of the pipeline (docs/contracts.md, "GET /v1/pipeline"): what ingest accepted and rejected,
 * what reached the lake, what the lake writers rejected, what went to the dead-letter topic, and what the chart
 * made of the lake; and the two equations that say whether every accepted play is accounted for.
 */
import { windowContaining } from './charts.ts';
import { GLOBAL_REGION } from './regions.ts';

/** Where a count goes when the record names no configured region: only the `global` total includes it. */
export const UNKNOWN_REGION = '';

/** One hop's count in an hour and region (ingest and dead letters are counted per UTC hour; a day sums them). */
export interface HourCount {
  readonly hour: Date;
  readonly region: string;
  readonly count: number;
}

/** Events ingest rejected, by the reason: `invalid_<field>` of their first error (ingest-plays.ts). */
export interface RejectionCount extends HourCount {
  readonly reason: string;
}

/** What a chart run found in the lake for one region (or `global`) of a window. */
export interface LakeCounts {
  readonly region: string;
  /** Deliveries written to the lake: rows in its files, plus those compaction removed as duplicates. */
  readonly in_lake: number;
  /** Deliveries beyond the first of an `event_id`. */
  readonly duplicates: number;
  /** Distinct events (first deliveries) under the chart's 30 s. */
  readonly short_plays: number;
  /** The eligible plays of the chart computed in the same run. */
  readonly charted: number;
  /** Records the lake writers filed under rejects/, by the hour the transport received them. */
  readonly rejected_in_lake: number;
}

/** What a window's Parquet files hold, per region and `global`, by the chart rules' definitions. */
export interface LakeFileCounts {
  readonly region: string;
  /** Rows in the files (compaction's removed duplicates not included). */
  readonly rows: number;
  /** Rows beyond the first delivery of an event_id, in the region of the row. */
  readonly duplicates: number;
  /** First deliveries under the 30 s rule. */
  readonly short_plays: number;
  readonly newest_play_at: Date | undefined;
}

/** The hour a record is counted in: its `played_at` when it has a readable one, else when it was received. */
export function countedHour(playedAt: unknown, receivedAt: Date): Date {
  const instant = typeof playedAt === 'string' ? new Date(playedAt) : undefined;
  const when = instant && !Number.isNaN(instant.getTime()) ? instant : receivedAt;
  return windowContaining('hour', when).start;
}

/** The region a record is counted in: its own when configured, else UNKNOWN_REGION. */
export function countedRegion(region: unknown, regions: readonly string[]): string {
  return typeof region === 'string' && regions.includes(region) ? region : UNKNOWN_REGION;
}

/** Adds up counts with the same key (hour, region and, for rejections, reason). */
export function sumCounts<T extends HourCount>(counts: readonly T[], key: (count: T) => string): T[] {
  const sums = new Map<string, T>();
  for (const count of counts) {
    const k = `${count.hour.toISOString()}|${count.region}|${key(count)}`;
    const sum = sums.get(k);
    sums.set(k, sum ? { ...sum, count: sum.count + count.count } : count);
  }
  return [...sums.values()];
}

export interface HopCounts {
  readonly region: string;
  readonly accepted: number;
  readonly rejected_at_ingest: {
    readonly total: number;
    readonly by_reason: Readonly<Record<string, number>>;
  };
  readonly in_lake: number;
  readonly rejected_in_lake: number;
  readonly dead_letters: number;
  readonly duplicates: number;
  readonly short_plays: number;
  readonly charted: number;
}

export interface Mismatch {
  readonly equation: string;
  readonly left: number;
  readonly right: number;
}

export interface Reconciliation {
  readonly ok: boolean;
  /** The equations that do not hold, each with both sides. */
  readonly mismatches: readonly Mismatch[];
}

export const EQUATIONS = {
  delivered: 'accepted = in_lake + dead_letters',
  charted: 'charted = in_lake - duplicates - short_plays',
} as const;

/**
 * Whether the hops account for each other: every accepted delivery is in the lake or a dead letter, and the
 * chart counted every delivery in the lake except duplicates and short plays.
 */
export function reconcile(counts: HopCounts): Reconciliation {
  const mismatches: Mismatch[] = [];
  const delivered = counts.in_lake + counts.dead_letters;
  if (counts.accepted !== delivered) {
    mismatches.push({ equation: EQUATIONS.delivered, left: counts.accepted, right: delivered });
  }
  const chartable = counts.in_lake - counts.duplicates - counts.short_plays;
  if (counts.charted !== chartable) {
    mismatches.push({ equation: EQUATIONS.charted, left: counts.charted, right: chartable });
  }
  return { ok: mismatches.length === 0, mismatches };
}

/** The rows of one window, per region, as the store holds them. */
export interface WindowCounts {
  readonly accepted: readonly { readonly region: string; readonly count: number }[];
  readonly rejected: readonly { readonly region: string; readonly reason: string; readonly count: number }[];
  readonly deadLetters: readonly { readonly region: string; readonly count: number }[];
  /** The latest chart run's lake counts, `global` included; empty when the window was never charted. */
  readonly lake: readonly LakeCounts[];
}

/**
 * One entry per configured region and one for `global`: the global entry sums every region, records without a
 * configured region included; its lake counts are the chart run's own (an event counts once over all regions).
 */
export function hopCountsByRegion(window: WindowCounts, regions: readonly string[]): HopCounts[] {
  const sum = (rows: readonly { region: string; count: number }[], region: string) =>
    rows
      .filter((row) => region === GLOBAL_REGION || row.region === region)
      .reduce((total, row) => total + row.count, 0);
  return [...regions, GLOBAL_REGION].map((region) => {
    const rejected = window.rejected.filter((row) => region === GLOBAL_REGION || row.region === region);
    const byReason: Record<string, number> = {};
    for (const row of rejected) byReason[row.reason] = (byReason[row.reason] ?? 0) + row.count;
    const lake = window.lake.find((row) => row.region === region);
    return {
      region,
      accepted: sum(window.accepted, region),
      rejected_at_ingest: { total: sum(rejected, region), by_reason: byReason },
      in_lake: lake?.in_lake ?? 0,
      rejected_in_lake: lake?.rejected_in_lake ?? 0,
      dead_letters: sum(window.deadLetters, region),
      duplicates: lake?.duplicates ?? 0,
      short_plays: lake?.short_plays ?? 0,
      charted: lake?.charted ?? 0,
    };
  });
}
