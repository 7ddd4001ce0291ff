import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { Admin, Consumer, type Message, ProduceAcks, Producer, stringSerializers } from '@platformatic/kafka';
import { readCommittedOnly } from '../src/adapters/transport/kafka/read-committed.ts';
import { skipWithout } from './required.ts';
import { servicePaths } from './services/paths.ts';
import { runningPid } from './services/process.ts';

const root = resolve(import.meta.dirname, '..');

/** The brokers the Kafka tests run against, when `npm run services:up` (or CI) has started them. */
export const kafkaBrokers = process.env.KAFKA_BROKERS;

/** Whether the Kafka tests skip: KAFKA_BROKERS is unset, and TOP_SONGS_REQUIRE_KAFKA=1 does not forbid it. */
export const kafkaSkipped = () =>
  skipWithout('KAFKA', kafkaBrokers, 'KAFKA_BROKERS is not set (`npm run services:up -- kafka` prints it)');

/** The namespaces this test file made: `deleteTestTopics` removes their topics and groups. */
const namespaces = new Set<string>();

/** A namespace of topics and groups of its own, so that runs never see each other's records. */
export const testNamespace = (name: string) => {
  const namespace = `test-${name}-${randomUUID().slice(0, 8)}`;
  namespaces.add(namespace);
  return namespace;
};

const testAdmin = () =>
  new Admin({ clientId: 'test-admin', bootstrapBrokers: (kafkaBrokers ?? '').split(',') });

/**
 * Deletes the topics and consumer groups of every namespace this test file made (test/support/kafka-cleanup.ts
 * runs it after each Kafka test file), and fails if a topic is left: test topics must not pile up in the
 * broker's data folder, run after run.
 */
export async function deleteTestTopics(): Promise<void> {
  if (!kafkaBrokers || namespaces.size === 0) return;
  const ours = (name: string) => [...namespaces].some((namespace) => name.startsWith(`${namespace}.`));
  const admin = testAdmin();
  try {
    const topics = (await admin.listTopics()).filter(ours);
    if (topics.length > 0) await admin.deleteTopics({ topics });
    // Groups one by one, and only where the broker allows: a SIGKILLed process's group keeps its member until
    // the session times out (NON_EMPTY_GROUP); what is left is a few committed offsets, which the broker
    // expires by itself (offsets.retention.minutes).
    const groups = [...(await admin.listGroups()).keys()].filter(ours);
    await Promise.allSettled(groups.map((group) => admin.deleteGroups({ groups: [group] })));
    const left = (await admin.listTopics()).filter(ours);
    if (left.length > 0) throw new Error(`test topics left behind: ${left.join(', ')}`);
    namespaces.clear();
  } finally {
    await admin.close();
  }
}

/** The offsets a consumer group has committed on `topic`, by partition. */
export async function committedOffsets(group: string, topic: string): Promise<Map<number, number>> {
  const admin = testAdmin();
  try {
    const [offsets] = await admin.listConsumerGroupOffsets({ groups: [group] });
    const partitions = offsets?.topics.find((candidate) => candidate.name === topic)?.partitions ?? [];
    return new Map(
      partitions.map((partition) => [partition.partitionIndex, Number(partition.committedOffset)]),
    );
  } finally {
    await admin.close();
  }
}

/**
 * Stops or starts the native broker through the project's own stack script; or pauses and resumes its process
 * (SIGSTOP, SIGCONT): a hung broker, whose connections stay open and whose answers never come. Asynchronous,
 * so that whatever else runs in the process (a local runtime taking requests) goes on meanwhile.
 */
