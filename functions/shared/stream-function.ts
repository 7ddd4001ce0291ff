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
import { createFunctionLogger } from '../../src/wiring/logger.ts';

/**
 * A handler of Kafka (MSK, self-managed) and Kinesis event source batches around one use case: it gets the
 * batch as neutral records and returns the first record of each partition it could not process, which
 * becomes the source's partial batch response (src/adapters/event-sources).
 */
export function streamFunction(
  process: (records: readonly ConsumedRecord[], logger: Logger) => Promise<readonly RecordFailure[]>,
) {
  const logger = createFunctionLogger();
  return middy<StreamEvent, BatchResponse>()
    .use(injectLambdaContext(logger))
    .use(parser({ schema: StreamEventSchema }))
    .handler(async (event) => {
      const batch = streamBatch(event);
      return batch.response(await process(batch.records, logger));
    });
}
