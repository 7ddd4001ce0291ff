import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  PRODUCERS,
  PublishFailure,
  type StringRecord,
  type TransactionalProducer,
  TransactionalPublisher,
} from '../../../src/adapters/transport/kafka/publisher.ts';

/** A promise settled from outside. */
function deferred() {
  let resolve!: () => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

interface FakeTransaction {
  readonly producer: string;
  readonly sent: StringRecord[][];
  committed: boolean;
  aborted: boolean;
  readonly sending: ReturnType<typeof deferred>;
  readonly committing: ReturnType<typeof deferred>;
}

/** Stand-in producers whose every send and commit waits until the test settles it. */
function fakeProducers() {
  const transactions: FakeTransaction[] = [];
  const closed: string[] = [];
  const createProducer = (id: string): TransactionalProducer => ({
    beginTransaction: async () => {
      const transaction: FakeTransaction = {
        producer: id,
        sent: [],
        committed: false,
        aborted: false,
        sending: deferred(),
        committing: deferred(),
      };
      transactions.push(transaction);
      return {
        send: async ({ messages }) => {
          transaction.sent.push(messages);
          await transaction.sending.promise;
        },
        commit: async () => {
          await transaction.committing.promise;
          transaction.committed = true;
        },
        abort: async () => {
          transaction.aborted = true;
        },
      };
    },
    close: async () => {
      closed.push(id);
    },
  });
  return { transactions, closed, createProducer };
}

const record = (request: number, index: number): StringRecord => ({
  topic: 'plays',
  key: `user-${request}`,
  value: `{"request":${request},"index":${index}}`,
});
const requestRecords = (request: number) => [record(request, 0), record(request, 1)];

/** Lets the publisher's promise chains run. */
const settle = () => new Promise((resolve) => setImmediate(resolve));

/** Records the order in which each publish settles. */
function track(promise: Promise<void>, name: string, log: string[]) {
  return promise.then(
    () => log.push(`${name} ok`),
    (error: Error) => log.push(`${name} failed: ${error.message}`),
  );
}

/** A publisher whose producers are fake ones (`fake`), answering within `timeoutMs`. */
function publisherOverFakes(timeoutMs: number) {
  const fake = fakeProducers();
  const publisher = new TransactionalPublisher({
    connection: { bootstrapBrokers: [] } as never,
    transactionalIdPrefix: 'test',
    timeoutMs,
    createProducer: fake.createProducer,
  });
  return { fake, publisher };
}

/** A publisher over fake producers, every one of them occupied by one request (r0, r1, …), none settled yet. */
async function everyProducerBusy() {
  const { fake, publisher } = publisherOverFakes(60_000);
  const log: string[] = [];
  const first: Promise<unknown>[] = [];
  for (let request = 0; request < PRODUCERS; request += 1) {
    first.push(track(publisher.publish(requestRecords(request)), `r${request}`, log));
  }
  await settle();
  const busy = fake.transactions.length;
  expect(busy).toBe(PRODUCERS);
  return { fake, publisher, log, first, busy };
}

/** Lets every open transaction commit, then closes the publisher. */
async function finish(
  fake: ReturnType<typeof fakeProducers>,
  publisher: TransactionalPublisher,
  first: Promise<unknown>[],
) {
  for (const transaction of fake.transactions) {
    transaction.sending.resolve();
    transaction.committing.resolve();
  }
  await Promise.all(first);
  await publisher.close();
}

describe('TransactionalPublisher grouping', () => {
  it('carries the requests queued behind busy producers in one transaction, acknowledging each only after its commit', async () => {
    const { fake, publisher, log, first, busy } = await everyProducerBusy();
    expect(busy).toBeGreaterThan(1);
    // Three more arrive while all are busy: they wait, unsent.
    const queued = [100, 101, 102].map((request) =>
      track(publisher.publish(requestRecords(request)), `r${request}`, log),
    );
    await settle();
    expect(fake.transactions).toHaveLength(busy);

    // The first transaction commits: its request is answered, and its producer takes the three together.
    fake.transactions[0]!.sending.resolve();
    fake.transactions[0]!.committing.resolve();
    await settle();
    expect(log).toEqual(['r0 ok']);
    const grouped = fake.transactions[busy]!;
    expect(grouped.producer).toBe(fake.transactions[0]!.producer);
    expect(grouped.sent).toEqual([[...requestRecords(100), ...requestRecords(101), ...requestRecords(102)]]);

    // Sent but not committed: nobody is answered yet.
    grouped.sending.resolve();
    await settle();
    expect(log).toEqual(['r0 ok']);
    grouped.committing.resolve();
    await Promise.all(queued);
    expect(log).toEqual(['r0 ok', 'r100 ok', 'r101 ok', 'r102 ok']);
    expect(grouped.committed).toBe(true);

    await finish(fake, publisher, first);
  });

  it('fails every request of a failed transaction with the reason, never committing any part of it', async () => {
    const { fake, publisher, log, first, busy } = await everyProducerBusy();
    const queued = [100, 101].map((request) =>
      track(publisher.publish(requestRecords(request)), `r${request}`, log),
    );
    fake.transactions[0]!.sending.resolve();
    fake.transactions[0]!.committing.resolve();
    await settle();
    const grouped = fake.transactions[busy]!;
    expect(grouped.sent).toEqual([[...requestRecords(100), ...requestRecords(101)]]);

    grouped.sending.reject(new Error('NOT_ENOUGH_REPLICAS'));
    await Promise.all(queued);
    const reason = 'the transaction failed; nothing was taken';
    expect(log).toEqual(['r0 ok', `r100 failed: ${reason}`, `r101 failed: ${reason}`]);
    expect(grouped.committed).toBe(false);
    // Its transaction is aborted and its producer closed; a new one takes over.
    await settle();
    expect(grouped.aborted).toBe(true);
    expect(fake.closed).toContain(grouped.producer);
    const next = track(publisher.publish(requestRecords(200)), 'r200', log);
    await settle();
    const replacement = fake.transactions.at(-1)!;
    expect(replacement.producer).not.toBe(grouped.producer);
    replacement.sending.resolve();
    replacement.committing.resolve();
    await next;
    expect(log.at(-1)).toBe('r200 ok');

    await finish(fake, publisher, first);
    expect(PublishFailure.name).toBe('PublishFailure');
  });
});

describe('TransactionalPublisher at the deadline', () => {
  /** One request in flight on a fake producer, under fake timers: the test decides when its deadline passes. */
  async function oneRequest() {
    vi.useFakeTimers();
    const { fake, publisher } = publisherOverFakes(1_000);
    const log: string[] = [];
    const answered = track(publisher.publish(requestRecords(0)), 'r0', log);
    await vi.advanceTimersByTimeAsync(0);
    return { fake, publisher, log, answered, transaction: fake.transactions[0]! };
  }
  afterEach(() => {
    vi.useRealTimers();
  });

  it('says nothing was taken when the deadline passes before the commit was asked for, and never commits afterwards', async () => {
    const { fake, publisher, log, answered, transaction } = await oneRequest();
    // Still sending when the deadline passes.
    await vi.advanceTimersByTimeAsync(1_000);
    await answered;
    expect(log).toEqual([`r0 failed: no acknowledgement within 1000 ms; nothing was taken`]);
    // The send completes late (a broker that resumes): the commit is never asked for, the transaction is
    // aborted, and only then is its producer closed.
    expect(fake.closed).toEqual([]);
    transaction.sending.resolve();
    transaction.committing.resolve();
    await vi.advanceTimersByTimeAsync(0);
    expect(transaction.committed).toBe(false);
    expect(transaction.aborted).toBe(true);
    expect(fake.closed).toEqual([transaction.producer]);
    await publisher.close();
  });

  it('says the events may have been taken when the deadline passes while the commit is under way', async () => {
    const { fake, publisher, log, answered, transaction } = await oneRequest();
    transaction.sending.resolve();
    await vi.advanceTimersByTimeAsync(999);
    expect(log).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    await answered;
    expect(log).toEqual([
      'r0 failed: no acknowledgement within 1000 ms while committing: the events may have been taken, all of them',
    ]);
    // Its commit is left to its outcome, never aborted; the producer is closed a publish timeout later at most.
    expect(transaction.aborted).toBe(false);
    expect(fake.closed).toEqual([]);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(transaction.aborted).toBe(false);
    expect(fake.closed).toEqual([transaction.producer]);
    await publisher.close();
  });

  it('gives a request that waited for a producer the rest of its own time on a new producer, never more', async () => {
    const { fake, publisher, log, answered } = await oneRequest();
    const others = [1, 2, 3].map((request) =>
      track(publisher.publish(requestRecords(request)), `r${request}`, log),
    );
    await vi.advanceTimersByTimeAsync(500);
    // Every producer busy: it queues, due at 1500.
    const late = track(publisher.publish(requestRecords(9)), 'r9', log);
    await vi.advanceTimersByTimeAsync(0);
    expect(fake.transactions).toHaveLength(PRODUCERS);
    // At 1000 the first four fail; r9 goes to a replacement producer (a new transactional.id).
    await vi.advanceTimersByTimeAsync(500);
    await Promise.all([answered, ...others]);
    const carrier = fake.transactions.find((transaction) =>
      transaction.sent.flat().some((sent) => sent.key === 'user-9'),
    )!;
    expect(fake.transactions.slice(0, PRODUCERS).map((transaction) => transaction.producer)).not.toContain(
      carrier.producer,
    );
    expect(log).not.toContainEqual(expect.stringMatching(/^r9/));
    await vi.advanceTimersByTimeAsync(499);
    expect(log).not.toContainEqual(expect.stringMatching(/^r9/));
    await vi.advanceTimersByTimeAsync(1);
    await late;
    expect(log.at(-1)).toBe('r9 failed: no acknowledgement within 1000 ms; nothing was taken');
    expect(carrier.committed).toBe(false);
    await publisher.close();
  });
});
