/**
 * The Kafka consumer behind the event-source poller, against the real broker: it outlives a broker outage
 * longer than @platformatic/kafka's retries (which end the client's stream for good), and it reads committed
 * records only (ingest publishes in transactions).
 */
import { randomUUID } from 'node:crypto';
import {
  Consumer,
  FetchIsolationLevels,
  ProduceAcks,
  Producer,
  stringSerializers,
} from '@platformatic/kafka';
import type { MSKEvent } from 'aws-lambda';
import { afterEach, describe, expect, it } from 'vitest';
import {
  broker,
  committedOffsets,
  kafkaBrokers,
  kafkaSkipped,
  readTopic,
  stringProducer,
  testNamespace,
} from '../../../devkit/kafka.ts';
import { waitFor } from '../../../devkit/wait-for.ts';
import { EventSourcePoller } from '../../../local/event-source-poller.ts';
import { readCommittedOnly } from '../../../src/adapters/transport/kafka/read-committed.ts';
import { KafkaTransport } from '../../../src/adapters/transport/kafka/transport.ts';
import type { LogConsumer } from '../../../src/ports/transport.ts';
import { functionNamed, namespacedTopics, qualified, type TopicTrigger } from '../../../src/topology.ts';
import { logger } from '../../../src/wiring/logger.ts';

const brokers = (kafkaBrokers ?? '').split(',');

