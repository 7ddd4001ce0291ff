import type { Period } from '../domain/charts.ts';
import type { HourCount, LakeCounts, RejectionCount, WindowCounts } from '../domain/pipeline-counts.ts';

/** A record of the dead-letter topic, as the dead-letter counter keeps it. */
export interface DeadLetter {
  /** Where it failed (topic-partition@offset): one record dead-lettered twice counts once. */
  readonly source: string;
  readonly hour: Date;
  readonly region: string;
  readonly reason: string;
  readonly deadLetteredAt: Date;
}

/**
 * Where the pipeline's counts are kept (PostgreSQL): added to by ingest and the dead-letter counter, replaced per
 * window by the chart jobs, read by the pipeline API. Unreachable: StoreUnavailableError.
 */
export interface PipelineCountStore {
  /** Adds what one ingest request acknowledged and rejected, in one statement. */
  addIngest(accepted: readonly HourCount[], rejected: readonly RejectionCount[]): Promise<void>;
  /** Keeps dead letters not kept yet (by `source`); returns how many were new. */
  addDeadLetters(letters: readonly DeadLetter[]): Promise<number>;
  /** Replaces a window's lake counts with those of the chart run that just stored its charts. */
  replaceLakeCounts(
    period: Period,
    windowStart: Date,
    counts: readonly LakeCounts[],
    newestPlayAt: Date | undefined,
    countedAt: Date,
  ): Promise<void>;
  /** A window's counts: ingest's and the dead letters' summed over its hours, the lake's of its last chart run. */
  windowCounts(period: Period, windowStart: Date): Promise<WindowCounts>;
  /** The newest `played_at` any chart run has seen in the lake. */
  newestPlayInLake(): Promise<Date | undefined>;
}
