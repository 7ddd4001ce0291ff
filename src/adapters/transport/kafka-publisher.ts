import {
  findErrorBy,
  type MessageToProduce,
  ProduceAcks,
  Producer,
  stringSerializers,
} from '@platformatic/kafka';
import type { KafkaConnectionOptions } from './kafka.ts';

export type StringRecord = MessageToProduce<string, string, string, string>;

/**
 * Producers that take turns. After a commit the broker still writes the commit markers; a producer's next
 * transaction waits for that (CONCURRENT_TRANSACTIONS, then a retry), while another producer can start at
 * once. Two are enough for that (bench/kafka.ts, docs/benchmarks.md).
 */
const PRODUCERS = 2;

/**
 * One transaction carries the requests queued at the time, up to this many bytes (always at least one
 * request): the records of one partition travel as one batch, which must stay below the broker's
 * message.max.bytes (1 MiB by default).
 */
const MAX_TRANSACTION_BYTES = 512 * 1024;

/** The broker answers CONCURRENT_TRANSACTIONS for milliseconds; other failures are worth a longer pause. */
const retryDelay = (
  _client: unknown,
  _operation: string,
  attempt: number,
  _retries: number,
  error: unknown,
) => (findErrorBy(error as Error, 'apiId', 'CONCURRENT_TRANSACTIONS') ? 5 * attempt : 250);

/** Why a publish failed, and whether its records may have been taken all the same (all of them, never part). */
export class PublishFailure extends Error {
  override name = 'PublishFailure';
  readonly mayHaveBeenTaken: boolean;
  constructor(message: string, mayHaveBeenTaken: boolean, options?: ErrorOptions) {
    super(message, options);
    this.mayHaveBeenTaken = mayHaveBeenTaken;
  }
}

interface Request {
  readonly records: readonly StringRecord[];
  readonly bytes: number;
  resolve(): void;
  reject(error: PublishFailure): void;
}

/** A transactional producer and its transactional.id, which outlives the producer when it is replaced. */
interface Lane {
  readonly transactionalId: string;
  producer: Producer<string, string, string, string> | undefined;
  running: Promise<void> | undefined;
}

export interface TransactionalPublisherOptions {
  readonly connection: KafkaConnectionOptions;
  /** Unique to this process: concurrent instances (Lambda) must never fence each other. */
  readonly transactionalIdPrefix: string;
  /** How long a request waits for its transaction's commit; also the broker's transaction timeout. */
  readonly timeoutMs: number;
}

/**
 * Publishes each request's records in a Kafka transaction, so that they become visible to read-committed
 * consumers all together or not at all, whatever partitions they span. Requests that arrive while the
 * producers are busy share the next transaction (one commit for many small requests).
 *
 * A transaction that fails, or has not committed by its deadline, is never committed afterwards: its
 * producer is closed, and its replacement, under the same transactional.id, fences it and has the broker
 * abort whatever it left open (the broker's transaction timeout would abort it too). Only a commit that was
 * already on its way when the failure came may still have gone through; PublishFailure says so.
 */
export class TransactionalPublisher {
  private readonly queue: Request[] = [];
  /** Idle lanes first, the one idle longest at the front. */
  private readonly lanes: Lane[];
  private closed = false;
  private readonly options: TransactionalPublisherOptions;

  constructor(options: TransactionalPublisherOptions) {
    this.options = options;
    this.lanes = Array.from({ length: PRODUCERS }, (_, index) => ({
      transactionalId: `${options.transactionalIdPrefix}-${index}`,
      producer: undefined,
      running: undefined,
    }));
  }

  publish(records: readonly StringRecord[]): Promise<void> {
    if (this.closed) return Promise.reject(new PublishFailure('the publisher is closed', false));
    const bytes = records.reduce(
      (sum, record) => sum + Buffer.byteLength(record.key ?? '') + Buffer.byteLength(record.value ?? ''),
      0,
    );
    return new Promise((resolve, reject) => {
      this.queue.push({ records, bytes, resolve, reject });
      this.dispatch();
    });
  }

