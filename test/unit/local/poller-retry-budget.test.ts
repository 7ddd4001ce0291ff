/**
 * The retry budget of a topic trigger: without an attempt limit a failing batch is retried, with backoff,
 * until it succeeds; only a record still failing past `maxRecordAgeSeconds` is dead-lettered.
 */
import type { MSKEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { waitFor } from '../../../devkit/wait-for.ts';
import {
  defaultBackoff,
  EventSourcePoller,
  type PollerSettings,
} from '../../../local/event-source-poller.ts';
import { prometheusMetrics } from '../../../src/adapters/metrics/prometheus.ts';
import type { LogRecord } from '../../../src/ports/transport.ts';
import type { TopicTrigger } from '../../../src/topology.ts';
import { freshTransportPerTest, keyOn, labels, transport } from './poller-fixture.ts';

const TOPIC = 'song-plays';
const DLQ = 'song-plays-dlq';
const GROUP = 'lake-writer';
const HOUR_MS = 3_600_000;
const trigger: TopicTrigger = {
  kind: 'topic',
  topic: TOPIC,
  batchSize: 100,
  batchWindowSeconds: 0,
  maxAttempts: Number.POSITIVE_INFINITY,
  maxRecordAgeSeconds: 6 * 3600,
  splitBatchOnError: true,
};

const A = 0;
const B = 2;

freshTransportPerTest('poller-budget');

/** Every partition of the event reported failed from its first record: what the lake-writer answers when S3 is down. */
const allFailed = (event: MSKEvent) => ({
  batchItemFailures: Object.entries(event.records).map(([partition, records]) => ({
    itemIdentifier: { partition, offset: records[0]!.offset },
  })),
});

async function publish(partition: number, count: number) {
  for (let n = 0; n < count; n++) {
    await transport.publish(TOPIC, [{ key: keyOn(partition), value: JSON.stringify({ n }) }]);
  }
}

async function uncommitted(): Promise<string[]> {
  const records = await (await transport.consumer(TOPIC, GROUP)).fetch(1000, 0);
  return records.map((record) => `${record.partition}@${record.offset}`).sort();
}

async function deadLetters(): Promise<LogRecord[]> {
  return (await transport.consumer(DLQ, 'test')).fetch(100, 0);
}

/** A poller of the plays topic whose function fails every partition in its first `failures` invocations. */
async function failingPoller(failures: number, options: Partial<PollerSettings> = {}) {
  const consumer = await transport.consumer(TOPIC, GROUP);
  const events: MSKEvent[] = [];
  const poller = new EventSourcePoller({
    functionName: 'lake-writer',
    trigger,
    consumer,
    deadLetters: { publisher: transport, topic: DLQ },
    invoke: async (event) => {
      events.push(event as MSKEvent);
      return events.length <= failures ? allFailed(event as MSKEvent) : { batchItemFailures: [] };
    },
    backoffMs: () => 0,
    ...options,
  });
  return { poller, consumer, events };
}

describe('the retry budget of a topic trigger', () => {
  it('without an attempt limit, retries a failing batch with growing backoff until it succeeds; nothing is dead-lettered', async () => {
    await publish(A, 2);
    await publish(B, 1);
    const pauses: number[] = [];
    // Far more attempts than any finite limit would allow (the lake-writer's was 5).
    const { poller, consumer, events } = await failingPoller(40, {
      backoffMs: (attempt) => {
        pauses.push(attempt);
        return 0;
      },
    });
    await poller.deliver(await consumer.fetch(100, 0));

    expect(events).toHaveLength(41);
    const all = [`${A}@0`, `${A}@1`, `${B}@0`];
    expect(events.map(labels)).toEqual(Array.from({ length: 41 }, () => all));
    expect(pauses).toEqual(Array.from({ length: 40 }, (_, index) => index + 1));
    expect(await deadLetters()).toEqual([]);
    expect(await uncommitted()).toEqual([]);
  });

  it('backs off exponentially from 200 ms, at most 10 s apart', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 8, 1000].map(defaultBackoff)).toEqual([
      200, 400, 800, 1600, 3200, 6400, 10_000, 10_000, 10_000,
    ]);
  });

  it('dead-letters a failing record once it is older than maxRecordAgeSeconds; younger ones keep being retried', async () => {
    await publish(A, 2);
    await publish(B, 1);
    const now = Date.now();
    const metrics = prometheusMetrics();
    const { poller, consumer, events } = await failingPoller(3, { now: () => now, metrics });
    // A's first record reached the transport 7 hours ago (a consumer that has been failing that long).
    const batch = (await consumer.fetch(100, 0)).map((record) =>
      record.partition === A && record.offset === 0 ? { ...record, timestamp: now - 7 * HOUR_MS } : record,
    );
    await poller.deliver(batch);

    expect(events.map(labels)).toEqual([
      [`${A}@0`, `${A}@1`, `${B}@0`],
      // A@0 is dead; A@1 (received just now) and B@0 are retried until they succeed.
      [`${A}@1`, `${B}@0`],
      [`${A}@1`, `${B}@0`],
      [`${A}@1`, `${B}@0`],
    ]);
    const dead = await deadLetters();
    expect(dead.map((record) => record.headers['x-source'])).toEqual([`${TOPIC}-${A}@0`]);
    expect(dead.map((record) => record.headers['x-failure-reason'])).toEqual([
      'lake-writer reported it as a batch item failure in attempt 1; retried until older than 21600 s',
    ]);
    expect(await metrics.exposition()).toContain('top_songs_dead_letters_total{function="lake-writer"} 1\n');
    expect(await uncommitted()).toEqual([]);
  });

  it('stops during a backoff without waiting it out, leaving the batch uncommitted', async () => {
    await publish(A, 1);
    // Longer than the test's timeout: stop() must cut it short.
    const { poller, events } = await failingPoller(Number.POSITIVE_INFINITY, {
      backoffMs: () => 10 * 60_000,
    });
    poller.start();
    await waitFor('the first attempt to fail', async () => (events.length > 0 ? true : undefined), 30_000, 5);
    await poller.stop();
    expect(events).toHaveLength(1);
    expect(await uncommitted()).toEqual([`${A}@0`]);
    expect(await deadLetters()).toEqual([]);
  });
});
