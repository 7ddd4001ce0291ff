import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { parser } from '@aws-lambda-powertools/parser/middleware';
import {
  KafkaMskEventSchema,
  KafkaSelfManagedEventSchema,
} from '@aws-lambda-powertools/parser/schemas/kafka';
import middy from '@middy/core';
import { z } from 'zod';
import { encodePlaysParquet } from '../../src/adapters/duckdb/plays-parquet.ts';
import { dependencies } from '../../src/runtime/dependencies.ts';
import { createFunctionLogger } from '../../src/runtime/logger.ts';
import { type BatchItemFailure, writePlaysToLake } from '../../src/use-cases/write-plays-to-lake.ts';

const KafkaEventSchema = z.union([KafkaMskEventSchema, KafkaSelfManagedEventSchema]);

const logger = createFunctionLogger();

export const handler = middy<
  z.infer<typeof KafkaEventSchema>,
  { batchItemFailures: readonly BatchItemFailure[] }
>()
  .use(injectLambdaContext(logger))
  .use(parser({ schema: KafkaEventSchema }))
  .handler(async (event) => {
    const deps = dependencies();
    const summary = await writePlaysToLake(Object.values(event.records).flat(), {
      lake: deps.lake(),
      regions: deps.settings.regions,
      writer: 'lake-writer',
      encodePlays: encodePlaysParquet,
    });
    for (const error of summary.errors) logger.error('could not write a partition of the batch', error);
    logger.info('batch written', {
      written: summary.written,
      rejected: summary.rejected,
      files: summary.files.length,
    });
    return { batchItemFailures: summary.batchItemFailures };
  });
