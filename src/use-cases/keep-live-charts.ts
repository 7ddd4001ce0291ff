import { type ConsumedRecord, type RecordFailure, wholeBatchFailed } from '../domain/consumed-record.ts';
import { type LiveDelivery, liveDeliveriesOf } from '../domain/live-chart.ts';
import type { Clock } from '../ports/clock.ts';
import type { LiveChartStore } from '../ports/live-chart-store.ts';
import { decodePlay } from './write-plays-to-lake.ts';

export interface LiveChartPorts {
  readonly live: Pick<LiveChartStore, 'addDeliveries'>;
  readonly regions: readonly string[];
  readonly clock: Clock;
}

export interface LiveChartSummary {
  /** Deliveries that changed a window's kept delivery: a new event_id there, or a lesser delivery of one. */
  readonly changed: number;
  /** Records the lake-writer rejects too (invalid): in no chart, live or final. */
  readonly invalid: number;
  /** Valid plays of windows already final: left to the chart jobs (restatements). */
  readonly notLive: number;
  readonly failures: readonly RecordFailure[];
}

/**
 * Tallies a batch of the plays topic into the live charts of the windows still open or closing (docs/contracts.md,
 * "Live charts"): each record judged as the lake-writer judges it (same decoding and validation, same clock: the
 * record's own timestamp), in one transaction. The store out of reach fails every partition of the batch from its
 * first record, so the event source delivers it again; a batch tallied already changes nothing.
 */
export async function keepLiveCharts(
  records: readonly ConsumedRecord[],
  ports: LiveChartPorts,
): Promise<LiveChartSummary> {
  const now = ports.clock();
  const deliveries: LiveDelivery[] = [];
  let invalid = 0;
  let notLive = 0;
  for (const record of records) {
    const row = decodePlay(record, ports.regions);
    if ('errors' in row) {
      invalid += 1;
      continue;
    }
    const live = liveDeliveriesOf(row, now);
    if (live.length === 0) notLive += 1;
    deliveries.push(...live);
  }
  try {
    const changed = await ports.live.addDeliveries(deliveries, now);
    return { changed, invalid, notLive, failures: [] };
  } catch (error) {
    const failures = wholeBatchFailed(records, (error as Error).message);
    return { changed: 0, invalid, notLive, failures };
  }
}
