/**
 * Produces generated traffic (devkit/play-batches.ts: valid plays, some short, duplicate deliveries and
 * invalid events) to a fresh Kafka topic, and writes the records as the consumer will see them:
 *
 *   node spark/tests/produce_traffic.ts <topic> <count> <seed> <records.json>
 *
 * The topic is created with 3 partitions and no time-based retention (the records carry a fixed timestamp).
 * Event i goes to partition i % 3; each partition's messages are sent in order, one partition's batch at a
 * time, so on a fresh topic the offsets are 0, 1, 2, … per partition, as written to <records.json>
 * ({ topic, partition, offset, timestamp, value }[], what writePlaysToLake takes). Needs KAFKA_BROKERS.
 */
import { writeFileSync } from 'node:fs';
import { replayRecords } from '../../devkit/kafka.ts';
import { generateTraffic } from '../../devkit/play-batches.ts';
import type { ConsumedRecord } from '../../src/domain/consumed-record.ts';
import { defaultRegions } from '../../src/domain/regions.ts';

export const TRAFFIC_WINDOW_START = new Date('2026-11-20T10:00:00.000Z');
const WINDOW_MS = 2 * 60 * 60 * 1000;
/** The record timestamp: a minute after the window, so its plays are neither in the future nor too old. */
const RECORD_TIMESTAMP = TRAFFIC_WINDOW_START.getTime() + WINDOW_MS + 60_000;
const PARTITIONS = 3;

const [topic, count, seed, out] = process.argv.slice(2);
const brokers = (process.env.KAFKA_BROKERS ?? '').split(',').filter(Boolean);
if (!topic || !count || !seed || !out || brokers.length === 0) {
  console.error(
    'usage: KAFKA_BROKERS=… node spark/tests/produce_traffic.ts <topic> <count> <seed> <records.json>',
  );
  process.exit(2);
}

const traffic = generateTraffic({
  seed: Number(seed),
  count: Number(count),
  windowStart: TRAFFIC_WINDOW_START,
  windowMs: WINDOW_MS,
  regions: defaultRegions,
  songs: 60,
});
const nextOffsets = Array.from({ length: PARTITIONS }, () => 0);
const records: ConsumedRecord[] = traffic.events.map((event, index) => {
  const partition = index % PARTITIONS;
  const offset = nextOffsets[partition]!;
  nextOffsets[partition] = offset + 1;
  return { topic, partition, offset, timestamp: RECORD_TIMESTAMP, value: JSON.stringify(event) };
});

await replayRecords(brokers, topic, PARTITIONS, records);
writeFileSync(out, JSON.stringify(records));
const valid = traffic.valid.filter(Boolean).length;
console.error(
  `produced ${records.length} generated records to ${topic} (${valid} valid, ${records.length - valid} invalid)`,
);
