/** What one ingest request adds to the pipeline's counts (GET /v1/pipeline), and storing it. */
import {
  countedHour,
  countedRegion,
  type HourCount,
  type RejectionCount,
  sumCounts,
} from '../domain/pipeline-counts.ts';
import type { PlayEvent } from '../domain/play-event.ts';
import type { PipelineCountStore } from '../ports/pipeline-counts.ts';

export interface IngestCountPorts {
  readonly counts: Pick<PipelineCountStore, 'addIngest'>;
  readonly countsLost: (error: unknown) => void;
}

/**
 * Accepted deliveries by the hour of `played_at` and region; an event sent twice counts twice. A validated
 * event's `played_at` is what `toISOString` writes (play-event.ts), so its first 13 characters name its UTC
 * hour: no date is parsed or formatted per event (this ran once per event of every request, a quarter of
 * ingest's own CPU; docs/benchmarks.md, "Ingest, second pass").
 */
export function deliveryCounts(accepted: readonly PlayEvent[]): HourCount[] {
  const sums = new Map<string, number>();
  for (const event of accepted) {
    const key = `${event.played_at.slice(0, HOUR_PREFIX)}${event.region}`;
    sums.set(key, (sums.get(key) ?? 0) + 1);
  }
  return Array.from(sums, ([key, count]) => ({
    hour: new Date(`${key.slice(0, HOUR_PREFIX)}:00:00.000Z`),
    region: key.slice(HOUR_PREFIX),
    count,
  }));
}

/** `YYYY-MM-DDTHH`: the hour of a timestamp in toISOString's form. */
const HOUR_PREFIX = 13;

/** Rejected events by hour, region and reason, each as far as the event can be read (pipeline-counts.ts). */
export function rejectionCounts(
  rejected: readonly { readonly event: unknown; readonly reason: string }[],
  regions: readonly string[],
  now: Date,
): RejectionCount[] {
  const counts = rejected.map(({ event, reason }) => {
    const fields = (event !== null && typeof event === 'object' ? event : {}) as Record<string, unknown>;
    return {
      hour: countedHour(fields.played_at, now),
      region: countedRegion(fields.region, regions),
      reason,
      count: 1,
    };
  });
  return sumCounts(counts, (count) => count.reason);
}

/** The counts are bookkeeping: a failure to store them never changes the answer (countsLost says so). */
export async function countIngest(
  accepted: readonly HourCount[],
  rejected: readonly RejectionCount[],
  ports: IngestCountPorts,
): Promise<void> {
  try {
    await ports.counts.addIngest(accepted, rejected);
  } catch (error) {
    ports.countsLost(error);
  }
}
