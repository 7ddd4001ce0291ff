import type { KinesisClient } from '@aws-sdk/client-kinesis';
import type { ForwardedMessage, LogConsumer, OutgoingMessage, Transport } from '../../../ports/transport.ts';
import { CheckpointFile } from './checkpoints.ts';
import { ensureStream, kinesisClient, type StreamBinding, streamOf, unavailable } from './connection.ts';
import { openKinesisConsumer } from './consumer.ts';
import { KinesisPublisher } from './publisher.ts';

export interface KinesisTransportOptions {
  readonly streams: readonly StreamBinding[];
  /** Where consumer groups keep their checkpoints: `<dir>/<group>.json`. */
  readonly checkpointDir: string;
  readonly region?: string;
  /** A ready client (tests); otherwise one over HTTP/1.1, the endpoint from AWS_ENDPOINT_URL. */
  readonly client?: KinesisClient;
  /** Attempts of a PutRecords chunk whose entries partly fail (only the failed entries are resent). */
  readonly putAttempts?: number;
  readonly retryDelayMs?: (attempt: number) => number;
  /** How long `open` waits for a stream it created to become ACTIVE. */
  readonly activeTimeoutMs?: number;
}

/**
 * Kinesis Data Streams as the event transport: one stream per topic (the plays topic → KINESIS_STREAM,
 * the dead-letter topic → `${KINESIS_STREAM}-dlq`), shards standing for partitions. Publishing and
 * forwarding: publisher.ts; consuming, with checkpoints per consumer group: consumer.ts.
 */
export class KinesisTransport implements Transport {
  readonly eventSource = 'kinesis' as const;
  private readonly client: KinesisClient;
  private readonly options: KinesisTransportOptions;
  private readonly publisher: KinesisPublisher;
  private readonly consumers = new Set<LogConsumer>();

  private constructor(options: KinesisTransportOptions) {
    this.options = options;
    this.client = options.client ?? kinesisClient(options.region ?? 'us-east-1');
    this.publisher = new KinesisPublisher({
      client: this.client,
      streams: options.streams,
      putAttempts: options.putAttempts,
      retryDelayMs: options.retryDelayMs,
    });
  }

  /** Creates the streams that are missing and waits until every stream is ACTIVE. */
  static async open(options: KinesisTransportOptions): Promise<KinesisTransport> {
    const transport = new KinesisTransport(options);
    try {
      for (const binding of options.streams) {
        await ensureStream(transport.client, binding, options.activeTimeoutMs ?? 60_000);
      }
    } catch (error) {
      transport.client.destroy();
      throw unavailable(`Kinesis streams ${options.streams.map((s) => s.stream).join(', ')}`, error);
    }
    return transport;
  }

  publish(topic: string, messages: readonly OutgoingMessage[]): Promise<void> {
    return this.publisher.publish(topic, messages);
  }

  forward(topic: string, messages: readonly ForwardedMessage[]): Promise<void> {
    return this.publisher.forward(topic, messages);
  }

  async consumer(topic: string, group: string): Promise<LogConsumer> {
    const consumer: LogConsumer = await openKinesisConsumer({
      client: this.client,
      topic,
      stream: streamOf(this.options.streams, topic),
      checkpoints: new CheckpointFile(this.options.checkpointDir, group),
      onClose: () => this.consumers.delete(consumer),
    });
    this.consumers.add(consumer);
    return consumer;
  }

  async close(): Promise<void> {
    for (const consumer of [...this.consumers]) await consumer.close();
    if (!this.options.client) this.client.destroy();
  }

  describe(): string {
    return `Kinesis streams ${this.options.streams.map((binding) => binding.stream).join(', ')}`;
  }
}
