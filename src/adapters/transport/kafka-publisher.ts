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
  /** When its answer is due (epoch ms), time spent waiting for a producer included. */
  readonly deadline: number;
  /** Fires if it is still waiting for a producer at its deadline. */
  timer?: NodeJS.Timeout;
  resolve(): void;
  reject(error: PublishFailure): void;
}

/** One producer at a time, replaced after a failure, each under a transactional.id of its own. */
interface Lane {
  readonly index: number;
  /** How many producers the lane has had: the suffix of the next one's transactional.id. */
  generation: number;
  producer: Producer<string, string, string, string> | undefined;
  running: Promise<void> | undefined;
}

export interface TransactionalPublisherOptions {
  readonly connection: KafkaConnectionOptions;
  /** Unique to this process: concurrent instances (Lambda) must never fence each other. */
  readonly transactionalIdPrefix: string;
  /** How long a request waits for its commit, queueing included; also the broker's transaction timeout. */
  readonly timeoutMs: number;
}

/**
 * Publishes each request's records in a Kafka transaction, so that they become visible to read-committed
 * consumers all together or not at all, whatever partitions they span. Requests that arrive while the
 * producers are busy share the next transaction (one commit for many small requests).
 *
 * A transaction that fails, or has not committed by its deadline, is never committed afterwards: its
 * producer is closed without a commit, and the broker aborts what it left open once the transaction timeout
 * (the publish timeout) has passed; read-committed consumers wait for that on the partitions it touched. Only
 * a commit that was already on its way when the failure came may still have gone through; PublishFailure says
 * so. The replacement producer takes a new transactional.id: @platformatic/kafka 2.12 initialises a producer
 * as producer id 0, which the broker refuses (PRODUCER_FENCED) for a transactional.id it already knows.
 */
export class TransactionalPublisher {
  private readonly queue: Request[] = [];
  /** The lane idle longest comes first. */
  private readonly lanes: Lane[];
  private readonly options: TransactionalPublisherOptions;
  private closed = false;

  constructor(options: TransactionalPublisherOptions) {
    this.options = options;
    this.lanes = Array.from({ length: PRODUCERS }, (_, index) => ({
      index,
      generation: 0,
      producer: undefined,
      running: undefined,
    }));
  }

  publish(records: readonly StringRecord[]): Promise<void> {
    if (this.closed) return Promise.reject(new PublishFailure('the publisher is closed', false));
    const { timeoutMs } = this.options;
    const bytes = records.reduce(
      (sum, record) => sum + Buffer.byteLength(record.key ?? '') + Buffer.byteLength(record.value ?? ''),
      0,
    );
    return new Promise((resolve, reject) => {
      const request: Request = { records, bytes, deadline: Date.now() + timeoutMs, resolve, reject };
      request.timer = setTimeout(() => this.expire(request), timeoutMs);
      this.queue.push(request);
      this.dispatch();
    });
  }

  /** Waits for the transactions under way (each ends by its deadline), then closes the producers. */
  async close(): Promise<void> {
    this.closed = true;
    for (const request of this.takeBatch(Number.POSITIVE_INFINITY)) {
      request.reject(new PublishFailure('the publisher is closed', false));
    }
    await Promise.all(this.lanes.map((lane) => lane.running));
    await Promise.all(this.lanes.map((lane) => lane.producer?.close(true)));
  }

  /** Both producers busy (a hung broker) until the request's deadline: never sent, so nothing was taken. */
  private expire(request: Request): void {
    const index = this.queue.indexOf(request);
    if (index < 0) return;
    this.queue.splice(index, 1);
    clearTimeout(request.timer);
    request.reject(
      new PublishFailure(`no producer free within ${this.options.timeoutMs} ms; nothing was taken`, false),
    );
  }

  private dispatch(): void {
    // Due ones whose timers have not fired yet must not start a transaction that could only be abandoned.
    for (const request of this.queue.filter((queued) => queued.deadline <= Date.now())) this.expire(request);
    while (this.queue.length > 0) {
      const lane = this.lanes.find((candidate) => candidate.running === undefined);
      if (!lane) return;
      const batch = this.takeBatch(MAX_TRANSACTION_BYTES);
      lane.running = this.run(lane, batch).finally(() => {
        lane.running = undefined;
        this.lanes.splice(this.lanes.indexOf(lane), 1);
        this.lanes.push(lane);
        this.dispatch();
      });
    }
  }

  /** The queued requests from the front, up to `maxBytes` (at least one), no longer waiting on their timers. */
  private takeBatch(maxBytes: number): Request[] {
    let count = 0;
    let bytes = 0;
    while (count < this.queue.length && (count === 0 || bytes + this.queue[count]!.bytes <= maxBytes)) {
      bytes += this.queue[count]!.bytes;
      count += 1;
    }
    const batch = this.queue.splice(0, count);
    for (const request of batch) clearTimeout(request.timer);
    return batch;
  }

  private async run(lane: Lane, batch: readonly Request[]): Promise<void> {
    const records = batch.flatMap((request) => request.records);
    const failure = await this.transact(lane, records, Math.min(...batch.map((request) => request.deadline)));
    if (!failure) {
      for (const request of batch) request.resolve();
      return;
    }
    for (const request of batch) request.reject(failure);
    // Not awaited: a hung broker must not hold up the replacement (closing also cancels the client's retries).
    lane.producer?.close(true).catch(() => {});
    lane.producer = undefined;
  }

  /** Begin, send and commit by the deadline (that of the batch's first request); the failure, if any. */
  private transact(
    lane: Lane,
    records: StringRecord[],
    deadline: number,
  ): Promise<PublishFailure | undefined> {
    lane.producer ??= this.newProducer(
      `${this.options.transactionalIdPrefix}-${lane.index}-${lane.generation++}`,
    );
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
    const failed = (reason: string, cause?: unknown) =>
      stage === 'commit'
        ? new PublishFailure(
            `${reason} while committing: the events may have been taken, all of them`,
            true,
            {
              cause,
            },
          )
        : new PublishFailure(`${reason}; nothing was taken`, false, { cause });
    return new Promise((resolve) => {
      const timer = setTimeout(
        () => {
          abandoned = true;
          resolve(failed(`no acknowledgement within ${this.options.timeoutMs} ms`));
        },
        Math.max(deadline - Date.now(), 1),
      );
      work.then(
        () => {
          clearTimeout(timer);
          resolve(undefined);
        },
        (error: unknown) => {
          clearTimeout(timer);
          resolve(failed('the transaction failed', error));
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
