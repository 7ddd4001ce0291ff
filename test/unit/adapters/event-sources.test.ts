/**
 * The Kafka and Kinesis event source modules in both directions: what a function makes of a recorded event,
 * what it answers for failures, and that the events the local runtime builds read back as the records it built
 * them from (one definition of each shape for both).
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  kafkaEventSource,
  mskEvent,
  selfManagedKafkaEvent,
} from '../../../src/adapters/event-sources/kafka.ts';
import {
  kinesisEvent,
  kinesisEventSource,
  shardIdOf,
  shardIndex,
} from '../../../src/adapters/event-sources/kinesis.ts';
import { StreamEventSchema, streamBatch } from '../../../src/adapters/event-sources/stream-events.ts';
import { sequenceNumberOffset } from '../../../src/domain/lake-layout.ts';
import type { LogRecord } from '../../../src/ports/transport.ts';

const fixture = async (name: string): Promise<unknown> =>
  JSON.parse(await readFile(join(import.meta.dirname, '../../fixtures/events', name), 'utf8'));

const logRecord = (partition: number, offset: number, value: string, sequenceNumber?: string): LogRecord => ({
  topic: 'song-plays',
  partition,
  offset,
  timestamp: Date.parse('2026-11-20T10:00:00.125Z') + offset,
  key: Buffer.from(`user-${partition}`),
  value: Buffer.from(value),
  headers: { trace: 'abc' },
  ...(sequenceNumber ? { sequenceNumber } : {}),
});
const built = [logRecord(0, 4, '{"n":1}'), logRecord(0, 5, 'olé'), logRecord(2, 9, '{"n":3}')];
const sequence = (n: number) =>
  `4965683212046578301724509681036472347901122083083766${String(n).padStart(4, '0')}`;

describe('Kafka event source', () => {
  it('reads the recorded MSK batch as neutral records', async () => {
    const { records } = streamBatch(StreamEventSchema.parse(await fixture('msk-song-plays.json')));
    // test/fixtures/events/README.md: 6 records, 4 valid plays and 2 rejects.
    expect(records).toHaveLength(6);
    expect(records[0]).toEqual({
      topic: 'song-plays',
      partition: 0,
      offset: 40,
      timestamp: expect.any(Number),
      value: expect.stringContaining('"event_id"'),
      // The recorded event's one header, its bytes decoded.
      headers: { 'content-type': 'application/json' },
    });
  });

  it('answers a failure with the first failed record by `<topic>-<partition>` and offset', () => {
    const batch = kafkaEventSource.batch(StreamEventSchema.parse(mskEvent(built)) as never);
    expect(batch.response([{ topic: 'song-plays', partition: 1, offset: 20, reason: 'disk full' }])).toEqual({
      batchItemFailures: [{ itemIdentifier: { partition: 'song-plays-1', offset: 20 } }],
    });
    expect(batch.response([])).toEqual({ batchItemFailures: [] });
  });

  it('builds MSK and self-managed events that read back as the records they were built from', () => {
    const expected = built.map(({ topic, partition, offset, timestamp, value }) => ({
      topic,
      partition,
      offset,
      timestamp,
      value: Buffer.from(value).toString(),
      // Headers read back decoded: how the ingest request id reaches the consumer.
      headers: { trace: 'abc' },
    }));
    for (const event of [mskEvent(built), selfManagedKafkaEvent(built, 'b1:9092,b2:9092')]) {
      const batch = streamBatch(StreamEventSchema.parse(event));
      expect(batch.records).toEqual(expected);
      // And the function's answer reads back as the failed offsets the local runtime redelivers from.
      const response = batch.response([
        { topic: 'song-plays', partition: 0, offset: 5, reason: 'x' },
        { topic: 'song-plays', partition: 2, offset: 9, reason: 'y' },
      ]);
      expect(kafkaEventSource.failedOffsets(response, built)).toEqual(
        new Map([
          [0, 5],
          [2, 9],
        ]),
      );
    }
  });

  it('fails the whole batch on a failure it cannot read, as Lambda does', () => {
    for (const itemIdentifier of [
      { partition: 'song-plays-x', offset: 1 },
      { partition: 'song-plays-0' },
      'n',
    ]) {
      expect(() =>
        kafkaEventSource.failedOffsets({ batchItemFailures: [{ itemIdentifier }] }, built),
      ).toThrow('malformed batch item failure');
    }
    expect(kafkaEventSource.failedOffsets(undefined, built)).toEqual(new Map());
  });
});

describe('Kinesis event source', () => {
  const fromKinesis = built.map((record, index) => ({ ...record, sequenceNumber: sequence(index) }));

  it('encodes and decodes shard ids', () => {
    expect(shardIdOf(2)).toBe('shardId-000000000002');
    expect([0, 1, 2, 17].map((partition) => shardIndex(shardIdOf(partition)))).toEqual([0, 1, 2, 17]);
    expect(() => shardIndex('shardId-')).toThrow('Cannot read a shard index from "shardId-"');
  });

  it('reads the recorded Kinesis batch: stream as topic, shard index as partition, sequence numbers kept', async () => {
    const { records } = streamBatch(StreamEventSchema.parse(await fixture('kinesis-song-plays.json')));
    expect(records[0]).toEqual({
      topic: 'top-songs-plays',
      partition: 1,
      offset: sequenceNumberOffset('49656832120465783017245096810364723479011220830837669906'),
      sequenceNumber: '49656832120465783017245096810364723479011220830837669906',
      timestamp: 1795171985127,
      value: expect.stringContaining('"event_id"'),
    });
  });

  it('builds events that read back as their records, headers too (in the envelope), and answers failures by sequence number', () => {
    const event = kinesisEvent(fromKinesis);
    const data = Buffer.from(event.Records[0]!.kinesis.data, 'base64').toString();
    expect(JSON.parse(data)).toEqual({ headers: { trace: 'abc' }, value: '{"n":1}' });
    const batch = streamBatch(StreamEventSchema.parse(event));
    expect(batch.records).toEqual(
      fromKinesis.map((record) => ({
        topic: record.topic,
        partition: record.partition,
        offset: sequenceNumberOffset(record.sequenceNumber),
        sequenceNumber: record.sequenceNumber,
        timestamp: record.timestamp,
        value: Buffer.from(record.value).toString(),
        headers: { trace: 'abc' },
      })),
    );
    const failed = batch.records[1]!;
    const response = batch.response([{ ...failed, reason: 'disk full' }]);
    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: sequence(1) }] });
    // Read back to the offset of the transport's record (a Kinesis consumer's own numbering).
    expect(kinesisEventSource.failedOffsets(response, fromKinesis)).toEqual(new Map([[0, 5]]));
  });

  it('reads the recorded enveloped batch: headers unwrapped, bare plays of before as they are, malformed ones flagged', async () => {
    const { records } = streamBatch(
      StreamEventSchema.parse(await fixture('kinesis-song-plays-envelope.json')),
    );
    expect(records.map((record) => record.headers)).toEqual([
      { 'ingest-request-id': 'JpQ3ZgWBoAMEVMA=' },
      undefined,
      undefined,
      { 'ingest-request-id': 'JpQ4BhJdIAMEbXw=' },
      undefined,
    ]);
    expect(records[0]!.value).toMatch(/^\{"event_id":"5d4e6f70-/);
    expect(records[1]!.value).toMatch(/^\{"event_id":"6e5f7081-/);
    expect(records.map((record) => record.malformed)).toEqual([
      undefined,
      undefined,
      'malformed Kinesis envelope: header "ingest-request-id" is not a string',
      undefined,
      expect.stringMatching(/^malformed Kinesis envelope: not valid JSON/),
    ]);
    expect(records[2]!.value).toMatch(/^\{"headers":\{"ingest-request-id":42\},"value":/);
  });

  it('hands a malformed record on as the bytes it came as, not wrapped again', () => {
    const data = '{"headers":{"ingest-request-id":42},"value":"x"}';
    const malformed = { ...fromKinesis[0]!, value: Buffer.from(data), headers: {}, malformed: 'why' };
    const event = kinesisEvent([malformed]);
    expect(Buffer.from(event.Records[0]!.kinesis.data, 'base64').toString()).toBe(data);
    const [record] = streamBatch(StreamEventSchema.parse(event)).records;
    expect(record).toMatchObject({ value: data, malformed: expect.stringMatching(/is not a string$/) });
  });

  it('fails the whole batch on a sequence number that is not in it', () => {
    expect(() =>
      kinesisEventSource.failedOffsets({ batchItemFailures: [{ itemIdentifier: sequence(9) }] }, fromKinesis),
    ).toThrow('malformed batch item failure');
  });
});
