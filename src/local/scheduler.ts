import { logger } from '../runtime/logger.ts';
import type { FunctionName, ScheduleTrigger } from '../topology.ts';
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

  /** Runs the jobs that run at startup, one after another in topology order, then starts the timers. */
  async start(jobs: readonly ScheduledJob[]): Promise<void> {
    for (const job of jobs) if (job.trigger.runAtStartup) await this.fire(job);
    for (const job of jobs) {
      this.timers.push(setInterval(() => void this.fire(job), job.trigger.everyMinutes * 60_000));
    }
  }

  async stop(): Promise<void> {
    for (const timer of this.timers) clearInterval(timer);
    await Promise.allSettled(this.inFlight);
  }

  private async fire(job: ScheduledJob): Promise<void> {
    if (this.busy.has(job.functionName)) return;
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
