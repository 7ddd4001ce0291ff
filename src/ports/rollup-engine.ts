/** The engine behind day charts from hour rollups (docs/contracts.md, "Hour rollups"): DuckDB in every runtime. */
import type { ChartWindow, RegionTally } from '../domain/charts.ts';
import type { LakeFileCounts } from '../domain/pipeline-counts.ts';

/** The engine's part of a build: one hour's plays files and the catalog (local copies) in, the rollup's files out. */
export type BuildHourRollup = (input: {
  readonly plays: readonly string[];
  readonly catalog: string | undefined;
  /** The hour's day: its rows count by the day's window. */
  readonly day: ChartWindow;
}) => Promise<{ counts: Uint8Array; keys: Uint8Array; events: number; lakeCounts: LakeFileCounts[] }>;

/** An hour read whole by the day (not final, or its rollup failed to build), as local copies. */
export interface WholeHour {
  /** Its plays files not in its seen part: all of them when it has none. */
  readonly files: readonly string[];
  /**
   * What an earlier run kept of the files it read (src/domain/rollups.ts, partial): their first deliveries as a
   * rollup's keys file, and, when found among these very rollups, the rollups' key rows of the same fingerprints.
   */
  readonly partial?: { readonly keys: string; readonly probed?: string | undefined } | undefined;
  /** Whether to return the hour's new seen part (its files and these), for the next call. */
  readonly keep: boolean;
}

/** Rows of plays files per region, in the day's window, and the newest play among them. */
export interface LakeRows {
  readonly region: string;
  readonly rows: number;
  readonly newest_play_at: Date | undefined;
}

/** The engine's part of a day: the rollups' files and the other hours (local copies) in, the charts out. */
export type TallyDay = (input: {
  readonly rollups: readonly { readonly counts: string; readonly keys: string }[];
  /** The hours read whole, their raw plays (genres from the catalog). */
  readonly whole: readonly WholeHour[];
  /** A local copy of the catalog, for the genres of the plays read whole. */
  readonly catalog?: string | undefined;
  readonly window: ChartWindow;
  /** The crossers among these very rollups, as an earlier call returned them (a local copy); else found anew. */
  readonly rollupCrossers?: string;
  /** These rollups' counts summed, as an earlier call returned them (a local copy); else summed anew. */
  readonly rollupSums?: string;
}) => Promise<{
  tallies: RegionTally[];
  /** The first deliveries in a source that are not the day's first, per region: duplicates of the day. */
  laterDeliveries: { region: string; duplicates: number; short_plays: number }[];
  /** Event_ids found in more than one source. */
  crossers: number;
  /** The crossers among the rollups (Parquet), when found anew: for the next call with the same rollups. */
  rollupCrossers?: Uint8Array;
  /** The rollups' counts summed (Parquet), when summed anew: for the next call with the same rollups. */
  rollupSums?: Uint8Array;
  /** The first deliveries of the hours read whole together, per region: all, and those under 30 s. */
  wholeFirsts: { region: string; firsts: number; short_plays: number }[];
  /**
   * Per hour read whole, in order: the rows of the files read now, and, when asked to keep it, the hour's new
   * seen part (keys and probe files, Parquet) for the next call.
   */
  wholeHours: { rows: LakeRows[]; partial?: { keys: Uint8Array; probed: Uint8Array } }[];
}>;

export interface DayRollupPorts {
  readonly buildHourRollup: BuildHourRollup;
  readonly tallyDay: TallyDay;
}
