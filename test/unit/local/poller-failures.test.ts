/**
 * A commit or a dead-letter send that fails must not lose records: the poller rewinds the consumer to the
 * committed offsets and delivers what was not done again. A fake log with Kafka's consumer semantics
 * (fetching moves a position forward, `rewind` moves it back to the committed offset) checks, at every
 * commit, that each record below the committed offset was processed or dead-lettered.
 */
import { join } from 'node:path';
import type { MSKEvent } from 'aws-lambda';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { EventSourcePoller } from '../../../local/event-source-poller.ts';
import { EmbeddedTransport } from '../../../src/adapters/transport/embedded/transport.ts';
import type { ForwardedMessage, LogConsumer, LogRecord } from '../../../src/ports/transport.ts';
import type { TopicTrigger } from '../../../src/topology.ts';
import { logger } from '../../../src/wiring/logger.ts';
import { type TempDir, tempDir } from '../support/temp.ts';

const TOPIC = 'song-plays';
const trigger: TopicTrigger = {
  kind: 'topic',
  topic: TOPIC,
  batchSize: 4,
  batchWindowSeconds: 0,
  maxAttempts: 2,
  maxRecordAgeSeconds: Number.POSITIVE_INFINITY,
  splitBatchOnError: false,
};
const label = (partition: number, offset: number) => `${partition}@${offset}`;

/** A log of `partition → record count`, consumed as Kafka consumes: positions, commits and rewinds. */
class FakeLog implements LogConsumer {
  readonly committed: number[];
  readonly commits: string[] = [];
  /** Commits that passed a record neither processed nor dead-lettered. */
  readonly skipped: string[] = [];
  failNextCommit = false;
  private readonly positions: number[];
  private readonly sizes: readonly number[];
  private readonly isDone: (label: string) => boolean;

  constructor(sizes: readonly number[], isDone: (label: string) => boolean) {
    this.sizes = sizes;
    this.isDone = isDone;
    this.committed = sizes.map(() => 0);
    this.positions = sizes.map(() => 0);
  }

  async fetch(maxRecords: number, maxWaitMs: number): Promise<LogRecord[]> {
    const records: LogRecord[] = [];
    for (const [partition, size] of this.sizes.entries()) {
      while (this.positions[partition]! < size && records.length < maxRecords) {
        const offset = this.positions[partition]!++;
        records.push({
          topic: TOPIC,
          partition,
          offset,
          timestamp: 0,
          key: undefined,
          value: Buffer.from(`${offset}`),
          headers: {},
        });
      }
    }
    // Like a real consumer, an idle fetch waits (here briefly) instead of answering at once.
    if (records.length === 0) await new Promise((resolve) => setTimeout(resolve, Math.min(maxWaitMs, 5)));
    return records;
  }

  async commit(partition: number, nextOffset: number): Promise<void> {
    if (this.failNextCommit) {
      this.failNextCommit = false;
      throw new Error('the group coordinator is not available');
    }
    for (let offset = 0; offset < nextOffset; offset++) {
      if (!this.isDone(label(partition, offset))) this.skipped.push(label(partition, offset));
    }
    this.commits.push(label(partition, nextOffset));
    this.committed[partition] = nextOffset;
  }

  async rewind(): Promise<void> {
    this.positions.splice(0, this.positions.length, ...this.committed);
  }

  async close(): Promise<void> {}

  get caughtUp(): boolean {
    return this.sizes.every((size, partition) => this.committed[partition] === size);
  }
}

/** Runs the poller's loop until `done()`, checking the condition as often as the loop yields. */
async function runUntil(poller: EventSourcePoller, done: () => boolean | Promise<boolean>): Promise<void> {
  poller.start();
  const deadline = Date.now() + 10_000;
  try {
    while (!(await done())) {
      if (Date.now() > deadline) throw new Error('the poller did not finish the log in 10 s');
      await new Promise((resolve) => setImmediate(resolve));
    }
  } finally {
    await poller.stop();
  }
}

/** A function that processes every record but `isPoison` ones, which it names as batch item failures. */
function fakeFunction(isPoison: (label: string) => boolean) {
  const processed = new Set<string>();
  const invoke = async (event: unknown) => {
    const failures: { itemIdentifier: { partition: string; offset: number } }[] = [];
    for (const [key, records] of Object.entries((event as MSKEvent).records)) {
      const poison = records.find((record) => isPoison(label(record.partition, record.offset)));
      for (const record of records) {
        if (!poison || record.offset < poison.offset) processed.add(label(record.partition, record.offset));
      }
      if (poison) failures.push({ itemIdentifier: { partition: key, offset: poison.offset } });
    }
    return { batchItemFailures: failures };
  };
  return { processed, invoke };
}

const allLabels = (sizes: readonly number[]) =>
  sizes.flatMap((size, partition) => Array.from({ length: size }, (_, offset) => label(partition, offset)));

beforeAll(() => logger.setLogLevel('CRITICAL'));
afterAll(() => logger.setLogLevel('WARN'));

