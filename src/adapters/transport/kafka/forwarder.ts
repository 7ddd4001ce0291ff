import { ProduceAcks, Producer } from '@platformatic/kafka';
import { withDeadline } from '../../../ports/deadline.ts';
import { type ForwardedMessage, TransportUnavailableError } from '../../../ports/transport.ts';
import { describeKafkaError, type KafkaConnectionOptions } from './connection.ts';

/**
 * Sends consumed records on (to the dead-letter topic) byte for byte: keys, values and header values as raw
 * bytes, with no serializer in between. Idempotent and acks=all, like ingest; no transaction (one record at a
 * time, and a duplicate in the dead-letter topic harms nothing). A failure or a timeout is a
 * TransportUnavailableError.
 */
export class KafkaForwarder {
  private readonly producer: Producer;
  private readonly timeoutMs: number;

  constructor(connection: KafkaConnectionOptions, timeoutMs: number) {
    this.timeoutMs = timeoutMs;
    this.producer = new Producer({
      ...connection,
      idempotent: true,
      acks: ProduceAcks.ALL,
      timeout: timeoutMs,
      retries: 3,
      retryDelay: 250,
      autocreateTopics: false,
    });
  }

  async forward(topic: string, messages: readonly ForwardedMessage[]): Promise<void> {
    try {
      await withDeadline(
        this.producer.send({
          messages: messages.map((message) => ({
            topic,
            ...(message.key ? { key: Buffer.from(message.key) } : {}),
            value: Buffer.from(message.value),
            headers: new Map(
              Object.entries(message.headers).map(([name, value]) => [Buffer.from(name), Buffer.from(value)]),
            ),
          })),
        }),
        this.timeoutMs,
        () => new Error(`no acknowledgement within ${this.timeoutMs} ms`),
      );
    } catch (error) {
      throw new TransportUnavailableError(`Kafka dead letters to ${topic}: ${describeKafkaError(error)}`, 5, {
        cause: error,
      });
    }
  }

  async close(): Promise<void> {
    await this.producer.close(true);
  }
}
