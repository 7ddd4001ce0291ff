/**
 * kafka: the ingestPlays use case (parse, validate, publish) into a real KafkaTransport (each request in a
 * transaction; idempotent, acks=all) on the broker of KAFKA_BROKERS, against the raw @platformatic/kafka
 * Producer (idempotent, acks=all, no transaction) sending the very same messages to the same broker. Runs
 * only when KAFKA_BROKERS is set.
 */
import { randomUUID } from 'node:crypto';
import { Admin, type Producer } from '@platformatic/kafka';
import { stringProducer } from '../devkit/kafka.ts';
import { KafkaTransport } from '../src/adapters/transport/kafka/transport.ts';
import { defaultRegions } from '../src/domain/regions.ts';
import { namespacedTopics, qualified, topics } from '../src/topology.ts';
import { type IngestPorts, ingestPlays } from '../src/use-cases/ingest-plays.ts';
import {
  type BenchOptions,
  formatRate,
  formatRatio,
  inParallel,
  interleave,
  planFor,
  printTable,
  type TableRow,
  timed,
} from './harness.ts';
import { benchRequest, ingestWorkload, uncountedHops, uncountedLimiter } from './ingest.ts';
import { BENCH_NOW } from './plays.ts';

/** Why the benchmark cannot run here, or undefined when it can. */
export function unavailable(): string | undefined {
  return process.env.KAFKA_BROKERS
    ? undefined
    : 'kafka: skipped, KAFKA_BROKERS is not set (start a broker with `npm run services:up -- kafka` and export what it prints)';
}

function brokersFromEnvironment(): string[] {
  return (process.env.KAFKA_BROKERS ?? '')
    .split(',')
    .map((broker) => broker.trim())
    .filter(Boolean);
}

async function ingestOnce(body: string, ports: IngestPorts): Promise<void> {
  const result = await ingestPlays(benchRequest(body), ports);
  if (result.statusCode !== 202 || (result.body as { rejected: unknown[] }).rejected.length > 0) {
    throw new Error(`ingest answered ${result.statusCode}: ${JSON.stringify(result.body).slice(0, 300)}`);
  }
}

/** The sum over the topic's partitions of the broker's end offsets (the next offset to be written). */
async function endOffsetTotal(admin: Admin, topic: string, partitions: number): Promise<bigint> {
  const [listed] = await admin.listOffsets({
    topics: [
      {
        name: topic,
        // -1: the latest offset.
        partitions: Array.from({ length: partitions }, (_, partitionIndex) => ({
          partitionIndex,
          timestamp: -1n,
        })),
      },
    ],
  });
  if (listed?.partitions.length !== partitions) {
    throw new Error(
      `listOffsets gave ${listed?.partitions.length ?? 0} partitions of ${topic}, expected ${partitions}`,
    );
  }
  return listed.partitions.reduce((sum, partition) => sum + partition.offset, 0n);
}