  /** Waits for the transactions under way, then closes the producers. */
  async close(): Promise<void> {
    this.closed = true;
    for (const request of this.queue.splice(0)) {
      request.reject(new PublishFailure('the publisher is closed', false));
    }
    await Promise.all(this.lanes.map((lane) => lane.running));
    await Promise.all(this.lanes.map((lane) => lane.producer?.close(true)));
  }

  private dispatch(): void {
    while (this.queue.length > 0) {
      const lane = this.lanes.find((candidate) => candidate.running === undefined);
      if (!lane) return;
      const batch = this.takeBatch();
      lane.running = this.run(lane, batch).finally(() => {
        lane.running = undefined;
        // Back of the line, so that the other lane, idle for longer, takes the next transaction.
        this.lanes.splice(this.lanes.indexOf(lane), 1);
        this.lanes.push(lane);
        this.dispatch();
      });
    }
  }

  private takeBatch(): Request[] {
    let bytes = this.queue[0]!.bytes;
    let count = 1;
    while (count < this.queue.length && bytes + this.queue[count]!.bytes <= MAX_TRANSACTION_BYTES) {
      bytes += this.queue[count]!.bytes;
      count += 1;
    }
    return this.queue.splice(0, count);
  }

  private async run(lane: Lane, batch: readonly Request[]): Promise<void> {
    const failure = await this.transact(
      lane,
      batch.flatMap((request) => request.records),
    );
    if (!failure) {
      for (const request of batch) request.resolve();
      return;
    }
    for (const request of batch) request.reject(failure);
    // Not awaited: a hung broker must not hold up the replacement (closing also cancels the client's retries).
    lane.producer?.close(true).catch(() => {});
    lane.producer = undefined;
  }

  /** Begin, send, commit within the deadline; the failure, if any. */
  private transact(lane: Lane, records: StringRecord[]): Promise<PublishFailure | undefined> {
    lane.producer ??= this.newProducer(lane.transactionalId);
    const producer = lane.producer;
    let stage: 'begin' | 'send' | 'commit' = 'begin';
    let abandoned = false;
    const work = (async () => {
      const transaction = await producer.beginTransaction();
      stage = 'send';
      await transaction.send({ messages: records });
      // Past the deadline the requests have had their answer: this transaction must never commit.
      if (abandoned) throw new Error('abandoned at the deadline');
      stage = 'commit';
      await transaction.commit();
    })();
    const { timeoutMs } = this.options;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        abandoned = true;
        resolve(
          stage === 'commit'
            ? new PublishFailure(
                `no confirmation of the commit within ${timeoutMs} ms: the events may have been taken, all of them`,
                true,
              )
            : new PublishFailure(`no acknowledgement within ${timeoutMs} ms; nothing was taken`, false),
        );
      }, timeoutMs);
      work.then(
        () => {
          clearTimeout(timer);
          resolve(undefined);
        },
        (error: unknown) => {
          clearTimeout(timer);
          resolve(
            stage === 'commit'
              ? new PublishFailure('the commit failed: the events may have been taken, all of them', true, {
                  cause: error,
                })
              : new PublishFailure('the transaction failed; nothing was taken', false, { cause: error }),
          );
        },
      );
    });
  }

  private newProducer(transactionalId: string): Producer<string, string, string, string> {
    const { connection, timeoutMs } = this.options;
    return new Producer({
      ...connection,
      serializers: stringSerializers,
      idempotent: true,
      acks: ProduceAcks.ALL,
      transactionalId,
      // The request timeout, and the transaction timeout the producer registers with the broker.
      timeout: timeoutMs,
      connectTimeout: Math.min(timeoutMs, 5_000),
      retries: 10,
      retryDelay,
      autocreateTopics: false,
    });
  }
}
