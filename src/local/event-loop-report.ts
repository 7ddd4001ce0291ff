import { monitorEventLoopDelay } from 'node:perf_hooks';

/** The line's prefix; the rest is JSON: `{"p50_ms", "p99_ms", "max_ms", "mean_ms"}` over the last interval. */
export const EVENT_LOOP_REPORT_PREFIX = 'event-loop-delay ';

/**
 * Writes how late the event loop ran its timers (Node's `monitorEventLoopDelay` histogram) every
 * `intervalSeconds`, then starts a fresh histogram: a stalled loop delays every request and poll of the
 * process. Turned on by TOP_SONGS_EVENT_LOOP_REPORT_SECONDS; returns the function that stops it.
 */
export function startEventLoopReport(intervalSeconds: number, write: (line: string) => void): () => void {
  const resolutionMs = 10;
  const histogram = monitorEventLoopDelay({ resolution: resolutionMs });
  histogram.enable();
  // The histogram holds the time between its timer's runs: the delay is what exceeds the timer's period.
  const ms = (nanoseconds: number) =>
    Math.max(0, Math.round(nanoseconds / 10_000 - resolutionMs * 100) / 100);
  const timer = setInterval(() => {
    const report = {
      p50_ms: ms(histogram.percentile(50)),
      p99_ms: ms(histogram.percentile(99)),
      max_ms: ms(histogram.max),
      mean_ms: ms(histogram.mean),
    };
    histogram.reset();
    write(`${EVENT_LOOP_REPORT_PREFIX}${JSON.stringify(report)}\n`);
  }, intervalSeconds * 1000);
  timer.unref();
  return () => {
    clearInterval(timer);
    histogram.disable();
  };
}
