import {
  KafkaMskEventSchema,
  KafkaSelfManagedEventSchema,
} from '@aws-lambda-powertools/parser/schemas/kafka';
import { KinesisDataStreamSchema } from '@aws-lambda-powertools/parser/schemas/kinesis';
import type { KinesisStreamEvent, MSKEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import {
  EventSourcePoller,
  type PollerInvoker,
  type PollerSettings,
} from '../../../local/event-source-poller.ts';
import type { LogConsumer } from '../../../src/ports/transport.ts';
import type { TopicTrigger } from '../../../src/topology.ts';
import { freshTransportPerTest, keyOn, labels, reopenTransport, transport } from './poller-fixture.ts';

const TOPIC = 'song-plays';
const DLQ = 'song-plays-dlq';
const GROUP = 'lake-writer';
const trigger: TopicTrigger = {
  kind: 'topic',
  topic: TOPIC,
  batchSize: 100,
  batchWindowSeconds: 0,
  maxAttempts: 3,
  maxRecordAgeSeconds: Number.POSITIVE_INFINITY,
  splitBatchOnError: false,
};

const A = 0;
const B = 2;
const keyA = keyOn(A);
const keyB = keyOn(B);
freshTransportPerTest('poller');

type Outcome = { batchItemFailures: { itemIdentifier: { partition: string; offset: number } }[] } | Error;

/** A fake function: records every event it gets, and answers with the scripted outcome for each attempt. */
function fakeFunction(answer: (event: MSKEvent, attempt: number) => Outcome | Promise<Outcome>) {
  const events: MSKEvent[] = [];
  const invoke = async (event: unknown) => {
    events.push(event as MSKEvent);
    const outcome = await answer(event as MSKEvent, events.length);
    if (outcome instanceof Error) throw outcome;
    return outcome;
  };
  return { events, invoke };
}

/** A poller of the lake-writer's trigger on `consumer`, dead letters to DLQ, retrying at once; `options` add or override. */
function lakeWriterPoller(
  consumer: LogConsumer,
  options: Omit<PollerSettings, 'functionName' | 'consumer' | 'deadLetters'> & PollerInvoker,
): EventSourcePoller {
  return new EventSourcePoller({
    functionName: 'lake-writer',
    consumer,
    deadLetters: { publisher: transport, topic: DLQ },
    backoffMs: () => 0,
    ...options,
  });
}

/** Delivers one fetched batch through a poller bound to the group's consumer. */
async function deliverOnce(invoke: (event: unknown) => Promise<unknown>) {
  const consumer = await transport.consumer(TOPIC, GROUP);
  const batch = await consumer.fetch(trigger.batchSize, 0);
  const instance = lakeWriterPoller(consumer, {
    trigger,
    invoke,
  });
  await instance.deliver(batch);
  return batch;
}

/** What a new consumer of the group would get now: everything past the committed offsets. */
async function uncommitted(): Promise<string[]> {
  const records = await (await transport.consumer(TOPIC, GROUP)).fetch(1000, 0);
  return records.map((record) => `${record.partition}@${record.offset}`).sort();
}

const play = (n: number) => ({ event_id: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`, n });
async function publish(key: string, values: readonly unknown[]) {
  for (const value of values) await transport.publish(TOPIC, [{ key, value: JSON.stringify(value) }]);
}

describe('EventSourcePoller', () => {
  it('hands the function an MSK event: records grouped as song-plays-<partition>, base64 keys and values', async () => {
    await publish(keyA, [play(1), play(2)]);
    await transport.publish(TOPIC, [
      { key: keyB, value: JSON.stringify(play(3)), headers: { trace: 'abc' } },
    ]);
    const fn = fakeFunction(() => ({ batchItemFailures: [] }));
    await deliverOnce(fn.invoke);

    expect(fn.events).toHaveLength(1);
    const event = fn.events[0]!;
    expect(KafkaMskEventSchema.safeParse(event).success).toBe(true);
    expect(event.eventSource).toBe('aws:kafka');
    expect(Object.keys(event.records).sort()).toEqual([`song-plays-${A}`, `song-plays-${B}`]);
    const decode = (value: string) => JSON.parse(Buffer.from(value, 'base64').toString('utf8'));
    const inA = event.records[`song-plays-${A}`]!;
    expect(inA.map((record) => [record.topic, record.partition, record.offset])).toEqual([
      [TOPIC, A, 0],
      [TOPIC, A, 1],
    ]);
    expect(inA.map((record) => decode(record.value))).toEqual([play(1), play(2)]);
    expect(Buffer.from(inA[0]!.key, 'base64').toString()).toBe(keyA);
    const [inB] = event.records[`song-plays-${B}`]!;
    expect(decode(inB!.value)).toEqual(play(3));
    expect(inB!.headers).toEqual([{ trace: [...Buffer.from('abc')] }]);
  });

  it('with a Kinesis transport, hands a Kinesis event and reads its sequence-number failures back to offsets', async () => {
    await publish(keyA, [0, 1, 2].map(play));
    await publish(keyB, [3].map(play));
    const consumer = await transport.consumer(TOPIC, GROUP);
    // What a Kinesis consumer hands out: records with sequence numbers, offsets local to the consumer.
    const batch = (await consumer.fetch(100, 0)).map((record) => ({
      ...record,
      sequenceNumber: `4968062234446500168889280025503127299368221159846418${record.partition}${record.offset}`,
    }));
    const events: KinesisStreamEvent[] = [];
    const poller = lakeWriterPoller(consumer, {
      trigger,
      eventSource: 'kinesis',
      invoke: async (event) => {
        events.push(event as KinesisStreamEvent);
        if (events.length > 1) return { batchItemFailures: [] };
        const failed = batch.find((record) => record.partition === A && record.offset === 1)!;
        return { batchItemFailures: [{ itemIdentifier: failed.sequenceNumber }] };
      },
    });
    await poller.deliver(batch);
    expect(KinesisDataStreamSchema.safeParse(events[0]).success).toBe(true);
    const first = events[0]!.Records;
    expect(first).toHaveLength(4);
    expect(first[0]!.eventID).toBe(
      `shardId-00000000000${first[0]!.kinesis.sequenceNumber.at(-2)}:${first[0]!.kinesis.sequenceNumber}`,
    );
    expect(JSON.parse(Buffer.from(first[0]!.kinesis.data, 'base64').toString())).toHaveProperty('event_id');
    // Redelivered from the failed record of partition A on: offsets 1 and 2.
    expect(events[1]!.Records.map((record) => record.kinesis.sequenceNumber.slice(-2))).toEqual([
      `${A}1`,
      `${A}2`,
    ]);
    expect(await uncommitted()).toEqual([]);
  });

  it('with invokeRecords, hands over the batch’s records unbuilt and reads the failures of the answer all the same', async () => {
    await publish(keyA, [0, 1, 2].map(play));
    await publish(keyB, [3].map(play));
    const consumer = await transport.consumer(TOPIC, GROUP);
    const handed: string[][] = [];
    const poller = lakeWriterPoller(consumer, {
      trigger,
      invokeRecords: async (records) => {
        handed.push(records.map((record) => `${record.partition}@${record.offset}`));
        expect(JSON.parse(Buffer.from(records[0]!.value).toString())).toHaveProperty('event_id');
        return handed.length > 1
          ? { batchItemFailures: [] }
          : { batchItemFailures: [{ itemIdentifier: { partition: `song-plays-${A}`, offset: 1 } }] };
      },
    });
    await poller.deliver(await consumer.fetch(100, 0));
    // Redelivered from the failed record of partition A on; B was committed with the first answer.
    expect(handed).toEqual([
      [`${A}@0`, `${A}@1`, `${A}@2`, `${B}@0`],
      [`${A}@1`, `${A}@2`],
    ]);
    expect(await uncommitted()).toEqual([]);
  });

  it('commits every partition once the function succeeds, durably', async () => {
    await publish(keyA, [play(1), play(2)]);
    await publish(keyB, [play(3)]);
    const fn = fakeFunction(() => ({ batchItemFailures: [] }));
    await deliverOnce(fn.invoke);
    expect(await uncommitted()).toEqual([]);

    await reopenTransport();
    await publish(keyA, [play(4)]);
    expect(await uncommitted()).toEqual([`${A}@2`]);
  });

  it('on a batch item failure at offset N, commits below N and redelivers exactly from N', async () => {
    await publish(keyA, [0, 1, 2, 3, 4].map(play));
    await publish(keyB, [5, 6].map(play));
    const committedDuringRetry: string[][] = [];
    const fn = fakeFunction(async (_event, attempt) => {
      if (attempt === 1)
        return { batchItemFailures: [{ itemIdentifier: { partition: `song-plays-${A}`, offset: 2 } }] };
      committedDuringRetry.push(await uncommitted());
      return { batchItemFailures: [] };
    });
    await deliverOnce(fn.invoke);

    expect(fn.events.map(labels)).toEqual([
      [`${A}@0`, `${A}@1`, `${A}@2`, `${A}@3`, `${A}@4`, `${B}@0`, `${B}@1`],
      [`${A}@2`, `${A}@3`, `${A}@4`],
    ]);
    // While the retry ran, A was committed up to 2 and B completely.
    expect(committedDuringRetry).toEqual([[`${A}@2`, `${A}@3`, `${A}@4`]]);
    expect(await uncommitted()).toEqual([]);
  });

  it('retries the whole batch, uncommitted, when the function throws', async () => {
    await publish(keyA, [play(1), play(2)]);
    await publish(keyB, [play(3)]);
    const seenDuringRetry: string[][] = [];
    const fn = fakeFunction(async (_event, attempt) => {
      if (attempt === 1) return new Error('lake unreachable');
      seenDuringRetry.push(await uncommitted());
      return { batchItemFailures: [] };
    });
    await deliverOnce(fn.invoke);

    const all = [`${A}@0`, `${A}@1`, `${B}@0`];
    expect(fn.events.map(labels)).toEqual([all, all]);
    expect(seenDuringRetry).toEqual([all]);
    expect(await uncommitted()).toEqual([]);
  });

  it('with bootstrap servers (a real Kafka cluster), hands the function a self-managed Kafka event naming them', async () => {
    await publish(keyA, [play(1)]);
    const consumer = await transport.consumer(TOPIC, GROUP);
    const events: unknown[] = [];
    await lakeWriterPoller(consumer, {
      trigger,
      invoke: async (event) => events.push(event),
      bootstrapServers: '10.0.0.1:9092,10.0.0.2:9092',
    }).deliver(await consumer.fetch(10, 0));

    const event = events[0] as Record<string, unknown>;
    expect(event.eventSource).toBe('SelfManagedKafka');
    expect(event.bootstrapServers).toBe('10.0.0.1:9092,10.0.0.2:9092');
    expect(event).not.toHaveProperty('eventSourceArn');
    const parsed = KafkaSelfManagedEventSchema.parse(event);
    expect(parsed.records[`song-plays-${A}`]!.map((record) => JSON.parse(record.value))).toEqual([play(1)]);
  });

  it('after maxAttempts sends the failing record to the dead-letter topic with the reason, and the rest flows on', async () => {
    const poison = { ...play(1), region: 'atlantis' };
    await publish(keyA, [play(0)]);
    await transport.publish(TOPIC, [
      { key: keyA, value: JSON.stringify(poison), headers: { traceparent: '00-abc-def-01' } },
    ]);
    await publish(keyA, [play(2)]);
    await publish(keyB, [play(3), play(4)]);
    const fn = fakeFunction((event) => {
      const bad = Object.values(event.records)
        .flat()
        .find((record) => Buffer.from(record.value, 'base64').toString().includes('atlantis'));
      return {
        batchItemFailures: bad
          ? [{ itemIdentifier: { partition: `song-plays-${bad.partition}`, offset: bad.offset } }]
          : [],
      };
    });
    await deliverOnce(fn.invoke);

    expect(fn.events.map(labels)).toEqual([
      [`${A}@0`, `${A}@1`, `${A}@2`, `${B}@0`, `${B}@1`],
      [`${A}@1`, `${A}@2`],
      [`${A}@1`, `${A}@2`],
      // The poison record is gone; the one after it is processed.
      [`${A}@2`],
    ]);
    expect(await uncommitted()).toEqual([]);

    const dead = await (await transport.consumer(DLQ, 'test')).fetch(10, 0);
    expect(dead).toHaveLength(1);
    expect(Buffer.from(dead[0]!.key!).toString()).toBe(keyA);
    expect(JSON.parse(Buffer.from(dead[0]!.value).toString())).toEqual(poison);
    expect(dead[0]!.headers).toEqual({
      traceparent: '00-abc-def-01',
      'x-failure-reason': 'lake-writer reported it as a batch item failure in attempt 3 of 3',
      'x-failed-function': 'lake-writer',
      'x-source': `song-plays-${A}@1`,
      'x-attempts': '3',
    });
  });

  it('dead-letters with the thrown error as the reason when the function keeps throwing', async () => {
    await publish(keyA, ['not json', play(1)]);
    const fn = fakeFunction((event) =>
      labels(event).includes(`${A}@0`) ? new Error('Unexpected token n in JSON') : { batchItemFailures: [] },
    );
    await deliverOnce(fn.invoke);

    expect(fn.events.map(labels)).toEqual([
      [`${A}@0`, `${A}@1`],
      [`${A}@0`, `${A}@1`],
      [`${A}@0`, `${A}@1`],
      [`${A}@1`],
    ]);
    const dead = await (await transport.consumer(DLQ, 'test')).fetch(10, 0);
    expect(dead.map((record) => record.headers['x-failure-reason'])).toEqual(['Unexpected token n in JSON']);
    expect(dead.map((record) => record.headers['x-source'])).toEqual([`song-plays-${A}@0`]);
    expect(await uncommitted()).toEqual([]);
  });

  it('with splitBatchOnError, halves a batch it throws on until the record at fault is alone; only that one is dead-lettered', async () => {
    const poison = { ...play(1), region: 'atlantis' };
    await publish(keyA, [play(0), poison, play(2)]);
    await publish(keyB, [play(3), play(4), play(5)]);
    const processed: string[] = [];
    const fn = fakeFunction((event) => {
      const records = Object.values(event.records).flat();
      if (records.some((record) => Buffer.from(record.value, 'base64').toString().includes('atlantis')))
        return new Error('cannot write region atlantis');
      processed.push(...labels(event));
      return { batchItemFailures: [] };
    });
    const consumer = await transport.consumer(TOPIC, GROUP);
    const batch = await consumer.fetch(trigger.batchSize, 0);
    await lakeWriterPoller(consumer, {
      trigger: { ...trigger, splitBatchOnError: true },
      invoke: fn.invoke,
    }).deliver(batch);

    // Every healthy record was processed exactly once; the poison one never was, and it alone is dead.
    expect(processed.sort()).toEqual([`${A}@0`, `${A}@2`, `${B}@0`, `${B}@1`, `${B}@2`]);
    expect(await uncommitted()).toEqual([]);
    const dead = await (await transport.consumer(DLQ, 'test')).fetch(10, 0);
    expect(dead.map((record) => record.headers['x-source'])).toEqual([`song-plays-${A}@1`]);
    expect(dead.map((record) => record.headers['x-failure-reason'])).toEqual([
      'cannot write region atlantis',
    ]);
    expect(dead.map((record) => record.headers['x-attempts'])).toEqual([String(trigger.maxAttempts)]);
    // Splitting used no attempts: the lone poison record was tried maxAttempts times.
    const poisonTries = fn.events.filter((event) => labels(event).join() === `${A}@1`);
    expect(poisonTries).toHaveLength(trigger.maxAttempts);
  });

  it('gives the reason of the last failed attempt, not of an earlier one', async () => {
    await publish(keyA, [play(0)]);
    // Attempt 1 throws (a transient error); attempts 2 and 3 report the record as failed.
    const fn = fakeFunction((_event, attempt) =>
      attempt === 1
        ? new Error('connection reset')
        : attempt <= 3
          ? { batchItemFailures: [{ itemIdentifier: { partition: `song-plays-${A}`, offset: 0 } }] }
          : { batchItemFailures: [] },
    );
    await deliverOnce(fn.invoke);

    expect(fn.events).toHaveLength(3);
    const dead = await (await transport.consumer(DLQ, 'test')).fetch(10, 0);
    expect(dead.map((record) => record.headers['x-failure-reason'])).toEqual([
      'lake-writer reported it as a batch item failure in attempt 3 of 3',
    ]);
  });

  it('dead-letters key and value byte for byte, however they decode', async () => {
    // Not UTF-8 text: decoding and encoding again would replace these bytes.
    const key = Buffer.from([0x75, 0xff, 0x00]);
    const value = Buffer.from([0xc3, 0x28, 0xa0, 0xa1, 0x7b]);
    await transport.forward(TOPIC, [{ key, value, headers: {} }]);
    const fn = fakeFunction((event) => {
      const [record] = Object.values(event.records).flat();
      return {
        batchItemFailures: [{ itemIdentifier: { partition: `song-plays-${record!.partition}`, offset: 0 } }],
      };
    });
    await deliverOnce(fn.invoke);

    const [dead] = await (await transport.consumer(DLQ, 'test')).fetch(10, 0);
    expect(Buffer.from(dead!.key!)).toEqual(key);
    expect(Buffer.from(dead!.value)).toEqual(value);
    expect(fn.events).toHaveLength(trigger.maxAttempts);
  });

  it('runs as a loop that fetches, delivers and stops cleanly', async () => {
    const fn = fakeFunction(() => ({ batchItemFailures: [] }));
    const loop = lakeWriterPoller(await transport.consumer(TOPIC, GROUP), {
      trigger: { ...trigger, batchWindowSeconds: 0.05 },
      invoke: fn.invoke,
    });
    loop.start();
    await publish(keyA, [play(1)]);
    // Wait on the condition, not on time: the function has seen the record and its offset is committed.
    while ((await uncommitted()).length > 0 || fn.events.length === 0)
      await new Promise((r) => setTimeout(r, 5));
    await loop.stop();
    expect(fn.events.map(labels)).toEqual([[`${A}@0`]]);
  });
});