export async function broker(action: 'up' | 'down' | 'pause' | 'resume'): Promise<void> {
  if (action === 'pause' || action === 'resume') {
    const pidFile = join(servicePaths().runDir, 'kafka', 'kafka.pid');
    const pid = runningPid(pidFile, 'kafka.Kafka');
    if (pid === undefined) throw new Error(`no broker running with the pid in ${pidFile}`);
    process.kill(pid, action === 'pause' ? 'SIGSTOP' : 'SIGCONT');
    return;
  }
  await promisify(execFile)(process.execPath, [resolve(root, 'scripts/services.ts'), action, 'kafka'], {
    cwd: root,
    env: process.env,
  });
}

/** Every record of a topic, read from the beginning by a throwaway consumer group. */
export async function readTopic(topic: string, expected: number, timeoutMs = 30_000): Promise<Message[]> {
  // Committed records only, as the pipeline's consumer reads them (read-committed.ts says why it is needed).
  const consumer = readCommittedOnly(
    new Consumer({
      groupId: `reader-${randomUUID()}`,
      clientId: 'test-reader',
      bootstrapBrokers: (kafkaBrokers ?? '').split(','),
      autocommit: false,
      maxWaitTime: 200,
    }),
  );
  const stream = await consumer.consume({ topics: [topic], mode: 'earliest', autocommit: false });
  const messages: Message[] = [];
  try {
    await new Promise<void>((done, fail) => {
      const timer = setTimeout(
        () => fail(new Error(`read ${messages.length} of ${expected} records from ${topic}`)),
        timeoutMs,
      );
      stream.on('data', (message: Message) => {
        messages.push(message);
        if (messages.length >= expected) {
          clearTimeout(timer);
          done();
        }
      });
      stream.on('error', fail);
    });
    return messages;
  } finally {
    await stream.close();
    await consumer.close(true);
  }
}

/**
 * Creates `topic` unless it exists, keeping its records however old their timestamps: replayed records
 * (fixtures, golden vectors, bench traffic) carry recorded timestamps, which the broker's default 7-day
 * retention would delete minutes after they were produced.
 */
export async function createReplayTopic(
  brokers: readonly string[],
  topic: string,
  partitions: number,
): Promise<void> {
  const admin = new Admin({ clientId: 'replay-admin', bootstrapBrokers: [...brokers] });
  try {
    if ((await admin.listTopics()).includes(topic)) return;
    await admin.createTopics({
      topics: [topic],
      partitions,
      replicas: -1,
      configs: [{ name: 'retention.ms', value: '-1' }],
    });
  } finally {
    await admin.close();
  }
}

/** A producer of string records configured as the platform's: idempotent, acks=all, no topic auto-creation. */
export function stringProducer(brokers: readonly string[], clientId: string) {
  return new Producer({
    clientId,
    bootstrapBrokers: [...brokers],
    serializers: stringSerializers,
    idempotent: true,
    acks: ProduceAcks.ALL,
    autocreateTopics: false,
  });
}

/** A record to replay at a given partition, with its recorded timestamp (epoch ms). */
export interface ReplayRecord {
  readonly partition: number;
  readonly timestamp: number;
  readonly key?: string | null;
  readonly value: string;
}

/**
 * Replays records to `topic` (created when missing, keeping old timestamps: createReplayTopic), each
 * partition's in their order, so that on a fresh topic they get offsets 0, 1, 2, … per partition.
 */
export async function replayRecords(
  brokers: readonly string[],
  topic: string,
  partitions: number,
  records: readonly ReplayRecord[],
): Promise<void> {
  await createReplayTopic(brokers, topic, partitions);
  const producer = stringProducer(brokers, `replay-producer-${randomUUID().slice(0, 8)}`);
  try {
    for (const [partition, mine] of Map.groupBy(records, (record) => record.partition)) {
      for (let start = 0; start < mine.length; start += 500) {
        await producer.send({
          messages: mine.slice(start, start + 500).map((record) => ({
            topic,
            partition,
            timestamp: BigInt(record.timestamp),
            ...(record.key == null ? {} : { key: record.key }),
            value: record.value,
          })),
        });
      }
    }
  } finally {
    await producer.close();
  }
}
