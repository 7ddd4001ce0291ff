import { ingestRequestIds } from '../../src/domain/consumed-record.ts';
import { keepLiveCharts } from '../../src/use-cases/keep-live-charts.ts';
import { dependencies } from '../../src/wiring/dependencies.ts';
import { openedOnUse } from '../../src/wiring/opened-on-use.ts';
import { streamFunction } from '../shared/stream-function.ts';

export const handler = streamFunction('live-chart', async (records, logger) => {
  const deps = dependencies();
  const summary = await keepLiveCharts(records, {
    live: openedOnUse(deps.liveCharts, ['addDeliveries']),
    regions: deps.settings.regions,
    clock: deps.clock,
  });
  for (const { topic, partition, offset, reason } of summary.failures) {
    logger.warn('live tallies not updated; the batch is retried', {
      partition: `${topic}-${partition}`,
      offset,
      reason,
    });
  }
  logger.info('live tallies updated', {
    records: records.length,
    changed: summary.changed,
    invalid: summary.invalid,
    not_live: summary.notLive,
    ingest_request_ids: ingestRequestIds(records),
  });
  return summary.failures;
});
