/**
 * Produces records to a Kafka topic for the Spark job's integration tests (spark/tests):
 *
 *   node spark/tests/produce_records.ts <topic> <partitions> <records.json>
 *
 * <records.json> is `{partition, timestamp, key, value}[]` (golden-vector messages, or records a test built).
 * Creates the topic when missing with no time-based retention (createReplayTopic): the records carry fixed
 * timestamps, often far in the past. Each partition's records are sent in their order, so on a fresh topic
 * they get offsets 0, 1, 2, … per partition. Needs KAFKA_BROKERS.
 */
import { readFileSync } from 'node:fs';
import { type ReplayRecord, replayRecords } from '../../devkit/kafka.ts';

const [topic, partitions, file] = process.argv.slice(2);
const brokers = (process.env.KAFKA_BROKERS ?? '').split(',').filter(Boolean);
if (!topic || !partitions || !file || brokers.length === 0) {
  console.error(
    'usage: KAFKA_BROKERS=… node spark/tests/produce_records.ts <topic> <partitions> <records.json>',
  );
  process.exit(2);
}
const records = JSON.parse(readFileSync(file, 'utf8')) as ReplayRecord[];

await replayRecords(brokers, topic, Number(partitions), records);
console.error(`produced ${records.length} records to ${topic}`);
