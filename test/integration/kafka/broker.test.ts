/**
 * The real Kafka broker of `npm run services:up` (or `docker compose up`): the topology's topics exist as declared,
 * and a produce (idempotent, acks=all) / consume (consumer group, manual commit) round trip works with
 * @platformatic/kafka. Runs only when KAFKA_BROKERS is set.
 *
 * It also shows the client calls the Kafka transport uses: Admin.metadata/createTopics/deleteTopics,
 * an idempotent Producer, and a Consumer that reads from the committed offsets and commits by hand.
 */
import { randomUUID } from 'node:crypto';
import {
  Admin,
  Consumer,
  type Message,
  type MessagesStream,
  ProduceAcks,
  Producer,
  stringDeserializers,
  stringSerializers,
} from '@platformatic/kafka';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kafkaSkipped } from '../../../devkit/kafka.ts';
import { topics } from '../../../src/topology.ts';

const brokers = process.env.KAFKA_BROKERS;
const bootstrapBrokers = (brokers ?? '').split(',').filter(Boolean);

describe.skipIf(kafkaSkipped())(
  'Kafka broker (skipped unless KAFKA_BROKERS is set: `npm run services:up -- kafka` prints it)',
  () => {
    const testTopic = `stack-test-${randomUUID()}`;
    let admin: Admin;

    beforeAll(async () => {
      admin = new Admin({ clientId: 'stack-test-admin', bootstrapBrokers });
      // auto.create.topics.enable=false: a test topic of its own, so as not to write into song-plays.
      await admin.createTopics({ topics: [{ topic: testTopic, partitions: 2, replicas: 1 }] });
    });

    afterAll(async () => {
      await admin?.deleteTopics({ topics: [testTopic] }).catch(() => {});
      await admin?.close();
    });

    it('has the topics of src/topology.ts with their declared partition counts', async () => {
      const declared = Object.values(topics);
      const names = await admin.listTopics();
      expect(names).toEqual(expect.arrayContaining(declared.map((topic) => topic.name)));

      const metadata = await admin.metadata({ topics: declared.map((topic) => topic.name) });
      for (const topic of declared) {
        expect(metadata.topics.get(topic.name)?.partitionsCount, topic.name).toBe(topic.partitions);
      }
    });

    it('round-trips records: idempotent acks=all producer, consumer group with manual commits', async () => {
      const producer = new Producer({
        clientId: 'stack-test-producer',
        bootstrapBrokers,
        serializers: stringSerializers,
        // Implies acks=all (-1), one request in flight and unlimited retries without duplicates.
        idempotent: true,
      });
      const sent = Array.from({ length: 10 }, (_, i) => ({ key: `user-${i % 3}`, value: `play-${i}` }));
      try {
        const result = await producer.send({
          messages: sent.map((record) => ({ topic: testTopic, ...record })),
          acks: ProduceAcks.ALL,
        });
        expect(result.offsets?.length).toBeGreaterThan(0);
      } finally {
        await producer.close();
      }

      const groupId = `stack-test-${randomUUID()}`;
      const consumer = new Consumer({
        clientId: 'stack-test-consumer',
        groupId,
        bootstrapBrokers,
        deserializers: stringDeserializers,
        autocommit: false,
        sessionTimeout: 10_000,
        heartbeatInterval: 1_000,
        maxWaitTime: 500,
      });
      const received: Message<string, string, string, string>[] = [];
      let stream: MessagesStream<string, string, string, string> | undefined;
      try {
        // The group's committed offsets, or the earliest record for a new group (the default is 'latest').
        stream = await consumer.consume({ topics: [testTopic], mode: 'committed', fallbackMode: 'earliest' });
        for await (const message of stream) {
          received.push(message);
          // Commit only after the record is handled (here: kept).
          await message.commit();
          if (received.length === sent.length) break;
        }
      } finally {
        await stream?.close();
        await consumer.close();
      }

      expect(
        received.map(({ key, value }) => ({ key, value })).sort((a, b) => a.value.localeCompare(b.value)),
      ).toEqual([...sent].sort((a, b) => a.value.localeCompare(b.value)));
      // Same key, same partition, in order.
      for (const key of new Set(sent.map((record) => record.key))) {
        const forKey = received.filter((message) => message.key === key);
        expect(new Set(forKey.map((message) => message.partition)).size).toBe(1);
        expect(forKey.map((message) => message.value)).toEqual(
          sent.filter((record) => record.key === key).map((record) => record.value),
        );
      }

      // The commits reached the group coordinator: per partition, committed offset = last offset read + 1.
      const [group] = await admin.listConsumerGroupOffsets({ groups: [groupId] });
      const committed = new Map(
        (group?.topics.find((topic) => topic.name === testTopic)?.partitions ?? []).map((partition) => [
          partition.partitionIndex,
          partition.committedOffset,
        ]),
      );
      const expected = new Map<number, bigint>();
      for (const message of received) {
        const next = message.offset + 1n;
        if (next > (expected.get(message.partition) ?? -1n)) expected.set(message.partition, next);
      }
      expect(committed).toEqual(expected);
    });
  },
);
