/**
 * Produces golden-vector messages to a Kafka topic, for the Spark job's integration tests (spark/tests):
 *
 *   node spark/tests/produce_vectors.ts <topic> <from> <to>     (message indexes [from, to) of the vectors)
 *
 * Creates the topic when missing (the vectors' partition count, no time-based retention: the vectors carry
 * fixed timestamps in the past). Each message goes to its own partition with its timestamp and key, one at a
 * time, so that offsets are those of the vectors on a fresh topic. Needs KAFKA_BROKERS.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { createReplayTopic, stringProducer } from '../../test/support/kafka.ts';

interface Vectors {
  topic_partitions: number;
  messages: { partition: number; timestamp: number; key: string | null; value: string }[];
}

const [topic, from = '0', to] = process.argv.slice(2);
const brokers = (process.env.KAFKA_BROKERS ?? '').split(',').filter(Boolean);
if (!topic || brokers.length === 0) {
  console.error('usage: KAFKA_BROKERS=… node spark/tests/produce_vectors.ts <topic> [from] [to]');
  process.exit(2);
}
const vectors = JSON.parse(
  readFileSync(resolve(import.meta.dirname, '../../test/vectors/plays.json'), 'utf8'),
) as Vectors;
const messages = vectors.messages.slice(Number(from), to === undefined ? undefined : Number(to));

await createReplayTopic(brokers, topic, vectors.topic_partitions);
const producer = stringProducer(brokers, 'spark-vectors-producer');
try {
  for (const message of messages) {
    await producer.send({
      messages: [
        {
          topic,
          partition: message.partition,
          timestamp: BigInt(message.timestamp),
          ...(message.key === null ? {} : { key: message.key }),
          value: message.value,
        },
      ],
    });
  }
} finally {
  await producer.close();
}
console.error(`produced ${messages.length} vector messages to ${topic}`);
