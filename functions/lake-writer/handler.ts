import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { parser } from '@aws-lambda-powertools/parser/middleware';
import {
  KafkaMskEventSchema,
  KafkaSelfManagedEventSchema,
} from '@aws-lambda-powertools/parser/schemas/kafka';
import {
  KinesisDataStreamRecord,
  KinesisDataStreamRecordPayload,
  KinesisDataStreamSchema,
} from '@aws-lambda-powertools/parser/schemas/kinesis';
import middy from '@middy/core';
import { z } from 'zod';
import { encodePlaysParquet } from '../../src/adapters/duckdb/plays-parquet.ts';
import { sequenceNumberOffset } from '../../src/domain/lake-layout.ts';
import { dependencies } from '../../src/runtime/dependencies.ts';
import { createFunctionLogger } from '../../src/runtime/logger.ts';
import {
  type BatchItemFailure,
  type ConsumedRecord,
  writePlaysToLake,
} from '../../src/use-cases/write-plays-to-lake.ts';

/**
 * Powertools' Kinesis stream schema, with each record's data kept as the base64 the event carries: the
 * stock schema decodes it and parses JSON, but the lake-writer judges (and keeps, when rejected) the
 * exact bytes itself.
 */
const KinesisEventSchema = KinesisDataStreamSchema.extend({
  Records: z
    .array(
      KinesisDataStreamRecord.extend({
        kinesis: KinesisDataStreamRecordPayload.extend({ data: z.string() }),
      }),
    )
    .min(1),
});

const EventSchema = z.union([KafkaMskEventSchema, KafkaSelfManagedEventSchema, KinesisEventSchema]);
type KinesisEvent = z.infer<typeof KinesisEventSchema>;

/** Kafka event sources name a failed record by partition and offset, Kinesis by sequence number. */
type Response = { batchItemFailures: readonly BatchItemFailure[] | readonly { itemIdentifier: string }[] };

const logger = createFunctionLogger();

/**
 * A Kinesis batch as the use case's records: topic = the stream's name (from the record's ARN),
 * partition = the shard's index (from eventID `shardId-000000000001:<sequence number>`), offset = a
 * 53-bit fingerprint of the sequence number (what `source_offset` can hold), and the sequence number
 * itself, which orders the records and names the files: a retried batch, which the event source
 * restarts from the first failed sequence number, writes the same file names again.
 */
function kinesisRecords(event: KinesisEvent): ConsumedRecord[] {
  return event.Records.map((record) => {
    const shardId = record.eventID.split(':')[0] ?? '';
    const partition = Number(/(\d+)$/.exec(shardId)?.[1]);
    if (!Number.isSafeInteger(partition)) throw new Error(`No shard index in eventID ${record.eventID}`);
    const { sequenceNumber } = record.kinesis;
    return {
      topic: record.eventSourceARN.split(':stream/')[1] ?? record.eventSourceARN,
      partition,
      offset: sequenceNumberOffset(sequenceNumber),
      sequenceNumber,
      timestamp: Math.round(record.kinesis.approximateArrivalTimestamp * 1000),
      value: Buffer.from(record.kinesis.data, 'base64').toString('utf8'),
    };
  });
}

export const handler = middy<z.infer<typeof EventSchema>, Response>()
  .use(injectLambdaContext(logger))
  .use(parser({ schema: EventSchema }))
  .handler(async (event) => {
    const deps = dependencies();
    const fromKinesis = 'Records' in event ? kinesisRecords(event) : undefined;
    const records: readonly ConsumedRecord[] =
      fromKinesis ?? ('records' in event ? Object.values(event.records).flat() : []);
    const summary = await writePlaysToLake(records, {
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
    if (!fromKinesis) return { batchItemFailures: summary.batchItemFailures };
    // The use case names the first record of each failed shard by `<topic>-<partition>` and offset.
    const sequenceNumberOf = new Map(
      fromKinesis.map((record) => [
        `${record.topic}-${record.partition}@${record.offset}`,
        record.sequenceNumber!,
      ]),
    );
    return {
      batchItemFailures: summary.batchItemFailures.map(({ itemIdentifier }) => ({
        itemIdentifier: sequenceNumberOf.get(`${itemIdentifier.partition}@${itemIdentifier.offset}`)!,
      })),
    };
  });
