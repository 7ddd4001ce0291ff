import type { Chart, ChartWindow, Period } from '../domain/charts.ts';
import type { Song } from '../domain/song.ts';
import { UnavailableError } from './unavailable.ts';

/** A chart as served: entries carry the song's master data when the catalog knows the song. */
export interface ServedChartEntry {
  readonly rank: number;
  readonly song_id: string;
  readonly title: string | null;
  readonly artist: string | null;
  readonly genre: string | null;
  readonly plays: number;
}

export interface ServedChart extends Omit<Chart, 'entries'> {
  readonly entries: readonly ServedChartEntry[];
}

/** Where charts and the catalog copy that enriches them are kept (PostgreSQL). */
export interface ChartStore {
  /** Replaces every chart of the window with these, in one transaction. */
  replaceWindow(window: ChartWindow, charts: readonly Chart[]): Promise<void>;
  /** When the window's charts were last computed and whether they were final then. */
  windowState(window: ChartWindow): Promise<{ status: Chart['status']; generatedAt: Date } | undefined>;
  /** The chart of that window, or the latest one when `windowStart` is omitted. */
  findChart(region: string, period: Period, windowStart?: Date): Promise<ServedChart | undefined>;
  /** Inserts new songs and updates changed ones; returns how many rows changed. */
  upsertSongs(songs: readonly Song[]): Promise<number>;
}

/**
 * Thrown when the store cannot be reached right now (the server down or restarting, connections refused or
 * cut, no answer in time): the API maps it to 503 with Retry-After, a job fails with it and the next run
 * does the work. Any other error is a bug or a misconfiguration, and stays one.
 */
export class StoreUnavailableError extends UnavailableError {
  override name = 'StoreUnavailableError';
}
