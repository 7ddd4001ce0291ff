import { encodePlaysWithHyparquet } from '../../src/adapters/parquet/plays-hyparquet.ts';
import { writePlaysToLake } from '../../src/use-cases/write-plays-to-lake.ts';
import { dependencies } from '../../src/wiring/dependencies.ts';
import { streamFunction } from '../shared/stream-function.ts';

export const handler = streamFunction('lake-writer', async (records, logger) => {
  const deps = dependencies();
  const summary = await writePlaysToLake(records, {
    lake: deps.lake(),
    regions: deps.settings.regions,
    writer: 'lake-writer',
    encodePlays: encodePlaysWithHyparquet,
    metrics: deps.metrics,
  });
  for (const { topic, partition, offset, reason } of summary.failures) {
    logger.error('could not write a partition of the batch', {
      partition: `${topic}-${partition}`,
      offset,
      reason,
    });
  }
  logger.info('batch written', {
    written: summary.written,
    rejected: summary.rejected,
    files: summary.files.length,
  });
  return summary.failures;
});
