import {
  findErrorBy,
  type MessageToProduce,
  ProduceAcks,
  Producer,
  stringSerializers,
} from '@platformatic/kafka';
import type { KafkaConnectionOptions } from './connection.ts';

export type StringRecord = MessageToProduce<string, string, string, string>;

/**
 * Producers that take turns. After a commit the broker still writes the commit markers; a producer's next
 * transaction waits for that (CONCURRENT_TRANSACTIONS, then a retry), while another producer can start at
 * once. Two are enough for that; four keep up to four transactions in flight for concurrent callers, each
 * carrying what queued meanwhile, since a transaction waits three round trips (docs/benchmarks.md, "Ingest:
 * where the time goes").
 */
export const PRODUCERS = 4;

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

/** Why a publish failed; its message says whether the records may have been taken all the same (all, never part). */
export class PublishFailure extends Error {
  override name = 'PublishFailure';
}

/** What the publisher uses of a transactional Producer (a stand-in in unit tests). */
export interface TransactionalProducer {
  beginTransaction(): Promise<ProducerTransaction>;
  close(force?: boolean): Promise<void>;
}

interface ProducerTransaction {
  send(options: { messages: StringRecord[] }): Promise<unknown>;
  commit(): Promise<unknown>;
  abort(): Promise<unknown>;
}

interface Request {
  readonly records: readonly StringRecord[];
  readonly bytes: number;
  /** When its answer is due (epoch ms), time spent waiting for a producer included. */
  readonly deadline: number;
  resolve(): void;
  reject(error: PublishFailure): void;
}

/** One producer at a time, replaced after a failure, each under a transactional.id of its own. */
interface Lane {
  readonly index: number;
  /** How many producers the lane has had: the suffix of the next one's transactional.id. */
  generation: number;
  producer: TransactionalProducer | undefined;
  running: Promise<void> | undefined;
}

export interface TransactionalPublisherOptions {
  readonly connection: KafkaConnectionOptions;
  /** Unique to this process: concurrent instances (Lambda) must never fence each other. */
  readonly transactionalIdPrefix: string;
  /** How long a request waits for its commit, queueing included; also the broker's transaction timeout. */
  readonly timeoutMs: number;
  /** Makes the producer of a transactional.id; by default a @platformatic/kafka Producer (newProducer). */
  readonly createProducer?: (transactionalId: string) => TransactionalProducer;
}

/**
 * Publishes each request's records in a Kafka transaction, so that they become visible to read-committed
 * consumers all together or not at all, whatever partitions they span. Requests that arrive while the
 * producers are busy share the next transaction (one commit for many small requests).
 *
 * A transaction that fails, or has not committed by its deadline, is never committed afterwards: once its
 * send has settled it is aborted, and its producer closed (should the abort not get through, the broker aborts
 * what it left open once the transaction timeout, the publish timeout, has passed; read-committed consumers
 * wait for that on the partitions it touched). Only a commit that was already on its way when the failure came
 * may still have gone through; PublishFailure says so. The replacement producer takes a new transactional.id:
 * @platformatic/kafka 2.12 initialises a producer as producer id 0, which the broker refuses (PRODUCER_FENCED)
 * for a transactional.id it already knows.
 */