export async function run(options: BenchOptions): Promise<void> {
  const reason = unavailable();
  if (reason) {
    console.log(`\n${reason}`);
    return;
  }
  const brokers = brokersFromEnvironment();
  const plan = planFor(options);
  // A namespace of its own, so that benchmark records never mix with real ones; deleted afterwards.
  const namespace = `bench-${randomUUID().slice(0, 8)}`;
  const declared = namespacedTopics(namespace);
  const topic = qualified(topics.plays.name, namespace);
  const partitions = topics.plays.partitions;

  const admin = new Admin({ clientId: 'top-songs-bench-admin', bootstrapBrokers: brokers });
  const clients: { transport?: KafkaTransport; producer?: Producer<string, string, string, string> } = {};
  const cleanUp = async () => {
    try {
      await clients.transport?.close();
      await clients.producer?.close();
      const existing = new Set(await admin.listTopics());
      const created = declared.map((declaration) => declaration.name).filter((name) => existing.has(name));
      if (created.length > 0) await admin.deleteTopics({ topics: created });
    } finally {
      await admin.close();
    }
  };
  try {
    // Creates the namespaced topics. Both clients stay open across runs, as in a warm function
    // instance; the warm-up round pays for connecting, metadata and the idempotent producer id.
    const transport = await KafkaTransport.open({ brokers, topics: declared, clientId: 'top-songs-bench' });
    clients.transport = transport;
    const raw = stringProducer(brokers, 'top-songs-bench-raw-producer');
    clients.producer = raw;
    const ports: IngestPorts = {
      transport,
      topic,
      regions: defaultRegions,
      clock: () => new Date(BENCH_NOW),
      rateLimiter: uncountedLimiter,
      ...uncountedHops,
    };

    /**
     * Times `work`, and fails unless the topic's end offsets grew by `events`, plus, for transactions, at
     * most one commit marker (which takes an offset) per partition and transaction, a transaction holding
     * one request or more.
     */
    const checked = async (events: number, work: () => Promise<void>, transactions = 0): Promise<number> => {
      const before = await endOffsetTotal(admin, topic, partitions);
      const seconds = await timed(work);
      // The broker writes commit markers after it has answered the commit: wait for them, so that they
      // count in this run and not in the next.
      let after = await endOffsetTotal(admin, topic, partitions);
      for (let previous = -1n; after !== previous; ) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        [previous, after] = [after, await endOffsetTotal(admin, topic, partitions)];
      }
      const grown = after - before;
      const most = BigInt(events + transactions * partitions);
      if (grown < BigInt(events) || grown > most) {
        throw new Error(
          `the end offsets of ${topic} grew by ${grown} records, expected ${events}${transactions ? ` to ${most}` : ''}`,
        );
      }
      return seconds;
    };

    const cases = [
      { batch: 1, requests: options.quick ? 200 : 1_000, callers: 1 },
      { batch: 100, requests: options.quick ? 60 : 300, callers: 1 },
      // Many small requests at once: shows whether concurrent sends share a produce request.
      { batch: 1, requests: options.quick ? 400 : 2_000, callers: 16 },
      // The issue #13 goal: ≥ 100k events/s from 16 callers of 100-event requests, ≥ 0.5× the raw producer.
      { batch: 100, requests: options.quick ? 320 : 1_600, callers: 16 },
    ];
    const rows: TableRow[] = [];
    for (const { batch, requests, callers } of cases) {
      const workload = ingestWorkload(1_000 + batch, requests, batch, BENCH_NOW);
      const stats = await interleave(
        {
          producer: () =>
            checked(workload.events, () =>
              inParallel(callers, workload.messages, async (messages) => {
                await raw.send({
                  messages: messages.map((message) => ({ topic, key: message.key, value: message.value })),
                });
              }),
            ),
          ingest: () =>
            checked(
              workload.events,
              () => inParallel(callers, workload.bodies, (body) => ingestOnce(body, ports)),
              requests,
            ),
        },
        plan,
      );
      rows.push({
        name: `batch ${batch} × ${requests} requests, ${callers} caller${callers === 1 ? '' : 's'}`,
        figure: formatRate(workload.events, stats.ingest, 'events/s'),
        baseline: formatRate(workload.events, stats.producer, 'events/s'),
        ratio: formatRatio(stats.ingest, stats.producer),
      });
    }
    printTable(
      `kafka: ingestPlays into a KafkaTransport (broker ${brokers.join(',')}, topic ${topic})`,
      [
        'figure:   ingestPlays (JSON.parse, zod validation, KafkaTransport.publish: a transaction), events/s',
        'baseline: @platformatic/kafka Producer.send of the same messages (idempotent, acks=all, no transaction),',
        '          same callers',
        '          (each caller sends its next request once the previous one is acknowledged)',
        `ratio:    figure ÷ baseline throughput; median of ${plan.runs} runs after ${plan.warmups} warm-up, ± half the range`,
      ],
      rows,
    );
  } catch (error) {
    // A cleanup error must not hide the error of the run.
    await cleanUp().catch((cleanupError: unknown) => {
      console.error(
        `kafka: cleanup failed too, topics ${namespace}.* may be left over: ${String(cleanupError)}`,
      );
    });
    throw error;
  }
  await cleanUp();
}
