/**
 * Lambda's Kafka event sources, MSK (`aws:kafka`) and self-managed Apache Kafka (`SelfManagedKafka`):
 * `{eventSource, records: {"<topic>-<partition>": [{topic, partition, offset, timestamp, timestampType, key,
 * value (base64), headers}]}}`, answered with `{batchItemFailures: [{itemIdentifier: {partition:
 * "<topic>-<partition>", offset}}]}` (docs/contracts.md, "Transport and consumer events").
 */
import {
  KafkaMskEventSchema,
  KafkaSelfManagedEventSchema,
} from '@aws-lambda-powertools/parser/schemas/kafka';
import type { MSKEvent, SelfManagedKafkaEvent } from 'aws-lambda';
import { z } from 'zod';
import type { LogRecord } from '../../ports/transport.ts';
import { addFailedOffset, type EventSource, localAws, malformedFailure } from './event-source.ts';

export const KafkaEventSchema = z.union([KafkaMskEventSchema, KafkaSelfManagedEventSchema]);
export type KafkaEvent = z.infer<typeof KafkaEventSchema>;

export interface KafkaBatchResponse {
  readonly batchItemFailures: readonly {
    readonly itemIdentifier: { readonly partition: string; readonly offset: number };
  }[];
}

/** `song-plays` and 2 → `song-plays-2`: how Kafka events group records and name a failed one's partition. */
const topicPartition = (topic: string, partition: number) => `${topic}-${partition}`;

/** An MSK event source batch: records grouped by `topic-partition`, keys and values base64. */
export function mskEvent(records: readonly LogRecord[], clusterName = 'top-songs-local'): MSKEvent {
  return {
    eventSource: 'aws:kafka',
    eventSourceArn: `arn:aws:kafka:${localAws.region}:${localAws.account}:cluster/${clusterName}/local`,
    bootstrapServers: 'embedded',
    records: groupedRecords(records),
  };
}

/**
 * A self-managed Apache Kafka event source batch, what Lambda hands a function reading a Kafka cluster that
 * is not MSK: the MSK shape with `eventSource` "SelfManagedKafka", no ARN, and the cluster's bootstrap servers.
 */
export function selfManagedKafkaEvent(
  records: readonly LogRecord[],
  bootstrapServers: string,
): SelfManagedKafkaEvent {
  return { eventSource: 'SelfManagedKafka', bootstrapServers, records: groupedRecords(records) };
}

function groupedRecords(records: readonly LogRecord[]): MSKEvent['records'] {
  const grouped: MSKEvent['records'] = {};
  for (const record of records) {
    const group = topicPartition(record.topic, record.partition);
    grouped[group] ??= [];
    grouped[group].push({
      topic: record.topic,
      partition: record.partition,
      offset: record.offset,
      timestamp: record.timestamp,
      timestampType: 'CREATE_TIME',
      ...(record.key ? { key: Buffer.from(record.key).toString('base64') } : {}),
      value: Buffer.from(record.value).toString('base64'),
      headers: Object.entries(record.headers).map(([name, value]) => ({ [name]: [...Buffer.from(value)] })),
    } as MSKEvent['records'][string][number]);
  }
  return grouped;
}

export const kafkaEventSource: EventSource<KafkaEvent> = {
  batch: (event) => ({
    records: Object.values(event.records)
      .flat()
      .map(({ topic, partition, offset, timestamp, value, headers }) => ({
        topic,
        partition,
        offset,
        timestamp,
        value,
        // Lambda hands each header as its own one-entry object (the parser decoded the bytes).
        headers: Object.assign({}, ...headers) as Record<string, string>,
      })),
    response: (failures): KafkaBatchResponse => ({
      batchItemFailures: failures.map(({ topic, partition, offset }) => ({
        itemIdentifier: { partition: topicPartition(topic, partition), offset },
      })),
    }),
  }),

  event: (records, origin) =>
    origin.bootstrapServers ? selfManagedKafkaEvent(records, origin.bootstrapServers) : mskEvent(records),

  failedOffsets: (response) => {
    const failed = new Map<number, number>();
    for (const failure of (response as Partial<KafkaBatchResponse> | undefined)?.batchItemFailures ?? []) {
      const partition = Number(failure.itemIdentifier?.partition?.split('-').at(-1));
      const offset = failure.itemIdentifier?.offset;
      if (!Number.isInteger(partition) || !Number.isInteger(offset)) throw malformedFailure(failure);
      addFailedOffset(failed, partition, offset);
    }
    return failed;
  },
};
