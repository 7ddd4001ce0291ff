import { describe, expect, it } from 'vitest';
import { waitFor } from '../../../devkit/wait-for.ts';
import { EVENT_LOOP_REPORT_PREFIX, startEventLoopReport } from '../../../local/event-loop-report.ts';

const untilReports = (lines: string[], count: number) =>
  waitFor(`${count} reports`, async () => (lines.length >= count ? true : undefined), 10_000, 20);

describe('the event-loop report', () => {
  it('reports a stall of the loop, then starts afresh', async () => {
    const lines: string[] = [];
    const stop = startEventLoopReport(0.3, (line) => lines.push(line));
    try {
      await untilReports(lines, 1); // the histogram is sampling
      const busyUntil = Date.now() + 200;
      while (Date.now() < busyUntil); // the loop is blocked for 200 ms
      await untilReports(lines, 4);
    } finally {
      stop();
    }
    const reports = lines.map((line) => {
      expect(line.startsWith(EVENT_LOOP_REPORT_PREFIX) && line.endsWith('\n')).toBe(true);
      return JSON.parse(line.slice(EVENT_LOOP_REPORT_PREFIX.length)) as Record<string, number>;
    });
    expect(Object.keys(reports[0]!).sort()).toEqual(['max_ms', 'mean_ms', 'p50_ms', 'p99_ms']);
    // The stall lands in the interval it happened in, or the next (whichever timer runs first after it).
    expect(Math.max(reports[1]!.max_ms!, reports[2]!.max_ms!)).toBeGreaterThanOrEqual(150);
    // An interval without a stall: the histogram was reset.
    expect(reports[3]!.max_ms).toBeLessThan(150);
  });
});
