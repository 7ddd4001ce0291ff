import type { JobDeclaration } from '../../local/job-process.ts';
import type { Metrics } from '../../src/ports/metrics.ts';

/** A handler of test/fixtures (a folder and a file), declared as a topology function would be. */
export const fixtureFunction = (
  name: JobDeclaration['name'],
  path: string,
  timeoutSeconds = 30,
): JobDeclaration => ({ name, entry: `test/fixtures/${path}`, timeoutSeconds });

/** Metrics that record each call, to compare with what a handler counted in its own process or thread. */
export function recordingMetrics(): { metrics: Metrics; calls: unknown[][] } {
  const calls: unknown[][] = [];
  const metrics = {
    count: (...args: unknown[]) => calls.push(['count', ...args]),
    observe: (...args: unknown[]) => calls.push(['observe', ...args]),
    flush: () => {},
  } as unknown as Metrics;
  return { metrics, calls };
}