describe.skipIf(kafkaSkipped())('the Kafka consumer of the event-source poller', () => {
  const stops: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const stop of stops.splice(0).reverse()) await stop();
    logger.setLogLevel('WARN');
  });

  /**
   * A poller of a fresh namespace's plays topic whose function notes the value of every record it gets, and a
   * record of every failure its consumer's fetch reports.
   */
  async function startPoller() {
    const namespace = testNamespace('consumer');
    const [plays, deadLetters] = namespacedTopics(namespace).map((topic) => topic.name) as [string, string];
    const group = qualified('lake-writer', namespace);
    const transport = await KafkaTransport.open({ brokers, topics: namespacedTopics(namespace) });
    const consumer = await transport.consumer(plays, group);
    const fetchFailures: unknown[] = [];
    const watched: LogConsumer = {
      fetch: async (maxRecords, maxWaitMs) => {
        try {
          return await consumer.fetch(maxRecords, maxWaitMs);
        } catch (error) {
          fetchFailures.push(error);
          throw error;
        }
      },
      commit: (partition, nextOffset) => consumer.commit(partition, nextOffset),
      rewind: () => consumer.rewind(),
      close: () => consumer.close(),
    };
    const delivered: string[] = [];
    const poller = new EventSourcePoller({
      functionName: 'lake-writer',
      trigger: { ...(functionNamed('lake-writer').trigger as TopicTrigger), batchWindowSeconds: 0.2 },
      consumer: watched,
      deadLetters: { publisher: transport, topic: deadLetters },
      invoke: async (event) => {
        for (const record of Object.values((event as MSKEvent).records).flat()) {
          delivered.push(Buffer.from(record.value, 'base64').toString());
        }
        return {};
      },
    });
    poller.start();
    stops.push(async () => {
      await poller.stop();
      await transport.close();
    });
    /**
     * Resolves once the group has committed past each of these records, found in the topic's first `total`
     * committed records (read back by a reader of its own).
     */
    const committedPast = async (values: readonly string[], total: number) => {
      const records = (await readTopic(plays, total)).filter((message) =>
        values.includes(message.value.toString()),
      );
      expect(records).toHaveLength(values.length);
      await waitFor('the group to commit past the records', async () => {
        const offsets = await committedOffsets(group, plays);
        return records.every((record) => (offsets.get(record.partition) ?? 0) > Number(record.offset))
          ? true
          : undefined;
      });
    };
    return { plays, delivered, fetchFailures, committedPast };
  }

  async function produce(topic: string, values: readonly string[]) {
    const producer = stringProducer(brokers, `test-producer-${randomUUID().slice(0, 8)}`);
    try {
      await producer.send({
        messages: values.map((value, index) => ({ topic, key: `user-${index}`, value })),
      });
    } finally {
      await producer.close();
    }
  }

  const named = (prefix: string, count: number) =>
    Array.from({ length: count }, (_, index) => `${prefix}-${index}`);

  it('rebuilds itself after the broker was away longer than the client retries, and delivers what comes after exactly once', {
    timeout: 240_000,
  }, async () => {
    logger.setLogLevel('CRITICAL'); // The outage makes the poller log errors, by design.
    const { plays, delivered, fetchFailures, committedPast } = await startPoller();
    const before = named('before', 10);
    await produce(plays, before);
    await waitFor('the records before the outage', async () =>
      before.every((value) => delivered.includes(value)) ? true : undefined,
    );
    await committedPast(before, before.length);

    await broker('down');
    try {
      // The client gave up: its stream ended and the consumer said so. (Its retries take about 15 s.)
      await waitFor(
        'the consumer to report its stream failed',
        async () => fetchFailures.length > 0 || undefined,
        120_000,
        250,
      );
    } finally {
      await broker('up');
    }

    const after = named('after', 20);
    await produce(plays, after);
    await waitFor(
      'the records produced after the outage',
      async () => (after.every((value) => delivered.includes(value)) ? true : undefined),
      120_000,
      250,
    );
    await committedPast(after, before.length + after.length);
    const deliveredAfter = delivered.filter((value) => value.startsWith('after-'));
    expect(deliveredAfter.sort()).toEqual([...after].sort());
    expect(new Set(delivered)).toEqual(new Set([...before, ...after]));
  });

  const transactionalProducer = () =>
    new Producer({
      clientId: 'test-transactions',
      bootstrapBrokers: brokers,
      serializers: stringSerializers,
      idempotent: true,
      acks: ProduceAcks.ALL,
      transactionalId: `test-transactions-${randomUUID()}`,
      autocreateTopics: false,
    });

  it('reads committed records only: an aborted transaction never reaches the function', async () => {
    const { plays, delivered, committedPast } = await startPoller();
    const producer = transactionalProducer();
    const [aborted, committed] = [named('aborted', 5), named('committed', 5)];
    try {
      const doomed = await producer.beginTransaction();
      await doomed.send({ messages: aborted.map((value) => ({ topic: plays, key: value, value })) });
      await doomed.abort();
      const kept = await producer.beginTransaction();
      await kept.send({ messages: committed.map((value) => ({ topic: plays, key: value, value })) });
      await kept.commit();
    } finally {
      await producer.close();
    }
    // Produced last, outside any transaction: once it is delivered, everything before it was looked at.
    await produce(plays, ['last']);
    await waitFor('the last record', async () => (delivered.includes('last') ? true : undefined));
    await committedPast([...committed, 'last'], committed.length + 1);
    expect(delivered.sort()).toEqual([...committed, 'last'].sort());
  });

  it('drops an aborted transaction whose abort marker is beyond what a fetch returns (another transaction still open)', async () => {
    const { plays, delivered, committedPast } = await startPoller();
    // A client of the poller's kind reading from the start, watched fetch by fetch.
    const reader = readCommittedOnly(
      new Consumer({
        clientId: 'test-reader',
        groupId: `${plays}-reader`,
        bootstrapBrokers: brokers,
        isolationLevel: FetchIsolationLevels.READ_COMMITTED,
        maxWaitTime: 100,
      }),
    );
    const stream = await reader.consume({ topics: [plays], mode: 'earliest', autocommit: false });
    const read: string[] = [];
    let fetches = 0;
    stream.on('data', (message) => read.push(message.value.toString()));
    stream.on('fetch', () => {
      fetches += 1;
    });
    const [first, second] = [transactionalProducer(), transactionalProducer()];
    const [aborted, committed] = [named('aborted', 5), named('committed', 5)];
    const onPartition0 = (values: readonly string[]) =>
      values.map((value) => ({ topic: plays, key: value, value, partition: 0 }));
    try {
      // One partition: aborted's records, then open's, then aborted's abort marker. While `open` is open the
      // last stable offset stays at its first record, so fetches return aborted's records but not its marker.
      const doomed = await first.beginTransaction();
      await doomed.send({ messages: onPartition0(aborted) });
      const open = await second.beginTransaction();
      await open.send({ messages: onPartition0(committed) });
      await doomed.abort();
      const seen = fetches;
      // The second response after the abort was asked for after it: it holds aborted's records, listed as aborted.
      await waitFor('two fetches after the abort', async () => fetches >= seen + 2 || undefined);
      expect(read).toEqual([]);
      await open.commit();
    } finally {
      await first.close();
      await second.close();
    }
    await produce(plays, ['last']);
    const kept = [...committed, 'last'];
    await waitFor('the committed records', async () =>
      kept.every((value) => delivered.includes(value) && read.includes(value)) ? true : undefined,
    );
    await stream.close();
    await reader.close(true);
    await committedPast(kept, kept.length);
    expect(read.sort()).toEqual(kept.sort());
    expect(delivered.sort()).toEqual(kept.sort());
  });
});
