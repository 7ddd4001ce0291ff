/**
 * Lambda's Kinesis Data Streams event source: `{Records: [{eventID: "<shardId>:<sequence number>",
 * eventSourceARN, kinesis: {sequenceNumber, partitionKey, data (base64), approximateArrivalTimestamp}}]}`,
 * answered with `{batchItemFailures: [{itemIdentifier: "<sequence number>"}]}`.
 */
import {
  KinesisDataStreamRecord,
  KinesisDataStreamRecordPayload,
  KinesisDataStreamSchema,
} from '@aws-lambda-powertools/parser/schemas/kinesis';
import type { KinesisStreamEvent } from 'aws-lambda';
import { z } from 'zod';
import type { ConsumedRecord } from '../../domain/consumed-record.ts';
import { sequenceNumberOffset } from '../../domain/lake-layout.ts';
import type { LogRecord } from '../../ports/transport.ts';
import { decodeKinesisData, encodeKinesisData } from '../transport/kinesis/envelope.ts';
import { addFailedOffset, type EventSource, localAws, malformedFailure } from './event-source.ts';

/**
 * Powertools' Kinesis stream schema, with each record's data kept as the base64 the event carries: the
 * stock schema decodes it and parses JSON, but the lake-writer judges (and keeps, when rejected) the
 * exact bytes itself.
 */
export const KinesisEventSchema = KinesisDataStreamSchema.extend({
  Records: z
    .array(
      KinesisDataStreamRecord.extend({
        kinesis: KinesisDataStreamRecordPayload.extend({ data: z.string() }),
      }),
    )
    .min(1),
});
export type KinesisEvent = z.infer<typeof KinesisEventSchema>;

export interface KinesisBatchResponse {
  readonly batchItemFailures: readonly { readonly itemIdentifier: string }[];
}

/** `2` → `shardId-000000000002`, the shard ids Kinesis gives a stream's first shards. */
export function shardIdOf(partition: number): string {
  return `shardId-${String(partition).padStart(12, '0')}`;
}

/** `shardId-000000000002` → 2: a shard stands for a partition. */
export function shardIndex(shardId: string): number {
  const index = Number(/(\d+)$/.exec(shardId)?.[1]);
  if (!Number.isSafeInteger(index)) throw new Error(`Cannot read a shard index from "${shardId}"`);
  return index;
}

/** A record's sequence number: Kinesis records carry one; other transports' records go by their offset. */
const sequenceNumberOf = (record: LogRecord) => record.sequenceNumber ?? String(record.offset);

/**
 * A Kinesis event source batch: `Records` with base64 data, identified by sequence number. Kinesis records have
 * no headers: a record's headers go in its data's envelope (envelope.ts), as the publisher wrote them, and a
 * record that was malformed goes as the bytes it came as.
 */
export function kinesisEvent(
  records: readonly LogRecord[],
  functionName = 'lake-writer',
): KinesisStreamEvent {
  const { account, region } = localAws;
  return {
    Records: records.map((record) => {
      const sequenceNumber = sequenceNumberOf(record);
      return {
        kinesis: {
          kinesisSchemaVersion: '1.0',
          partitionKey: record.key ? Buffer.from(record.key).toString() : `${record.partition}`,
          sequenceNumber,
          data: Buffer.from(
            record.malformed === undefined ? encodeKinesisData(record.value, record.headers) : record.value,
          ).toString('base64'),
          // Seconds with a fraction, as Lambda sends it.
          approximateArrivalTimestamp: record.timestamp / 1000,
        },
        eventSource: 'aws:kinesis',
        eventVersion: '1.0',
        eventID: `${shardIdOf(record.partition)}:${sequenceNumber}`,
        eventName: 'aws:kinesis:record',
        invokeIdentityArn: `arn:aws:iam::${account}:role/${functionName}`,
        awsRegion: region,
        eventSourceARN: `arn:aws:kinesis:${region}:${account}:stream/${record.topic}`,
      };
    }),
  };
}

/**
 * A Kinesis batch as neutral records: topic = the stream's name (from the record's ARN), partition = the
 * shard's index (from eventID `shardId-000000000001:<sequence number>`), offset = a 53-bit fingerprint of the
 * sequence number (what `source_offset` can hold), and the sequence number itself, which orders the records
 * and names the files: a retried batch, which the event source restarts from the first failed sequence
 * number, writes the same file names again. The data's envelope, if any, is unwrapped into value and headers;
 * a malformed one leaves the data as it came, with the reason, for the consumer to reject.
 */
function neutralRecords(event: KinesisEvent): ConsumedRecord[] {
  return event.Records.map((record) => {
    const { sequenceNumber } = record.kinesis;
    const { value, headers, malformed } = decodeKinesisData(Buffer.from(record.kinesis.data, 'base64'));
    return {
      topic: record.eventSourceARN.split(':stream/')[1] ?? record.eventSourceARN,
      partition: shardIndex(record.eventID.split(':')[0] ?? ''),
      offset: sequenceNumberOffset(sequenceNumber),
      sequenceNumber,
      timestamp: Math.round(record.kinesis.approximateArrivalTimestamp * 1000),
      value: Buffer.from(value).toString('utf8'),
      ...(Object.keys(headers).length > 0 ? { headers } : {}),
      ...(malformed === undefined ? {} : { malformed }),
    };
  });
}

const positionKey = (record: { topic: string; partition: number; offset: number }) =>
  `${record.topic}-${record.partition}@${record.offset}`;

export const kinesisEventSource: EventSource<KinesisEvent> = {
  batch: (event) => {
    const records = neutralRecords(event);
    return {
      records,
      // A failure names its record by position; the response names it by sequence number.
      response: (failures): KinesisBatchResponse => {
        const sequenceNumbers = new Map(
          records.map((record) => [positionKey(record), record.sequenceNumber!]),
        );
        return {
          batchItemFailures: failures.map((failure) => ({
            itemIdentifier: sequenceNumbers.get(positionKey(failure))!,
          })),
        };
      },
    };
  },

  event: (records, origin) => kinesisEvent(records, origin.functionName),

  failedOffsets: (response, records) => {
    const bySequenceNumber = new Map(records.map((record) => [sequenceNumberOf(record), record]));
    const failed = new Map<number, number>();
    for (const failure of (response as Partial<KinesisBatchResponse> | undefined)?.batchItemFailures ?? []) {
      const record =
        typeof failure.itemIdentifier === 'string' ? bySequenceNumber.get(failure.itemIdentifier) : undefined;
      if (!record) throw malformedFailure(failure);
      addFailedOffset(failed, record.partition, record.offset);
    }
    return failed;
  },
};
