/**
 * The live chart's rules (docs/contracts.md, "Live charts"): which windows a consumed play is tallied in, and
 * what it takes to count exactly as the chart computed from the lake does.
 */
import {
  type ChartWindow,
  type EntrySemantics,
  LATE_PLAY_GRACE_MS,
  MIN_MS_PLAYED,
  type Movement,
  type Period,
  periods,
  windowContaining,
} from './charts.ts';
import type { LakePlayRow } from './lake-row.ts';

/**
 * One delivery of a play as one window's tally sees it. The chart query keeps, per window, each event_id's first
 * delivery in source order (topic, partition, offset: src/adapters/duckdb/chart-query.ts) and counts it when it
 * lasted 30 s: so the tally keeps, per window and event_id, the delivery with the least (partition, offset),
 * replacing the one it kept when a lesser one arrives later (another partition read later), and counts the kept
 * delivery only. The topic is one (the plays topic), so it does not order anything here.
 */
export interface LiveDelivery {
  readonly period: Period;
  readonly window_start: Date;
  readonly event_id: string;
  readonly partition: number;
  readonly offset: number;
  readonly region: string;
  readonly song_id: string;
  readonly played_at: Date;
  /** It lasted at least MIN_MS_PLAYED: the kept delivery of its event_id counts if this is true. */
  readonly counted: boolean;
}

/**
 * Whether a window still takes live tallies at `now`: until its chart is final (its end plus the late-play grace).
 * A final window's chart is served from the lake only, so plays for it (late ones) are left to the chart jobs'
 * restatements, and its tallies can be dropped.
 */
export function isLiveWindow(window: ChartWindow, now: Date): boolean {
  return now.getTime() < window.end.getTime() + LATE_PLAY_GRACE_MS;
}

/** The deliveries of a lake row in every window (its hour, its day) still live at `now`. */
export function liveDeliveriesOf(row: LakePlayRow, now: Date): LiveDelivery[] {
  const playedAt = new Date(row.played_at);
  return periods.flatMap((period) => {
    const window = windowContaining(period, playedAt);
    if (!isLiveWindow(window, now)) return [];
    return [
      {
        period,
        window_start: window.start,
        event_id: row.event_id,
        partition: row.source_partition,
        offset: row.source_offset,
        region: row.region,
        song_id: row.song_id,
        played_at: playedAt,
        counted: row.ms_played >= MIN_MS_PLAYED,
      },
    ];
  });
}

/**
 * An entry's semantics in a live chart, from its stored history before the window: what refresh_chart_semantics
 * (migration 003) derives for a stored entry, with the live rank standing for the window's.
 */
export function liveEntrySemantics(
  rank: number,
  history: {
    readonly previous_rank: number | null;
    readonly best_rank_before: number | null;
    readonly periods_before: number;
  },
): EntrySemantics {
  const { previous_rank } = history;
  const movement: Movement =
    previous_rank === null
      ? history.periods_before > 0
        ? 're-entry'
        : 'new'
      : previous_rank > rank
        ? 'up'
        : previous_rank < rank
          ? 'down'
          : 'same';
  return {
    previous_rank,
    movement,
    peak_rank: Math.min(rank, history.best_rank_before ?? rank),
    periods_on_chart: history.periods_before + 1,
  };
}
