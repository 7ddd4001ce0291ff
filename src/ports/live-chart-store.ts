import type { Period } from '../domain/charts.ts';
import type { LiveDelivery } from '../domain/live-chart.ts';
import type { SongDetails } from './chart-store.ts';

/** A song of a live tally, with the catalog's details and its stored history before the window (its semantics). */
export interface LiveTallySong extends SongDetails {
  readonly plays: number;
  /** Its rank in the stored chart of the window just before, or null when it was not in it. */
  readonly previous_rank: number | null;
  /** Its best rank in the stored charts of this region and period before the window; null: never charted. */
  readonly best_rank_before: number | null;
  /** How many stored charts of this region and period before the window it was in. */
  readonly periods_before: number;
}

/** A window's live tally of one region (or global): its eligible plays so far and its top songs. */
export interface LiveTally {
  readonly region: string;
  readonly period: Period;
  readonly windowStart: Date;
  /** The instant the live-chart function last committed a batch: it counts every play it had read by then. */
  readonly asOf: Date;
  /**
   * The newest `played_at` tallied in the window (any region): how far the tallies have got through the plays. A
   * function that has fallen behind commits batches of older plays, so `asOf` stays recent while this lags.
   */
  readonly newestPlayAt: Date;
  readonly eligiblePlays: number;
  /** The top songs, most plays first, then song_id in code-point order (the chart's order), at most `limit`. */
  readonly songs: readonly LiveTallySong[];
}

/**
 * Where the live chart's running tallies are kept (PostgreSQL): added to by the live-chart function, read by the
 * charts and pipeline APIs. Unreachable: StoreUnavailableError.
 */
export interface LiveChartStore {
  /**
   * Adds a batch of deliveries in one transaction: each (window, event_id) keeps its least delivery (partition,
   * offset) and the tallies change by what that changed, so adding the same deliveries again changes nothing.
   * Also drops, a bounded slice at a time, the tallies of windows no longer live at `now`. Returns how many
   * deliveries changed a kept delivery (new event_ids, or lesser deliveries of known ones).
   */
  addDeliveries(deliveries: readonly LiveDelivery[], now: Date): Promise<number>;
  /** The live tally of the window and region, or undefined when the window has none (no play tallied in it). */
  liveTally(region: string, period: Period, windowStart: Date, limit: number): Promise<LiveTally | undefined>;
  /** The newest `played_at` tallied in any window, for the pipeline's lag. */
  newestLivePlay(): Promise<Date | undefined>;
}
