import { randomUUID } from 'node:crypto';
import { Admin } from '@platformatic/kafka';
import { withDeadline } from '../../../ports/deadline.ts';
import {
  type ForwardedMessage,
  type LogConsumer,
  type OutgoingMessage,
  type PartitionLag,
  type Transport,
  TransportUnavailableError,
} from '../../../ports/transport.ts';
import type { TopicDeclaration } from '../../../topology.ts';
import { describeKafkaError, type KafkaSasl, kafkaConnectionOptions } from './connection.ts';
import { openKafkaConsumer } from './consumer.ts';
import { KafkaForwarder } from './forwarder.ts';
import { kafkaGroupLag } from './group-lag.ts';
import { TransactionalPublisher } from './publisher.ts';

export interface KafkaTransportOptions {
  readonly brokers: readonly string[];
  /** SASL authentication, over TLS (MSK and self-managed SASL_SSL listeners); absent: PLAINTEXT. */
  readonly sasl?: KafkaSasl;
  /** Topics to create when missing (the cluster's default replication factor). */
  readonly topics?: readonly TopicDeclaration[];
  readonly clientId?: string;
  /**
   * How long ingest waits for the brokers' acknowledgement before answering 503, and how long opening the
   * transport may take; the composition root derives it from ingest's function timeout.
   */
  readonly publishTimeoutMs?: number;
}

/**
 * Kafka through @platformatic/kafka (pure TypeScript, maintained; see docs/decisions.md).
 * Each publish is one Kafka transaction (publisher.ts): idempotent, acks=all, all of it or nothing
 * visible to read-committed consumers; a failure or a timeout is a TransportUnavailableError, which ingest
 * answers with 503. Consumers commit offsets only when told to, after the function has processed the records.
 */
export class KafkaTransport implements Transport {
  readonly eventSource = 'kafka' as const;
  private readonly options: Required<Omit<KafkaTransportOptions, 'sasl'>> &
    Pick<KafkaTransportOptions, 'sasl'>;
  private publisher: TransactionalPublisher | undefined;
  private readonly consumers = new Set<LogConsumer>();
  private forwarder: KafkaForwarder | undefined;

  private constructor(options: KafkaTransportOptions) {
    this.options = { clientId: 'top-songs', publishTimeoutMs: 4_000, topics: [], ...options };
  }

  /** Connects and creates the declared topics that the cluster does not have yet. */
  static async open(options: KafkaTransportOptions): Promise<KafkaTransport> {
    const transport = new KafkaTransport(options);
    await transport.ensureTopics();
    return transport;
  }

  private async ensureTopics(): Promise<void> {
    const admin = new Admin(kafkaConnectionOptions(this.options, `${this.options.clientId}-admin`));
    const creating = (async () => {
      const existing = new Set(await admin.listTopics());
      for (const topic of this.options.topics.filter((declared) => !existing.has(declared.name))) {
        await admin.createTopics({ topics: [topic.name], partitions: topic.partitions, replicas: -1 });
      }
    })();
    // Bounded like a publish, so that a cold ingest facing a hung broker still answers 503 in time;
    // closing the admin then cancels what is left of its work.
    const timeoutMs = this.options.publishTimeoutMs;
    try {
      await withDeadline(creating, timeoutMs, () => new Error(`no answer within ${timeoutMs} ms`));
    } catch (error) {
      creating.catch(() => {});
      admin.close().catch(() => {});
      throw new TransportUnavailableError(
        `Kafka at ${this.bootstrapServers}: ${describeKafkaError(error)}`,
        5,
        {
          cause: error,
        },
      );
    }
    await admin.close();
  }

  async publish(topic: string, messages: readonly OutgoingMessage[]): Promise<void> {
    this.publisher ??= new TransactionalPublisher({
      connection: kafkaConnectionOptions(this.options, `${this.options.clientId}-producer`),
      // Unique per process: Lambda runs instances side by side, and a shared id would fence them.
      transactionalIdPrefix: `${this.options.clientId}-producer-${randomUUID().slice(0, 8)}`,
      timeoutMs: this.options.publishTimeoutMs,
    });
    try {
      await this.publisher.publish(
        messages.map((message) => ({
          topic,
          key: message.key,
          value: message.value,
          ...(message.headers ? { headers: { ...message.headers } } : {}),
        })),
      );
    } catch (error) {
      throw new TransportUnavailableError(
        `Kafka at ${this.bootstrapServers}: ${describeKafkaError(error)}`,
        5,
        {
          cause: error,
        },
      );
    }
  }

  /** The brokers, as Lambda's self-managed Kafka events name them. */
  get bootstrapServers(): string {
    return this.options.brokers.join(',');
  }

  async forward(topic: string, messages: readonly ForwardedMessage[]): Promise<void> {
    this.forwarder ??= new KafkaForwarder(
      kafkaConnectionOptions(this.options, `${this.options.clientId}-forwarder`),
      this.options.publishTimeoutMs,
    );
    await this.forwarder.forward(topic, messages);
  }

  async consumer(topic: string, group: string): Promise<LogConsumer> {
    const consumer: LogConsumer = await openKafkaConsumer({
      connection: kafkaConnectionOptions(
        this.options,
        `${this.options.clientId}-${group}-${randomUUID().slice(0, 8)}`,
      ),
      topic,
      group,
      onClose: () => this.consumers.delete(consumer),
    });
    this.consumers.add(consumer);
    return consumer;
  }

  async consumerLag(topic: string, group: string): Promise<PartitionLag[]> {
    const admin = new Admin({
      ...kafkaConnectionOptions(this.options, `${this.options.clientId}-lag`),
      retries: 1,
      retryDelay: 250,
    });
    try {
      const read = (async () => {
        const metadata = await admin.metadata({ topics: [topic] });
        const partitions = metadata.topics.get(topic)?.partitionsCount ?? 0;
        return (await kafkaGroupLag(admin, group, topic, partitions)).lags;
      })();
      const timeoutMs = this.options.publishTimeoutMs;
      return await withDeadline(read, timeoutMs, () => new Error(`no answer within ${timeoutMs} ms`));
    } catch (error) {
      throw new TransportUnavailableError(
        `Kafka at ${this.bootstrapServers}: ${describeKafkaError(error)}`,
        5,
        {
          cause: error,
        },
      );
    } finally {
      await admin.close().catch(() => {});
    }
  }

  async close(): Promise<void> {
    for (const consumer of [...this.consumers]) await consumer.close();
    await this.forwarder?.close();
    await this.publisher?.close();
  }

  describe(): string {
    const sasl = this.options.sasl ? ` (SASL ${this.options.sasl.mechanism} over TLS)` : '';
    return `Kafka at ${this.bootstrapServers}${sasl}`;
  }
}
