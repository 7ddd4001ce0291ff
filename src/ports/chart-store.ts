import type {
  Chart,
  ChartStatus,
  ChartWindow,
  EntrySemantics,
  GenreChart,
  Period,
} from '../domain/charts.ts';
import type { Song } from '../domain/song.ts';
import { UnavailableError } from './unavailable.ts';

/** The catalog's data of a song, null where the catalog does not know it (yet). */
export interface SongDetails {
  readonly song_id: string;
  readonly title: string | null;
  readonly artist: string | null;
  readonly genre: string | null;
}

/** A chart as served: entries carry the song's master data when the catalog knows the song, and its semantics. */
export interface ServedChartEntry extends SongDetails, EntrySemantics {
  readonly rank: number;
  readonly plays: number;
}

/** How often a chart was restated: the store keeps it across replacements of the window. */
export interface ChartRevision {
  /** 1, then one more each time the chart changed after it was final (a restatement). */
  readonly version: number;
  /** The `generated_at` of its latest restatement; null while it was never restated. */
  readonly restated_at: Date | null;
}

export interface ServedChart extends Omit<Chart, 'entries'>, ChartRevision {
  /** The genre, for a genre's chart: the window's chart of the region, counting that genre's plays only. */
  readonly genre?: string;
  readonly entries: readonly ServedChartEntry[];
}

/** A window that has a chart, without its entries: what a history picker lists. */
export type ChartSummary = Omit<Chart, 'entries' | 'region' | 'period'> & ChartRevision;

/** What replacing a window's charts did. */
export interface WindowReplacement {
  /**
   * False when the window's charts were already read from the lake as of a later instant (a concurrent run got
   * there first): they count every play these do, so they were kept.
   */
  readonly stored: boolean;
  /** The regions whose final chart changed, each now one version on. */
  readonly restated: readonly string[];
}

/** One window in which a song was in a region's top 10. */
export interface SongChartEntry {
  readonly region: string;
  readonly window_start: Date;
  readonly window_end: Date;
  readonly status: ChartStatus;
  readonly rank: number;
  readonly plays: number;
}

export interface SongHistory {
  readonly song: SongDetails;
  /** Ordered by region, then window. */
  readonly entries: readonly SongChartEntry[];
}

export interface SongHistoryQuery {
  readonly songId: string;
  readonly period: Period;
  /** Windows starting at or after this instant. */
  readonly since: Date;
  /** One region; all of them (global included) when absent. */
  readonly region?: string | undefined;
}

/** Where charts and the catalog copy that enriches them are kept (PostgreSQL). */
export interface ChartStore {
  /**
   * Replaces every chart of the window with these, in one transaction, with the entries' semantics derived from
   * the period's history, and those of later windows that depend on this one derived anew. A chart that was
   * final and changes is restated: its version goes one up and `restated_at` becomes its `generated_at`; the same
   * chart computed again keeps its version. Charts generated as of a later instant than these are kept. The
   * window's genre charts (of its regions' charts) are replaced with `genreCharts` along with them.
   */
  replaceWindow(
    window: ChartWindow,
    charts: readonly Chart[],
    genreCharts?: readonly GenreChart[],
  ): Promise<WindowReplacement>;
  /** When the window's charts were last computed and whether they were final then. */
  windowState(window: ChartWindow): Promise<{ status: Chart['status']; generatedAt: Date } | undefined>;
  /**
   * Windows of the period whose charts are not final although they ended by `endedBy` (a run was missed while
   * they were closing), oldest first, at most `limit`.
   */
  unfinishedWindows(period: Period, endedBy: Date, limit: number): Promise<ChartWindow[]>;
  /**
   * The chart of that window, or the latest one when `windowStart` is omitted; with `genre`, that window's chart
   * of the genre (empty when it had no plays of it).
   */
  findChart(
    region: string,
    period: Period,
    windowStart?: Date,
    genre?: string,
  ): Promise<ServedChart | undefined>;
  /** The windows of a region and period that have a chart, newest first, starting before `before` if given. */
  listWindows(
    region: string,
    period: Period,
    page: { readonly before?: Date | undefined; readonly limit: number },
  ): Promise<ChartSummary[]>;
  /** A song's catalog data and chart entries, or undefined when neither the catalog nor any chart has it. */
  findSongHistory(query: SongHistoryQuery): Promise<SongHistory | undefined>;
  /** Inserts new songs and updates changed ones; returns how many rows changed. */
  upsertSongs(songs: readonly Song[]): Promise<number>;
  /**
   * A token of everything the charts are read from, committed: it changes, in the same transaction, with every
   * replacement of a window and every change of songs, whichever process wrote it. Read before a chart, it tells
   * later whether that chart can still be served as it was read.
   */
  revision(): Promise<string>;
}

/**
 * Thrown when the store cannot be reached right now (the server down or restarting, connections refused or
 * cut, no answer in time): the API maps it to 503 with Retry-After, a job fails with it and the next run
 * does the work. Any other error is a bug or a misconfiguration, and stays one.
 */
export class StoreUnavailableError extends UnavailableError {
  override name = 'StoreUnavailableError';
}
