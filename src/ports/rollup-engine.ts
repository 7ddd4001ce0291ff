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

/** The engine's part of a day: the rollups' files and the other hours' files (local copies) in, the charts out. */
export type TallyDay = (input: {
  readonly rollups: readonly { readonly counts: string; readonly keys: string }[];
  /** The files of the hours read whole (enriched and/or plays files, as the chart query reads them). */
  readonly whole: readonly string[];
  readonly wholeOptions: { readonly enriched: boolean; readonly catalog?: string };
  readonly window: ChartWindow;
  /** The crossers among these very rollups, as an earlier call returned them (a local copy); else found anew. */
  readonly rollupCrossers?: string;
}) => Promise<{
  tallies: RegionTally[];
  /** The first deliveries in a source that are not the day's first, per region: duplicates of the day. */
  laterDeliveries: { region: string; duplicates: number; short_plays: number }[];
  /** Event_ids found in more than one source. */
  crossers: number;
  /** The crossers among the rollups (Parquet), when found anew: for the next call with the same rollups. */
  rollupCrossers?: Uint8Array;
}>;

export interface DayRollupPorts {
  readonly buildHourRollup: BuildHourRollup;
  readonly tallyDay: TallyDay;
}
