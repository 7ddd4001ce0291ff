/** Chart rules (docs/contracts.md): what counts, which windows exist, what a chart holds. */

export const periods = ['hour', 'day'] as const;
export type Period = (typeof periods)[number];

/** A play counts when it lasted at least this long. */
export const MIN_MS_PLAYED = 30_000;
export const CHART_SIZE = 10;
/**
 * How long after a window ends late plays are still expected: in this grace the window's chart is `closing`
 * and every scheduled run recomputes it; from its end plus this grace it is `final`, and a play written into it
 * later marks it for restatement (src/domain/restatements.ts). A chart rule, not a setting: the writers (the
 * lake-writer, the Spark job's RESTATEMENT_GRACE_SECONDS) and the chart jobs must agree on it, or a late play
 * could fall between them (docs/decisions.md, "Late data restates by itself").
 */
export const LATE_PLAY_GRACE_MS = 5 * 60 * 1000;

export const chartStatuses = ['provisional', 'closing', 'final'] as const;
/** `provisional` while the window is open, `closing` within the grace after its end, then `final`. */
export type ChartStatus = (typeof chartStatuses)[number];

export interface ChartWindow {
  readonly period: Period;
  readonly start: Date;
  readonly end: Date;
}

/** A genre's chart of a region and window: stored beside the window's charts, which give its status and times. */
export interface GenreChart {
  readonly genre: string;
  readonly region: string;
  readonly eligible_plays: number;
  readonly entries: readonly ChartEntry[];
}

export interface ChartEntry {
  readonly rank: number;
  readonly song_id: string;
  readonly plays: number;
}

/** How an entry moved against the previous window of its region and period (docs/contracts.md). */
export const movements = ['up', 'down', 'same', 'new', 're-entry'] as const;
export type Movement = (typeof movements)[number];

/**
 * Where an entry stands in the history of its region and period: what the chart jobs derive and store beside
 * each entry, and keep right when an earlier window is restated.
 */
export interface EntrySemantics {
  /** Its rank in the window just before, or null when it was not in that top 10 (or that window has no chart). */
  readonly previous_rank: number | null;
  readonly movement: Movement;
  /** Its best rank so far, this window included. */
  readonly peak_rank: number;
  /** How many windows it has been in the top 10, this one included. */
  readonly periods_on_chart: number;
}

export interface Chart {
  readonly region: string;
  readonly period: Period;
  readonly window_start: Date;
  readonly window_end: Date;
  readonly status: ChartStatus;
  /** The instant the lake was read as of: the chart counts every play written before it. */
  readonly generated_at: Date;
  /** Distinct eligible plays in the window and region: the reconciliation figure. */
  readonly eligible_plays: number;
  readonly entries: readonly ChartEntry[];
}

const HOUR_MS = 60 * 60 * 1000;
const DAY_MS = 24 * HOUR_MS;
const periodLength = (period: Period) => (period === 'hour' ? HOUR_MS : DAY_MS);

/** The window of `period` that contains `instant`. */
export function windowContaining(period: Period, instant: Date): ChartWindow {
  const length = periodLength(period);
  const start = Math.floor(instant.getTime() / length) * length;
  return { period, start: new Date(start), end: new Date(start + length) };
}

export function isWindowStart(period: Period, instant: Date): boolean {
  return instant.getTime() % periodLength(period) === 0;
}

/** The window starting exactly at `start`; throws if `start` is not on a window boundary. */
export function windowStartingAt(period: Period, start: Date): ChartWindow {
  if (!isWindowStart(period, start)) {
    throw new RangeError(
      `${start.toISOString()} is not the start of a UTC ${period}; expected e.g. ${windowContaining(period, start).start.toISOString()}`,
    );
  }
  return windowContaining(period, start);
}

export function previousWindow(window: ChartWindow): ChartWindow {
  return windowContaining(window.period, new Date(window.start.getTime() - 1));
}

/** The `count` windows of `period` up to and including the one that contains `now`, as one span. */
export function recentWindows(period: Period, count: number, now: Date): { start: Date; end: Date } {
  const latest = windowContaining(period, now);
  return { start: new Date(latest.start.getTime() - (count - 1) * periodLength(period)), end: latest.end };
}

/** The status of a chart computed from the lake as it was at `asOf`. */
export function statusAt(window: ChartWindow, asOf: Date): ChartStatus {
  if (asOf.getTime() < window.end.getTime()) return 'provisional';
  return asOf.getTime() < window.end.getTime() + LATE_PLAY_GRACE_MS ? 'closing' : 'final';
}

/**
 * The chart rules applied to one region's plays of a window: what a chart engine returns. With `genre`, the
 * chart of that genre's plays only (a play's genre is its song's in the catalog; a song it does not know is in
 * no genre chart).
 */
export interface RegionTally {
  readonly region: string;
  readonly genre?: string;
  readonly eligible_plays: number;
  readonly entries: readonly ChartEntry[];
}