export class TransactionalPublisher {
  private readonly queue: Request[] = [];
  /** The lane idle longest comes first. */
  private readonly lanes: Lane[];
  private readonly options: TransactionalPublisherOptions;
  private closed = false;
  /** Producers of failed transactions, closed once their transaction has ended (run). */
  private readonly retiring = new Set<TransactionalProducer>();

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
    if (this.closed) return Promise.reject(new PublishFailure('the publisher is closed; nothing was taken'));
    const { timeoutMs } = this.options;
    const bytes = records.reduce(
      (sum, record) => sum + Buffer.byteLength(record.key ?? '') + Buffer.byteLength(record.value ?? ''),
      0,
    );
    return new Promise((resolve, reject) => {
      this.queue.push({ records, bytes, deadline: Date.now() + timeoutMs, resolve, reject });
      this.dispatch();
    });
  }

  /** Waits for the transactions under way (each ends by its deadline), then closes the producers. */
  async close(): Promise<void> {
    this.closed = true;
    for (const request of this.queue.splice(0)) {
      request.reject(new PublishFailure('the publisher is closed; nothing was taken'));
    }
    await Promise.all(this.lanes.map((lane) => lane.running));
    await Promise.all(
      [...this.lanes.map((lane) => lane.producer), ...this.retiring].map((producer) => producer?.close(true)),
    );
  }

  /**
   * Starts a transaction on each idle lane with what is queued. A queued request never waits past its
   * deadline: a lane frees up by the deadline of its own batch, which came earlier. One that is due all the
   * same (the same millisecond) is refused unsent rather than start a transaction that could only be abandoned.
   */
  private dispatch(): void {
    const now = Date.now();
    for (const request of this.queue.filter((queued) => queued.deadline <= now)) {
      this.queue.splice(this.queue.indexOf(request), 1);
      request.reject(new PublishFailure(`no answer within ${this.options.timeoutMs} ms; nothing was taken`));
    }
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

  /** The queued requests from the front, up to `maxBytes` (at least one). */
  private takeBatch(maxBytes: number): Request[] {
    let count = 0;
    let bytes = 0;
    while (count < this.queue.length && (count === 0 || bytes + this.queue[count]!.bytes <= maxBytes)) {
      bytes += this.queue[count]!.bytes;
      count += 1;
    }
    return this.queue.splice(0, count);
  }

  private async run(lane: Lane, batch: readonly Request[]): Promise<void> {
    const records = batch.flatMap((request) => request.records);
    const deadline = Math.min(...batch.map((request) => request.deadline));
    const { failure, ended } = await this.transact(lane, records, deadline);
    if (!failure) {
      for (const request of batch) request.resolve();
      return;
    }
    for (const request of batch) request.reject(failure);
    // Closed once its transaction has ended, or a publish timeout later (closing cancels the client's
    // retries); not awaited: a hung broker must not hold up the replacement.
    const producer = lane.producer;
    lane.producer = undefined;
    if (!producer) return;
    this.retiring.add(producer);
    let timer: NodeJS.Timeout | undefined;
    const bound = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, this.options.timeoutMs).unref();
    });
    Promise.race([ended, bound])
      .then(() => {
        clearTimeout(timer);
        this.retiring.delete(producer);
        return producer.close(true);
      })
      .catch(() => {});
  }

  /**
   * Begin, send and commit by the deadline (that of the batch's first request): the failure, if any, and when
   * the transaction has ended. One that fails before its commit was asked for (the deadline included) is
   * aborted at once, so that read-committed consumers of its partitions need not wait for the broker to abort
   * it at the transaction timeout; one whose commit was asked for is left to its outcome.
   */
  private transact(
    lane: Lane,
    records: StringRecord[],
    deadline: number,
  ): Promise<{ failure: PublishFailure | undefined; ended: Promise<void> }> {
    if (!lane.producer) {
      const transactionalId = `${this.options.transactionalIdPrefix}-${lane.index}-${lane.generation++}`;
      lane.producer = (this.options.createProducer ?? ((id) => this.newProducer(id)))(transactionalId);
    }
    const producer = lane.producer;
    let stage: 'begin' | 'send' | 'commit' = 'begin';
    let abandoned = false;
    let transaction: ProducerTransaction | undefined;
    const work = (async () => {
      transaction = await producer.beginTransaction();
      stage = 'send';
      await transaction.send({ messages: records });
      // Past the deadline the requests have had their answer: this transaction must never commit (closing
      // its producer sees to that too).
      if (abandoned) throw new Error('abandoned at the deadline');
      stage = 'commit';
      await transaction.commit();
    })();
    const failed = (reason: string, cause?: unknown) =>
      new PublishFailure(
        stage === 'commit'
          ? `${reason} while committing: the events may have been taken, all of them`
          : `${reason}; nothing was taken`,
        { cause },
      );
    const ended = work
      .then(
        () => {},
        async () => {
          if (stage !== 'commit') await transaction?.abort();
        },
      )
      .catch(() => {});
    return new Promise((resolve) => {
      const timer = setTimeout(
        () => {
          abandoned = true;
          resolve({ failure: failed(`no acknowledgement within ${this.options.timeoutMs} ms`), ended });
        },
        Math.max(deadline - Date.now(), 1),
      );
      work.then(
        () => {
          clearTimeout(timer);
          resolve({ failure: undefined, ended });
        },
        (error: unknown) => {
          clearTimeout(timer);
          resolve({ failure: failed('the transaction failed', error), ended });
        },
      );
    });
  }

  private newProducer(transactionalId: string): TransactionalProducer {
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
