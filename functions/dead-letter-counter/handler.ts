import { countDeadLetters } from '../../src/use-cases/count-dead-letters.ts';
import { dependencies } from '../../src/wiring/dependencies.ts';
import { openedOnUse } from '../../src/wiring/opened-on-use.ts';
import { streamFunction } from '../shared/stream-function.ts';

export const handler = streamFunction('dead-letter-counter', async (records, logger) => {
  const deps = dependencies();
  const { added, failures } = await countDeadLetters(records, {
    counts: openedOnUse(deps.pipelineCounts, ['addDeadLetters']),
    regions: deps.settings.regions,
  });
  for (const { topic, partition, offset, reason } of failures) {
    logger.warn('dead letters not counted yet; retried', {
      partition: `${topic}-${partition}`,
      offset,
      reason,
    });
  }
  logger.info('dead letters counted', { records: records.length, new: added });
  return failures;
});
