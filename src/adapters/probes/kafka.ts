import { Admin, FetchIsolationLevels, ListOffsetTimestamps } from '@platformatic/kafka';
import { type ConnectionProbe, fail, ok, type ProbeOutcome } from '../../ports/connection-probe.ts';
import type { TopicDeclaration } from '../../topology.ts';
import { UNREACHABLE_ERRNOS } from '../network-errors.ts';
import { describeKafkaError, type KafkaConnectionOptions } from '../transport/kafka/connection.ts';
import { errorCodes, hasAny, UNKNOWN_HOST } from './error-codes.ts';
import { lagText } from './lag.ts';

export interface KafkaProbeOptions {
  readonly brokers: readonly string[];
  /** How to reach them (SASL over TLS when configured); read when the check runs. */
  readonly connection: () => Promise<KafkaConnectionOptions>;
  /** The topology's topics, namespaced. */
  readonly topics: readonly TopicDeclaration[];
  /** The consumer group whose lag is reported, on `lagTopic`. */
  readonly group: string;
  readonly lagTopic: string;
}

const RUNNING_HINT = 'is Kafka running? npm run services:up -- kafka, or check KAFKA_BROKERS';

/**
 * The brokers answer; the topology's topics exist with their partitions (missing ones are reported: the transport
 * creates them when it opens); the consumer group's lag per partition.
 */
export function kafkaProbe(options: KafkaProbeOptions): ConnectionProbe {
  return {
    service: 'kafka',
    target: options.brokers.join(','),
    silentHint: RUNNING_HINT,
    check: async (signal) => {
      // One quick retry: a stopped broker is a refused connection, said at once rather than after the timeout.
      const admin = new Admin({ ...(await options.connection()), retries: 1, retryDelay: 250 });
      const close = () => void admin.close().catch(() => {});
      signal.addEventListener('abort', close);
      try {
        return await inspect(admin, options);
      } catch (error) {
        return refused(error);
      } finally {
        signal.removeEventListener('abort', close);
        await admin.close().catch(() => {});
      }
    },
  };
}

async function inspect(admin: Admin, options: KafkaProbeOptions): Promise<ProbeOutcome> {
  const existing = new Set(await admin.listTopics());
  const present = options.topics.filter((topic) => existing.has(topic.name));
  const metadata = await admin.metadata({ topics: present.map((topic) => topic.name) });
  const topics = options.topics.map((topic) => {
    const found = metadata.topics.get(topic.name);
    if (!found) return `${topic.name} missing (created when the transport opens)`;
    const differs = found.partitionsCount === topic.partitions ? '' : ` (topology: ${topic.partitions})`;
    return `${topic.name} ×${found.partitionsCount}${differs}`;
  });
  const brokers = `${metadata.brokers.size} broker${metadata.brokers.size === 1 ? '' : 's'}`;
  const partitions = metadata.topics.get(options.lagTopic)?.partitionsCount;
  const lag = partitions === undefined ? undefined : await groupLag(admin, options, partitions);
  return ok([brokers, topics.join(', '), lag].filter(Boolean).join('; '));
}

/**
 * The group's lag per partition: what a read-committed consumer can read (the last stable offset) minus where
 * the group resumes (its committed offset; without one, the earliest offset, where the lake-writer starts). With
 * transactional ingest a caught-up group lags by 1 on a partition that holds records: the last offset is a
 * transaction marker that no consumer commits past.
 */
async function groupLag(admin: Admin, options: KafkaProbeOptions, partitions: number): Promise<string> {
  const [group] = await admin.listConsumerGroupOffsets({ groups: [options.group] });
  const committed = new Map(
    group?.topics
      .find((topic) => topic.name === options.lagTopic)
      ?.partitions.map((partition) => [partition.partitionIndex, partition.committedOffset]),
  );
  const indexes = Array.from({ length: partitions }, (_, index) => index);
  const offsets = async (timestamp: bigint) => {
    const [topic] = await admin.listOffsets({
      topics: [
        {
          name: options.lagTopic,
          partitions: indexes.map((partitionIndex) => ({ partitionIndex, timestamp })),
        },
      ],
      isolationLevel: FetchIsolationLevels.READ_COMMITTED,
    });
    return new Map(topic?.partitions.map((partition) => [partition.partitionIndex, partition.offset]));
  };
  const [ends, starts] = await Promise.all([
    offsets(ListOffsetTimestamps.LATEST),
    offsets(ListOffsetTimestamps.EARLIEST),
  ]);
  const lags = indexes.map((partition) => {
    const end = ends.get(partition) ?? 0n;
    const start = starts.get(partition) ?? 0n;
    // -1 (or none): nothing committed on this partition; the consumer starts at the earliest offset.
    const resume = committed.get(partition) ?? -1n;
    const from = resume > start ? resume : start;
    return { partition, lag: end > from ? end - from : 0n };
  });
  const none = committed.size === 0 ? ', nothing committed yet' : '';
  return `${lagText(options.group, lags)}${none}`;
}

function refused(error: unknown): ProbeOutcome {
  const codes = errorCodes(error);
  const detail = describeKafkaError(error);
  if (hasAny(codes, UNKNOWN_HOST)) return fail(detail, 'a broker host does not resolve: check KAFKA_BROKERS');
  if (hasAny(codes, UNREACHABLE_ERRNOS) || /connect|timeout|timed out/i.test(detail)) {
    return fail(detail, RUNNING_HINT);
  }
  if (/SASL|authentication/i.test(detail)) {
    return fail(
      detail,
      'the brokers refused the credentials: check the secret in KAFKA_SECRET_ARN and KAFKA_AUTHENTICATION_METHOD',
    );
  }
  return fail(detail, "the brokers answered with an error: check KAFKA_BROKERS and the brokers' logs");
}
