import type { FunctionName, ScheduleTrigger } from '../src/topology.ts';
import { logger } from '../src/wiring/logger.ts';
import { scheduledEvent } from './lambda-events.ts';

export interface ScheduledJob {
  readonly functionName: FunctionName;
  readonly trigger: ScheduleTrigger;
  readonly invoke: (event: unknown) => Promise<unknown>;
}

/**
 * Fires schedule-triggered functions with EventBridge "Scheduled Event" events, at their rate.
 * A run that is still going when its next tick comes is not overlapped: the tick is skipped.
 */
export class Scheduler {
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly inFlight = new Set<Promise<unknown>>();
  private readonly busy = new Set<FunctionName>();
  private readonly warmUpMs: number;
  private stopped = false;

  /**
   * @param warmUpMs when the startup jobs run a second time: the first run finds a fresh lake empty, and a
   * fresh start should not wait a whole period for charts of its first plays.
   */
  constructor(options: { readonly warmUpMs?: number } = {}) {
    this.warmUpMs = options.warmUpMs ?? 15_000;
  }

  /** Runs the jobs that run at startup, one after another in topology order, then starts the timers. */
  async start(jobs: readonly ScheduledJob[]): Promise<void> {
    const startupJobs = jobs.filter((job) => job.trigger.runAtStartup);
    for (const job of startupJobs) await this.fire(job);
    this.timers.push(
      setTimeout(async () => {
        for (const job of startupJobs) await this.fire(job);
      }, this.warmUpMs),
    );
    for (const job of jobs) {
      this.timers.push(setInterval(() => void this.fire(job), job.trigger.everyMinutes * 60_000));
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const timer of this.timers) clearTimeout(timer);
    await Promise.allSettled(this.inFlight);
  }

  private async fire(job: ScheduledJob): Promise<void> {
    if (this.stopped || this.busy.has(job.functionName)) return;
    this.busy.add(job.functionName);
    const run = job
      .invoke(scheduledEvent(`${job.functionName}-schedule`, new Date()))
      .catch((error: unknown) => logger.error('scheduled run failed', { function: job.functionName, error }))
      .finally(() => {
        this.busy.delete(job.functionName);
        this.inFlight.delete(run);
      });
    this.inFlight.add(run);
    await run;
  }
}
