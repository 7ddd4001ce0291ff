import type { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { parser } from '@aws-lambda-powertools/parser/middleware';
import middy from '@middy/core';
import type { BatchResponse } from '../../src/adapters/event-sources/event-source.ts';
import {
  type StreamEvent,
  StreamEventSchema,
  streamBatch,
} from '../../src/adapters/event-sources/stream-events.ts';
import type { ConsumedRecord, RecordFailure } from '../../src/domain/consumed-record.ts';
import type { FunctionName } from '../../src/topology.ts';
import { dependencies } from '../../src/wiring/dependencies.ts';
import { createFunctionLogger } from '../../src/wiring/logger.ts';
import { flushMetrics } from './metrics.ts';

/**
 * A handler of Kafka (MSK, self-managed) and Kinesis event source batches around one use case: it gets the
 * batch as neutral records and returns the first record of each partition it could not process, which
 * becomes the source's partial batch response (src/adapters/event-sources).
 */
export function streamFunction(
  name: FunctionName,
  process: (records: readonly ConsumedRecord[], logger: Logger) => Promise<readonly RecordFailure[]>,
) {
  const logger = createFunctionLogger();
  return middy<StreamEvent, BatchResponse>()
    .use(flushMetrics())
    .use(injectLambdaContext(logger))
    .use(parser({ schema: StreamEventSchema }))
    .handler(async (event) => {
      const batch = streamBatch(event);
      const started = performance.now();
      let outcome = 'failed';
      try {
        const failures = await process(batch.records, logger);
        if (failures.length === 0) outcome = 'ok';
        return batch.response(failures);
      } finally {
        dependencies().metrics.observe('batch_duration_seconds', (performance.now() - started) / 1000, {
          function: name,
          outcome,
        });
      }
    });
}
