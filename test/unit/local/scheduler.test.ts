import { afterEach, describe, expect, it, vi } from 'vitest';
import { Scheduler } from '../../../local/scheduler.ts';
import type { FunctionName } from '../../../src/topology.ts';

afterEach(() => {
  vi.useRealTimers();
});

/** A job that records the time of each run, by the fake clock. */
function recordingJob(functionName: FunctionName, everyMinutes: number, runAtStartup: boolean) {
  const runs: number[] = [];
  const events: unknown[] = [];
  return {
    runs,
    events,
    job: {
      functionName,
      trigger: { kind: 'schedule' as const, everyMinutes, runAtStartup },
      invoke: async (event: unknown) => {
        runs.push(Date.now());
        events.push(event);
      },
    },
  };
}

describe('the local scheduler', () => {
  it('runs startup jobs at once and again after the warm-up, then every period; others only every period', async () => {
    vi.useFakeTimers({ now: 0 });
    const charts = recordingJob('chart-hourly', 1, true);
    const catalog = recordingJob('catalog-sync', 5, false);
    const scheduler = new Scheduler({ warmUpMs: 15_000 });
    await scheduler.start([charts.job, catalog.job]);
    expect(charts.runs).toEqual([0]);

    await vi.advanceTimersByTimeAsync(5 * 60_000);
    expect(charts.runs).toEqual([0, 15_000, 60_000, 120_000, 180_000, 240_000, 300_000]);
    expect(catalog.runs).toEqual([300_000]);
    expect(charts.events[0]).toMatchObject({ source: 'aws.events', 'detail-type': 'Scheduled Event' });
    await scheduler.stop();

    await vi.advanceTimersByTimeAsync(10 * 60_000);
    expect(charts.runs).toHaveLength(7);
  });

  it('skips a tick while the previous run of the same job is still going', async () => {
    vi.useFakeTimers({ now: 0 });
    let finish: () => void = () => {};
    let started = 0;
    const scheduler = new Scheduler({ warmUpMs: 15_000 });
    await scheduler.start([
      {
        functionName: 'chart-daily',
        trigger: { kind: 'schedule', everyMinutes: 1, runAtStartup: false },
        invoke: () => {
          started += 1;
          return new Promise<void>((resolve) => {
            finish = resolve;
          });
        },
      },
    ]);
    await vi.advanceTimersByTimeAsync(3 * 60_000);
    expect(started).toBe(1);
    finish();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(started).toBe(2);
    finish();
    await scheduler.stop();
  });
});
