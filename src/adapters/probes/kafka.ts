import { Admin } from '@platformatic/kafka';
import { type ConnectionProbe, fail, ok, type ProbeOutcome } from '../../ports/connection-probe.ts';
import type { TopicDeclaration } from '../../topology.ts';
import { UNREACHABLE_ERRNOS } from '../network-errors.ts';
import { describeKafkaError, type KafkaConnectionOptions } from '../transport/kafka/connection.ts';
import { kafkaGroupLag } from '../transport/kafka/group-lag.ts';
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

async function groupLag(admin: Admin, options: KafkaProbeOptions, partitions: number): Promise<string> {
  const { lags, committedAny } = await kafkaGroupLag(admin, options.group, options.lagTopic, partitions);
  return `${lagText(options.group, lags)}${committedAny ? '' : ', nothing committed yet'}`;
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
