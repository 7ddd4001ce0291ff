import { createHistogram } from 'node:perf_hooks';

/** The line's prefix; the rest is JSON: `{"p50_ms", "p99_ms", "max_ms", "mean_ms"}` over the last interval. */
export const EVENT_LOOP_REPORT_PREFIX = 'event-loop-delay ';

const TICK_MS = 10;

/**
 * Writes how late the event loop ran a 10 ms timer, as percentiles of Node's histogram, every
 * `intervalSeconds`, then starts afresh: a stalled loop delays every request and poll of the process. (Not
 * `monitorEventLoopDelay`: its reset() forgets the tick before it, so a stall that begins right after a report
 * would be lost.) Turned on by TOP_SONGS_EVENT_LOOP_REPORT_SECONDS; returns the function that stops it.
 */
export function startEventLoopReport(intervalSeconds: number, write: (line: string) => void): () => void {
  const histogram = createHistogram();
  let last = performance.now();
  const ticker = setInterval(() => {
    const now = performance.now();
    // In nanoseconds, at least 1 (what the histogram records): how much later than 10 ms this tick came.
    histogram.record(Math.max(1, Math.round((now - last - TICK_MS) * 1e6)));
    last = now;
  }, TICK_MS);
  const ms = (nanoseconds: number) => Math.round(nanoseconds / 10_000) / 100;
  const reporter = setInterval(() => {
    const report = {
      p50_ms: ms(histogram.percentile(50)),
      p99_ms: ms(histogram.percentile(99)),
      max_ms: ms(histogram.max),
      mean_ms: ms(histogram.mean),
    };
    histogram.reset();
    write(`${EVENT_LOOP_REPORT_PREFIX}${JSON.stringify(report)}\n`);
  }, intervalSeconds * 1000);
  ticker.unref();
  reporter.unref();
  return () => {
    clearInterval(ticker);
    clearInterval(reporter);
  };
}
