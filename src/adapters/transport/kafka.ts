import { randomUUID } from 'node:crypto';
import { Admin, type BaseOptions } from '@platformatic/kafka';
import type { KafkaAuthenticationMethod } from '../../config/settings.ts';
import {
  type ForwardedMessage,
  type LogConsumer,
  type OutgoingMessage,
  type Transport,
  TransportUnavailableError,
} from '../../ports/transport.ts';
import type { TopicDeclaration } from '../../topology.ts';
import { openKafkaConsumer } from './kafka-consumer.ts';
import { KafkaForwarder } from './kafka-forwarder.ts';
import { TransactionalPublisher } from './kafka-publisher.ts';

/** The SASL mechanisms the transport speaks (always over TLS). */
export type KafkaSaslMechanism = 'SCRAM-SHA-512' | 'SCRAM-SHA-256' | 'PLAIN';

/** The SASL mechanism of each authentication method of Lambda's Kafka event sources: BASIC_AUTH is SASL/PLAIN. */
export const saslMechanisms: Readonly<Record<KafkaAuthenticationMethod, KafkaSaslMechanism>> = {
  SASL_SCRAM_512_AUTH: 'SCRAM-SHA-512',
  SASL_SCRAM_256_AUTH: 'SCRAM-SHA-256',
  BASIC_AUTH: 'PLAIN',
};

/** A credential, or a function that reads it when a connection authenticates (so a rotated secret is picked up). */
export type KafkaCredential = string | (() => Promise<string>);

export interface KafkaSasl {
  readonly mechanism: KafkaSaslMechanism;
  readonly username: KafkaCredential;
  readonly password: KafkaCredential;
}

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

export type KafkaConnectionOptions = Pick<
  BaseOptions,
  'clientId' | 'bootstrapBrokers' | 'sasl' | 'tls' | 'tlsServerName'
>;

/**
 * What every client (admin, producer, consumer) needs to reach the brokers: their addresses, and with SASL
 * also TLS. Lambda speaks SASL to Kafka only over TLS (SASL_SSL), so the brokers the stack's event source
 * reads from offer no other listener for these credentials. The brokers' certificates are verified against
 * Node's CAs (plus NODE_EXTRA_CA_CERTS), and each connection names its broker for SNI.
 */
export function kafkaConnectionOptions(
  options: Pick<KafkaTransportOptions, 'brokers' | 'sasl'>,
  clientId: string,
): KafkaConnectionOptions {
  const connection: KafkaConnectionOptions = { clientId, bootstrapBrokers: [...options.brokers] };
  if (!options.sasl) return connection;
  const { mechanism, username, password } = options.sasl;
  return { ...connection, sasl: { mechanism, username, password }, tls: {}, tlsServerName: true };
}

/**
 * Kafka through @platformatic/kafka (pure TypeScript, maintained; see docs/decisions.md).
 * Each publish is one Kafka transaction (kafka-publisher.ts): idempotent, acks=all, all of it or nothing
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
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
    });
    try {
      await Promise.race([creating, deadline]);
    } catch (error) {
      creating.catch(() => {});
      admin.close().catch(() => {});
      throw new TransportUnavailableError(
        `Kafka at ${this.options.brokers.join(',')}: ${describe(error)}`,
        5,
        {
          cause: error,
        },
      );
    } finally {
      clearTimeout(timer);
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
        `Kafka at ${this.options.brokers.join(',')}: ${describe(error)}`,
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

  async close(): Promise<void> {
    for (const consumer of [...this.consumers]) await consumer.close();
    await this.forwarder?.close();
    await this.publisher?.close();
  }

  describe(): string {
    const sasl = this.options.sasl ? ` (SASL ${this.options.sasl.mechanism} over TLS)` : '';
    return `Kafka at ${this.options.brokers.join(',')}${sasl}`;
  }
}

/** The messages of an error and what caused it: "Connection … failed. (SASL authentication failed. (…))". */
export function describe(error: unknown): string {
  if (error instanceof AggregateError && error.errors.length > 0) {
    return [...new Set(error.errors.map(describe))].join('; ');
  }
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause === undefined ? error.message : describe(error.cause);
  return cause === error.message ? error.message : `${error.message} (${cause})`;
}
