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

/** Accepted deliveries by the hour of `played_at` and region; an event sent twice counts twice. */
export function deliveryCounts(accepted: readonly PlayEvent[], now: Date): HourCount[] {
  const deliveries = accepted.map((event) => ({
    hour: countedHour(event.played_at, now),
    region: event.region,
    count: 1,
  }));
  return sumCounts(deliveries, () => '');
}

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