describe('EventSourcePoller after a failed commit or dead-letter send', () => {
  it('redelivers from the committed offset when a commit fails midway through a retry', async () => {
    const sizes = [6, 3];
    const processed = new Set<string>();
    const log = new FakeLog(sizes, (record) => processed.has(record));
    let attempts = 0;
    const invoke = async (event: unknown) => {
      const records = Object.values((event as MSKEvent).records).flat();
      const failsFrom = (record: { partition: number; offset: number }) =>
        attempts === 0 && record.partition === 0 && record.offset >= 2;
      for (const record of records) {
        if (!failsFrom(record)) processed.add(label(record.partition, record.offset));
      }
      if (attempts++ > 0) return {};
      // The first attempt fails partition 0 from offset 2; committing the two records before it fails once.
      log.failNextCommit = true;
      return { batchItemFailures: [{ itemIdentifier: { partition: `${TOPIC}-0`, offset: 2 } }] };
    };
    const poller = new EventSourcePoller({
      functionName: 'lake-writer',
      trigger,
      consumer: log,
      deadLetters: { publisher: { forward: async () => {} }, topic: 'dlq' },
      invoke,
      backoffMs: () => 0,
      failurePauseMs: 0,
    });
    await runUntil(poller, () => log.caughtUp);

    expect(log.skipped).toEqual([]);
    expect([...processed].sort()).toEqual(allLabels(sizes).sort());
    // The failed commit never happened; every commit after it goes forward.
    expect(log.commits.filter((commit) => commit.startsWith('0@'))).toEqual(['0@4', '0@6']);
  });

  it('redelivers the poison record and those after it when the dead-letter send fails once', async () => {
    const sizes = [4, 2];
    const dead: string[] = [];
    let sends = 0;
    const deadLetters = {
      forward: async (_topic: string, messages: readonly ForwardedMessage[]) => {
        sends += 1;
        if (sends === 1) throw new Error('dead-letter topic unreachable');
        dead.push(...messages.map((message) => message.headers['x-source']!.replace(`${TOPIC}-`, '')));
      },
    };
    const fn = fakeFunction((record) => record === label(0, 1));
    const log = new FakeLog(sizes, (record) => fn.processed.has(record) || dead.includes(record));
    await runUntil(
      new EventSourcePoller({
        functionName: 'lake-writer',
        trigger,
        consumer: log,
        deadLetters: { publisher: deadLetters, topic: 'dlq' },
        invoke: fn.invoke,
        backoffMs: () => 0,
        failurePauseMs: 0,
      }),
      () => log.caughtUp,
    );

    expect(log.skipped).toEqual([]);
    expect(dead).toEqual([label(0, 1)]);
    expect([...fn.processed].sort()).toEqual(
      allLabels(sizes)
        .filter((record) => record !== label(0, 1))
        .sort(),
    );
  });
});

describe('EventSourcePoller on the embedded transport when the dead-letter send fails once', () => {
  let dir: TempDir;
  let transport: EmbeddedTransport;
  afterEach(async () => {
    await transport.close();
    await dir.remove();
  });

  it('rewinds the embedded consumer, so the records after the poison one are still processed', async () => {
    dir = await tempDir('poller-failures');
    transport = await EmbeddedTransport.open(join(dir.path, 'transport'));
    const values = ['a', 'poison', 'b', 'c'];
    for (const value of values) await transport.publish(TOPIC, [{ key: 'one-user', value }]);
    const written: string[] = [];
    let sends = 0;
    const deadLetters = {
      forward: async (topic: string, messages: readonly ForwardedMessage[]) => {
        if (++sends === 1) throw new Error('dead-letter topic unreachable');
        await transport.forward(topic, messages);
      },
    };
    const poller = new EventSourcePoller({
      functionName: 'lake-writer',
      trigger,
      consumer: await transport.consumer(TOPIC, 'lake-writer'),
      deadLetters: { publisher: deadLetters, topic: 'song-plays-dlq' },
      backoffMs: () => 0,
      failurePauseMs: 0,
      invoke: async (event) => {
        const records = Object.values((event as MSKEvent).records).flat();
        const poison = records.find((record) => Buffer.from(record.value, 'base64').toString() === 'poison');
        const good = records.filter((record) => !poison || record.offset < poison.offset);
        written.push(...good.map((record) => Buffer.from(record.value, 'base64').toString()));
        return poison
          ? {
              batchItemFailures: [
                { itemIdentifier: { partition: `${TOPIC}-${poison.partition}`, offset: poison.offset } },
              ],
            }
          : {};
      },
    });
    const caughtUp = async () =>
      (await (await transport.consumer(TOPIC, 'lake-writer')).fetch(10, 0)).length === 0;
    await runUntil(poller, caughtUp);

    expect(new Set(written)).toEqual(new Set(['a', 'b', 'c']));
    const dead = await (await transport.consumer('song-plays-dlq', 'check')).fetch(10, 0);
    expect(dead.map((record) => Buffer.from(record.value).toString())).toEqual(['poison']);
  });
});
