import { setTimeout as sleep } from 'node:timers/promises';
import { Consumer, FetchIsolationLevels, type Message, type MessagesStream } from '@platformatic/kafka';
import { type LogConsumer, type LogRecord, TransportUnavailableError } from '../../../ports/transport.ts';
import { describeKafkaError, type KafkaConnectionOptions } from './connection.ts';
import { readCommittedOnly } from './read-committed.ts';

/** Records a consumer buffers before it pauses fetching. */
const BUFFER_LIMIT = 5_000;

/** The pause before the n-th consecutive attempt to rebuild a failed member: 1 s, 2 s, 4 s… at most 30 s. */
export const rebuildDelayMs = (attempt: number) => Math.min(1_000 * 2 ** (attempt - 1), 30_000);

export interface KafkaConsumerOptions {
  readonly connection: KafkaConnectionOptions;
  readonly topic: string;
  readonly group: string;
  /** Called once the consumer is closed (the transport forgets it). */
  readonly onClose?: () => void;
}

/** One member of the consumer group: a client and the stream it fetches with. */
interface Member {
  readonly client: Consumer;
  readonly stream: MessagesStream<Buffer, Buffer, Buffer, Buffer>;
  readonly leaderEpochs: Map<number, number>;
}

/** Opens the group's consumer of `topic`; it reads from the group's committed offsets (new group: the earliest). */
export async function openKafkaConsumer(options: KafkaConsumerOptions): Promise<LogConsumer> {
  const consumer = new KafkaLogConsumer(options);
  await consumer.connect();
  return consumer;
}

/**
 * The consuming side of the Kafka transport. It reads committed records only (READ_COMMITTED: records of
 * aborted or open transactions never reach the function) and commits only when told to, after the function
 * has processed the records.
 *
 * @platformatic/kafka ends a stream for good when a call fails after its retries (a broker outage of more
 * than a few seconds does that). The member is then replaced by a new one, with growing pauses while the
 * brokers stay away, which resumes from the committed offsets; what the old one had buffered is dropped, so
 * it is fetched again. `rewind()` does the same on purpose, after a failed delivery.
 */
class KafkaLogConsumer implements LogConsumer {
  private readonly options: KafkaConsumerOptions;
  private member: Member | undefined;
  private buffered: LogRecord[] = [];
  /** Why the last member failed, until a fetch has reported it. */
  private failure: unknown;
  private failedRebuilds = 0;
  private rebuildAt = 0;
  private readonly retiring = new Set<Promise<void>>();
  private wake: (() => void) | undefined;
  private closed = false;

  constructor(options: KafkaConsumerOptions) {
    this.options = options;
  }

  async connect(): Promise<void> {
    const { connection, topic, group } = this.options;
    const client = readCommittedOnly(
      new Consumer({
        ...connection,
        groupId: group,
        autocommit: false,
        maxWaitTime: 500,
        sessionTimeout: 10_000,
        heartbeatInterval: 1_000,
        isolationLevel: FetchIsolationLevels.READ_COMMITTED,
      }),
    );
    let stream: Member['stream'];
    try {
      stream = await client.consume({
        topics: [topic],
        mode: 'committed',
        fallbackMode: 'earliest',
        autocommit: false,
      });
    } catch (error) {
      client.close(true).catch(() => {});
      throw error;
    }
    const member: Member = { client, stream, leaderEpochs: new Map() };
    stream.on('data', (message: Message) => {
      if (this.member !== member) return;
      member.leaderEpochs.set(message.partition, message.leaderEpoch);
      this.buffered.push(toLogRecord(message));
      if (this.buffered.length >= BUFFER_LIMIT) stream.pause();
      this.wake?.();
    });
    // The client reports a failed group rejoin as an 'error' event: without a listener it would end the process.
    client.on('error', (error: unknown) => this.fail(member, error));
    stream.on('error', (error: unknown) => this.fail(member, error));
    stream.on('close', () => this.fail(member, new Error('the stream ended')));
    this.member = member;
  }

  async fetch(maxRecords: number, maxWaitMs: number): Promise<LogRecord[]> {
    if (this.closed) return [];
    if (this.failure !== undefined) {
      const error = this.failure;
      this.failure = undefined;
      throw this.unavailable(error);
    }
    if (!this.member) {
      const pause = this.rebuildAt - Date.now();
      if (pause > 0) {
        await sleep(Math.min(pause, maxWaitMs));
        return [];
      }
      try {
        await this.connect();
        this.failedRebuilds = 0;
      } catch (error) {
        this.failedRebuilds += 1;
        this.rebuildAt = Date.now() + rebuildDelayMs(this.failedRebuilds);
        throw this.unavailable(error);
      }
    }
    if (this.buffered.length === 0) await this.nextRecord(maxWaitMs);
    const batch = this.buffered.splice(0, maxRecords);
    const stream = this.member?.stream;
    if (stream && this.buffered.length < BUFFER_LIMIT / 2 && stream.isPaused()) stream.resume();
    return batch;
  }

  async commit(partition: number, nextOffset: number): Promise<void> {
    const { topic } = this.options;
    const member = this.member;
    // Records of a member that failed are fetched again by its successor: nothing of theirs is committed.
    if (!member) throw this.unavailable(new Error('the consumer is being rebuilt'));
    await member.client.commit({
      offsets: [
        {
          topic,
          partition,
          offset: BigInt(nextOffset),
          leaderEpoch: member.leaderEpochs.get(partition) ?? -1,
        },
      ],
    });
  }

  async rewind(): Promise<void> {
    this.dropMember();
  }

  async close(): Promise<void> {
    this.closed = true;
    this.options.onClose?.();
    this.dropMember();
    this.wake?.();
    await Promise.all(this.retiring);
  }

  /** A member whose stream or client failed: dropped with what it buffered; a fetch builds the next one. */
  private fail(member: Member, error: unknown): void {
    if (this.member !== member) return;
    this.failure = error;
    this.rebuildAt = Date.now() + rebuildDelayMs(this.failedRebuilds + 1);
    this.dropMember();
    this.wake?.();
  }

  /** Retires the current member and forgets what it buffered: the next fetch resumes from the committed offsets. */
  private dropMember(): void {
    if (this.member) this.retire(this.member);
    this.buffered = [];
  }

  /** Stops a member (leaving the group if the brokers answer), without waiting for it. */
  private retire(member: Member): void {
    if (this.member === member) this.member = undefined;
    const closing = (async () => {
      await member.stream.close().catch(() => {});
      await member.client.close(true).catch(() => {});
    })();
    this.retiring.add(closing);
    void closing.finally(() => this.retiring.delete(closing));
  }

  private nextRecord(maxWaitMs: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        if (this.wake === done) this.wake = undefined;
        resolve();
      };
      const timer = setTimeout(done, maxWaitMs);
      this.wake = done;
    });
  }

  private unavailable(error: unknown): TransportUnavailableError {
    return new TransportUnavailableError(
      `Kafka consumer of ${this.options.topic}: ${describeKafkaError(error)}`,
      5,
      {
        cause: error,
      },
    );
  }
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
