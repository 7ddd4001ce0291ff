import { encodePlaysWithHyparquet } from '../../src/adapters/parquet/plays-hyparquet.ts';
import { ingestRequestIds } from '../../src/domain/consumed-record.ts';
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
    clock: deps.clock,
  });
  for (const { topic, partition, offset, reason } of summary.failures) {
    logger.error('could not write a partition of the batch', {
      partition: `${topic}-${partition}`,
      offset,
      reason,
      ingest_request_ids: ingestRequestIds(
        records.filter((record) => record.topic === topic && record.partition === partition),
      ),
    });
  }
  logger.info('batch written', {
    written: summary.written,
    rejected: summary.rejected,
    files: summary.files.length,
    // The ingest requests whose events this batch holds: search the logs for one to follow its plays.
    ingest_request_ids: ingestRequestIds(records),
    restatement_marks: summary.marks.length,
  });
  return summary.failures;
});
