import { Consumer, type Message } from '@platformatic/kafka';
import { type LogConsumer, type LogRecord, TransportUnavailableError } from '../../ports/transport.ts';
import { describe, type KafkaConnectionOptions } from './kafka.ts';

/** Records a consumer buffers before it pauses fetching. */
const BUFFER_LIMIT = 5_000;

export interface KafkaConsumerOptions {
  readonly connection: KafkaConnectionOptions;
  readonly topic: string;
  readonly group: string;
  /** Called once the consumer is closed (the transport forgets it). */
  readonly onClose?: () => void;
}

/**
 * The consuming side of the Kafka transport: a consumer group member that reads from the group's committed
 * offsets (the earliest record for a new group) and commits only when told to, after the function has
 * processed the records.
 */
export async function openKafkaConsumer(options: KafkaConsumerOptions): Promise<LogConsumer> {
  const { topic, group } = options;
  const consumer = new Consumer({
    ...options.connection,
    groupId: group,
    autocommit: false,
    maxWaitTime: 500,
    sessionTimeout: 10_000,
    heartbeatInterval: 1_000,
  });
  const stream = await consumer.consume({
    topics: [topic],
    mode: 'committed',
    fallbackMode: 'earliest',
    autocommit: false,
  });
  const buffered: LogRecord[] = [];
  const leaderEpochs = new Map<number, number>();
  let wake: (() => void) | undefined;
  let failure: unknown;
  stream.on('data', (message: Message) => {
    leaderEpochs.set(message.partition, message.leaderEpoch);
    buffered.push(toLogRecord(message));
    if (buffered.length >= BUFFER_LIMIT) stream.pause();
    wake?.();
  });
  stream.on('error', (error: unknown) => {
    failure = error;
    wake?.();
  });
  return {
    fetch: async (maxRecords, maxWaitMs) => {
      if (buffered.length === 0 && failure === undefined) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, maxWaitMs);
          wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        wake = undefined;
      }
      if (failure !== undefined) {
        const error = failure;
        failure = undefined;
        throw new TransportUnavailableError(`Kafka consumer of ${topic}: ${describe(error)}`, 5, {
          cause: error,
        });
      }
      const batch = buffered.splice(0, maxRecords);
      if (buffered.length < BUFFER_LIMIT / 2 && stream.isPaused()) stream.resume();
      return batch;
    },
    commit: async (partition, nextOffset) => {
      await consumer.commit({
        offsets: [
          { topic, partition, offset: BigInt(nextOffset), leaderEpoch: leaderEpochs.get(partition) ?? -1 },
        ],
      });
    },
    close: async () => {
      options.onClose?.();
      await stream.close();
      await consumer.close(true);
    },
  };
}

function toLogRecord(message: Message): LogRecord {
  return {
    topic: message.topic,
    partition: message.partition,
    offset: Number(message.offset),
    timestamp: Number(message.timestamp),
    key: message.key && message.key.length > 0 ? message.key : undefined,
    value: message.value ?? Buffer.alloc(0),
    headers: Object.fromEntries(
      [...message.headers].map(([name, value]) => [name.toString('utf8'), value.toString('utf8')]),
    ),
  };
}
