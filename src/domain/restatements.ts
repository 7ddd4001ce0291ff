/**
 * Restatement marks: how a writer tells the chart jobs that a closed window received new plays
 * (docs/contracts.md, "Data lake layout"; docs/decisions.md, "Late data restates by itself").
 *
 *   restatements/hour/<YYYY-MM-DDTHH>/<plays file name>
 *   restatements/day/<YYYY-MM-DD>/<HH>-<plays file name>
 *
 * One mark per plays file written late, so a mark is written idempotently (a retried write of the same file
 * writes the same mark) and a chart run clears exactly the marks it listed before it read the window's files:
 * a mark written while the run was computing stays for the next run, never lost.
 */
import { type ChartWindow, LATE_PLAY_GRACE_MS, type Period, windowContaining } from './charts.ts';

export const RESTATEMENTS_PREFIX = 'restatements/';

/**
 * A writer marks a window from this long before its end plus the grace on: the overlap covers a writer whose
 * clock is behind the chart job's by up to a minute (a mark for a window still closing costs one recompute
 * that the schedule makes anyway).
 */
export const WRITER_CLOCK_ALLOWANCE_MS = 60_000;

/**
 * At most this many windows are recomputed for marks (or finished after a missed run) in one scheduled run, so
 * that a flood of late data cannot stall the schedule; the rest wait for the next runs, oldest first. A day
 * reads 24 times the files of an hour.
 */
export const RESTATEMENTS_PER_RUN: Readonly<Record<Period, number>> = { hour: 24, day: 3 };

/** Whether a play written into `window` at `now` (the writer's clock) must mark the window for restatement. */
export function closedToWriters(window: ChartWindow, now: Date): boolean {
  return now.getTime() >= window.end.getTime() + LATE_PLAY_GRACE_MS - WRITER_CLOCK_ALLOWANCE_MS;
}

export function restatementsPrefix(period: Period): string {
  return `${RESTATEMENTS_PREFIX}${period}/`;
}

/** `2026-11-27T13` for an hour, `2026-11-27` for a day: no `:`, which Hadoop paths (the Spark job) refuse. */
function windowName(period: Period, start: Date): string {
  return period === 'hour' ? start.toISOString().slice(0, 13) : start.toISOString().slice(0, 10);
}

/** The prefix holding the marks of one window. */
export function windowMarksPrefix(window: ChartWindow): string {
  return `${restatementsPrefix(window.period)}${windowName(window.period, window.start)}/`;
}

/** The base name of a plays file key, without its folder and extension. */
function fileStem(playsKey: string): string {
  return playsKey.slice(playsKey.lastIndexOf('/') + 1).replace(/\.parquet$/, '');
}

/**
 * The marks a plays file of the hour starting at `hourStart`, made durable by `now`, needs: its hour's and its
 * day's, each when that window is closed to writers.
 */
export function restatementMarkKeys(hourStart: Date, playsKey: string, now: Date): string[] {
  const hour = windowContaining('hour', hourStart);
  const day = windowContaining('day', hourStart);
  const stem = fileStem(playsKey);
  return [
    ...(closedToWriters(hour, now) ? [`${windowMarksPrefix(hour)}${stem}`] : []),
    ...(closedToWriters(day, now)
      ? [`${windowMarksPrefix(day)}${String(hourStart.getUTCHours()).padStart(2, '0')}-${stem}`]
      : []),
  ];
}

// A name starting with a dot is not a mark (a local file system's checksum beside one, say).
const MARK_KEY = /^restatements\/(hour|day)\/(\d{4}-\d{2}-\d{2})(?:T(\d{2}))?\/[^/.][^/]*$/;

/** The window a mark key names, or undefined for a key that is not a mark of `period`. */
export function markedWindow(period: Period, key: string): ChartWindow | undefined {
  const match = MARK_KEY.exec(key);
  if (!match || match[1] !== period || (period === 'hour') !== (match[3] !== undefined)) return undefined;
  const start = new Date(`${match[2]}T${match[3] ?? '00'}:00:00.000Z`);
  return Number.isNaN(start.getTime()) ? undefined : windowContaining(period, start);
}

/** What a mark holds: for people reading the lake; the chart jobs only need its key. */
export function markBody(playsKey: string, now: Date): Uint8Array {
  return new TextEncoder().encode(
    `${JSON.stringify({ plays_file: playsKey, marked_at: now.toISOString() })}\n`,
  );
}
