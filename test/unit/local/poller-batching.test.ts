/**
 * The batching window (Lambda's MaximumBatchingWindowInSeconds): once a first record is there, the poller
 * keeps gathering until the batch holds `batchSize` records or the window has passed, so a trickle of
 * records makes few large batches (and few lake files), not one tiny batch per record.
 */
import { join } from 'node:path';
import type { MSKEvent } from 'aws-lambda';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { waitFor } from '../../../devkit/wait-for.ts';
import { EventSourcePoller } from '../../../local/event-source-poller.ts';
import { EmbeddedTransport } from '../../../src/adapters/transport/embedded/transport.ts';
import type { LogConsumer, LogRecord } from '../../../src/ports/transport.ts';
import type { TopicTrigger } from '../../../src/topology.ts';
import { type TempDir, tempDir } from '../support/temp.ts';

const trigger: TopicTrigger = {
  kind: 'topic',
  topic: 'song-plays',
  batchSize: 5,
  batchWindowSeconds: 10,
  maxAttempts: 3,
  maxRecordAgeSeconds: Number.POSITIVE_INFINITY,
  splitBatchOnError: false,
};
const record = (offset: number): LogRecord => ({
  topic: 'song-plays',
  partition: 0,
  offset,
  timestamp: 0,
  key: undefined,
  value: Buffer.from(`${offset}`),
  headers: {},
});

/**
 * A consumer that answers each fetch from a script: a record list, or `wait` (nothing came: the fetch
 * waited its whole `maxWaitMs`, which moves the faked clock on by as much). It notes each fetch's arguments.
 */
function scriptedConsumer(script: (LogRecord[] | 'wait')[]) {
  const fetches: { maxRecords: number; maxWaitMs: number }[] = [];
  const consumer: LogConsumer = {
    fetch: async (maxRecords, maxWaitMs) => {
      fetches.push({ maxRecords, maxWaitMs });
      const answer = script.shift() ?? 'wait';
      if (answer !== 'wait') return answer;
      vi.setSystemTime(Date.now() + maxWaitMs);
      return [];
    },
    commit: async () => {},
    rewind: async () => {},
    close: async () => {},
  };
  return { consumer, fetches };
}

const pollerOn = (consumer: LogConsumer, batchWindowSeconds = trigger.batchWindowSeconds) =>
  new EventSourcePoller({
    functionName: 'lake-writer',
    trigger: { ...trigger, batchWindowSeconds },
    consumer,
    deadLetters: { publisher: { forward: async () => {} }, topic: 'dlq' },
    invoke: async () => ({}),
    idleWaitMs: 1000,
  });

describe('EventSourcePoller batching window', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('keeps gathering records one by one until the batch is full', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const { consumer, fetches } = scriptedConsumer([0, 1, 2, 3, 4, 5].map((n) => [record(n)]));
    const batch = await pollerOn(consumer).nextBatch();
    expect(batch.map((r) => r.offset)).toEqual([0, 1, 2, 3, 4]);
    // The first fetch waits for anything at all; the next ones for the rest of the batch, within the window.
    expect(fetches).toEqual([
      { maxRecords: 5, maxWaitMs: 1000 },
      { maxRecords: 4, maxWaitMs: 10_000 },
      { maxRecords: 3, maxWaitMs: 10_000 },
      { maxRecords: 2, maxWaitMs: 10_000 },
      { maxRecords: 1, maxWaitMs: 10_000 },
    ]);
  });

  it('hands over what it has once the window since the first record has passed', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const { consumer, fetches } = scriptedConsumer(['wait', [record(0)], [record(1), record(2)], 'wait']);
    const poller = pollerOn(consumer);
    expect(await poller.nextBatch()).toEqual([]); // Idle: nothing came within the idle wait.
    const batch = await poller.nextBatch();
    expect(batch.map((r) => r.offset)).toEqual([0, 1, 2]);
    expect(fetches.slice(1)).toEqual([
      { maxRecords: 5, maxWaitMs: 1000 },
      { maxRecords: 4, maxWaitMs: 10_000 },
      { maxRecords: 2, maxWaitMs: 10_000 },
    ]);
  });

  it('with a window of 0, hands over the first fetch at once', async () => {
    const { consumer, fetches } = scriptedConsumer([[record(0)], [record(1)]]);
    expect((await pollerOn(consumer, 0).nextBatch()).map((r) => r.offset)).toEqual([0]);
    expect(fetches).toHaveLength(1);
  });

  describe('on the embedded transport', () => {
    let dir: TempDir | undefined;
    let transport: EmbeddedTransport | undefined;
    afterEach(async () => {
      await transport?.close();
      await dir?.remove();
    });

    it('delivers a trickle of records published one by one as one batch', async () => {
      dir = await tempDir('poller-batching');
      transport = await EmbeddedTransport.open(join(dir.path, 'transport'));
      const events: MSKEvent[] = [];
      const poller = new EventSourcePoller({
        functionName: 'lake-writer',
        trigger: { ...trigger, batchSize: 4, batchWindowSeconds: 30 },
        consumer: await transport.consumer('song-plays', 'lake-writer'),
        deadLetters: { publisher: transport, topic: 'song-plays-dlq' },
        invoke: async (event) => {
          events.push(event as MSKEvent);
          return {};
        },
      });
      poller.start();
      try {
        for (const n of [0, 1, 2, 3]) await transport.publish('song-plays', [{ key: 'user', value: `${n}` }]);
        await waitFor('a first batch', async () => (events.length > 0 ? true : undefined), 10_000, 5);
      } finally {
        await poller.stop();
      }
      expect(events.map((event) => Object.values(event.records).flat().length)).toEqual([4]);
    });
  });
});
