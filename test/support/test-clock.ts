import { LATE_PLAY_GRACE_MS } from '../../src/domain/charts.ts';
import type { Clock } from '../../src/ports/clock.ts';

/**
 * The real clock, held at least past the late-play grace of windows ending at `end`: a test that charts a window
 * it calls closed (yesterday, the hour before the current one) sees it `final` even when it runs within the
 * minutes after that window's end, when the real clock would make it `closing`.
 */
export function clockPastGraceOf(end: () => Date): Clock {
  return () => new Date(Math.max(Date.now(), end().getTime() + LATE_PLAY_GRACE_MS));
}
