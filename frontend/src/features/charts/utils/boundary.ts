import { shiftWindow, windowLength } from '../../../utils/windows';
import type { Chart } from '../api/schemas';

/**
 * For how much of a window, after it opens, its live chart is too young to stand alone (15 minutes of an hour,
 * 6 hours of a day): until then the default view shows the chart that just became final above it.
 */
const BOUNDARY_SHARE = 0.25;

/**
 * The start of the window that just closed, when `latest` is a live chart at the start of its window (as seen at
 * `now`); otherwise null. A clock a little behind the server's counts as the very start of the window.
 */
export function justClosedWindow(latest: Chart, now: Date): string | null {
  if (latest.status !== 'provisional') return null;
  const elapsed = now.getTime() - Date.parse(latest.window_start);
  if (elapsed >= BOUNDARY_SHARE * windowLength(latest.period)) return null;
  return shiftWindow(latest.period, latest.window_start, -1);
}
