/**
 * The contract every event transport keeps (src/ports/transport.ts), run against each: the embedded one always,
 * Kafka and Kinesis against their real servers when these are set up. Publish, consume, commit, rewind,
 * resume after a restart, dead letters.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { LogConsumer, LogRecord, Transport } from '../../src/ports/transport.ts';

export interface TransportUnderTest {
  /** Opens the transport on this test's own topics; again after a close, on the same storage (a restart). */
  open(): Promise<Transport>;
  /** This test's topics: `plays` has 3 partitions, `deadLetters` 1. */
  readonly topics: { readonly plays: string; readonly deadLetters: string };
  /** A consumer group of this test's own. */
  group(name: string): string;
  /**
   * What a record published without a key has as its key when consumed: none (Kafka, embedded), or "-" (Kinesis,
   * whose records need a partition key). Headers read back as they were sent on every transport (Kinesis carries
   * them in its envelope, src/adapters/transport/kinesis/envelope.ts).
   */
  readonly missingKey?: string;
  /** Whether a partition's offsets are 0, 1, 2… with no gaps (not Kafka's: transaction markers take offsets). */
  readonly consecutiveOffsets: boolean;
  /** How long a fetch waits before the test believes that nothing more will come. */
  readonly quietMs: number;
  /** Deletes what the test made. */
  cleanup(): Promise<void>;
}

const text = (bytes: Uint8Array | undefined) => (bytes ? Buffer.from(bytes).toString() : undefined);
/** What identifies a record durably: its sequence number (Kinesis; offsets are the consumer's own) or offset. */
const identity = (record: LogRecord) => record.sequenceNumber ?? String(record.offset);

/** Fetches until at least `count` records have come, or fails after `timeoutMs`. */
async function fetchAtLeast(consumer: LogConsumer, count: number, timeoutMs = 30_000): Promise<LogRecord[]> {
  const records: LogRecord[] = [];
  const deadline = Date.now() + timeoutMs;
  while (records.length < count) {
    const left = deadline - Date.now();
    if (left <= 0) throw new Error(`fetched ${records.length} of ${count} records in ${timeoutMs} ms`);
    records.push(...(await consumer.fetch(1000, Math.min(left, 5_000))));
  }
  return records;
}

export function describeTransportContract(name: string, makeTransport: () => Promise<TransportUnderTest>) {
  describe(`${name}: the transport contract`, () => {
    let subject: TransportUnderTest;
    const opened: Transport[] = [];
    const open = async () => {
      const transport = await subject.open();
      opened.push(transport);
      return transport;
    };
    const closeAll = async () => {
      for (const transport of opened.splice(0)) await transport.close();
    };
    /** Nothing more comes: a fetch that waits `quietMs` returns nothing. */
    const expectNothingMore = async (consumer: LogConsumer) =>
      expect(await consumer.fetch(1000, subject.quietMs)).toEqual([]);

    /** The consumer fetches these records again (the same partition, identity and value), and nothing more. */
    const expectFetchedAgain = async (consumer: LogConsumer, expected: readonly LogRecord[]) => {
      const again = await fetchAtLeast(consumer, expected.length);
      await expectNothingMore(consumer);
      const summary = (record: LogRecord) => [record.partition, identity(record), text(record.value)];
      expect(again.map(summary)).toEqual(expected.map(summary));
    };

    beforeEach(async () => {
      subject = await makeTransport();
    });
    afterEach(async () => {
      await closeAll();
      await subject.cleanup();
    });

    /** Publishes the values for one key, one publish call each; returns the partition they went to. */
    async function publishFor(transport: Transport, key: string, values: readonly string[]): Promise<number> {
      for (const value of values) await transport.publish(subject.topics.plays, [{ key, value }]);
      const probe = await transport.consumer(subject.topics.plays, subject.group(`probe-${key}`));
      const records = await fetchAtLeast(probe, values.length);
      await probe.close();
      const partitions = new Set(records.map((record) => record.partition));
      expect(partitions.size).toBe(1);
      return records[0]!.partition;
    }

    it('hands published records to a consumer with offsets, keys, values, headers and a timestamp', async () => {
      const transport = await open();
      const { plays } = subject.topics;
      const before = Date.now();
      const headers = { 'content-type': 'application/json' };
      await transport.publish(plays, [
        { key: 'user-1', value: '{"n":1}', headers },
        { key: 'user-1', value: '{"n":2}' },
      ]);
      const after = Date.now();
      const consumer = await transport.consumer(plays, subject.group('lake-writer'));
      const records = await fetchAtLeast(consumer, 2);
      await expectNothingMore(consumer);
      expect(records).toHaveLength(2);
      const [first, second] = records;
      expect(first).toMatchObject({ topic: plays, offset: 0 });
      expect(second).toMatchObject({ topic: plays, offset: 1, partition: first!.partition, headers: {} });
      expect([text(first!.key), text(second!.key), text(second!.value)]).toEqual([
        'user-1',
        'user-1',
        '{"n":2}',
      ]);
      expect(first!.headers).toEqual(headers);
      expect(text(first!.value)).toBe('{"n":1}');
      expect(first!.timestamp).toBeGreaterThanOrEqual(before);
      expect(first!.timestamp).toBeLessThanOrEqual(after);
    });

    it('keeps one key on one partition, in publish order, with increasing offsets', async () => {
      const transport = await open();
      const values = Array.from({ length: 12 }, (_, index) => `v${index}`);
      const keys = ['user-1', 'user-2', 'user-3', 'user-4', 'user-5', 'user-6'];
      // Interleave keys: each key's messages must still come back in order.
      for (const value of values) {
        await transport.publish(
          subject.topics.plays,
          keys.map((key) => ({ key, value: `${key}:${value}` })),
        );
      }
      const consumer = await transport.consumer(subject.topics.plays, subject.group('g'));
      const records = await fetchAtLeast(consumer, values.length * keys.length);
      expect(records).toHaveLength(values.length * keys.length);
      for (const key of keys) {
        const mine = records.filter((record) => text(record.key) === key);
        expect(new Set(mine.map((record) => record.partition)).size).toBe(1);
        expect(mine.map((record) => text(record.value))).toEqual(values.map((value) => `${key}:${value}`));
      }
      for (const [, partitionRecords] of Map.groupBy(records, (record) => record.partition)) {
        const offsets = partitionRecords.map((record) => record.offset);
        expect(offsets).toEqual([...offsets].sort((a, b) => a - b));
        expect(new Set(offsets).size).toBe(offsets.length);
        // Each partition's offsets are 0, 1, 2, … with no gaps, where the transport numbers them so.
        if (subject.consecutiveOffsets) expect(offsets).toEqual(offsets.map((_, index) => index));
      }
      // Several keys: more than one partition in use.
      expect(new Set(records.map((record) => record.partition)).size).toBeGreaterThan(1);
    });

    it('waits for a publish when there is nothing to fetch', async () => {
      const transport = await open();
      const consumer = await transport.consumer(subject.topics.plays, subject.group('g'));
      const fetching = consumer.fetch(10, 30_000);
      await transport.publish(subject.topics.plays, [{ key: 'k', value: 'late' }]);
      expect((await fetching).map((record) => text(record.value))).toEqual(['late']);
      // And gives up after maxWaitMs with nothing.
      expect(await consumer.fetch(10, 1)).toEqual([]);
    });

    it('resumes a group at its committed offsets after close and reopen; uncommitted records come again', async () => {
      const first = await open();
      const partition = await publishFor(first, 'user-1', ['a', 'b', 'c', 'd', 'e']);
      const consumer = await first.consumer(subject.topics.plays, subject.group('lake-writer'));
      const fetched = await fetchAtLeast(consumer, 5);
      expect(fetched.map((record) => text(record.value))).toEqual(['a', 'b', 'c', 'd', 'e']);
      if (subject.consecutiveOffsets) expect(fetched.map((record) => record.offset)).toEqual([0, 1, 2, 3, 4]);
      // a, b and c are done.
      await consumer.commit(partition, fetched[3]!.offset);
      await closeAll();

      const second = await open();
      const again = await second.consumer(subject.topics.plays, subject.group('lake-writer'));
      expect(fetched.slice(3).map((record) => [record.partition, text(record.value)])).toEqual([
        [partition, 'd'],
        [partition, 'e'],
      ]);
      await expectFetchedAgain(again, fetched.slice(3));
    });

    it('rewinds a consumer to its committed offsets: records fetched and not committed come again', async () => {
      const transport = await open();
      const partition = await publishFor(transport, 'user-1', ['a', 'b', 'c', 'd']);
      const consumer = await transport.consumer(subject.topics.plays, subject.group('lake-writer'));
      const fetched = await fetchAtLeast(consumer, 4);
      if (subject.consecutiveOffsets) expect(fetched.map((record) => record.offset)).toEqual([0, 1, 2, 3]);
      await consumer.commit(partition, fetched[2]!.offset);
      await expectNothingMore(consumer);
      await consumer.rewind();
      expect(fetched.slice(2).map((record) => [record.partition, text(record.value)])).toEqual([
        [partition, 'c'],
        [partition, 'd'],
      ]);
      await expectFetchedAgain(consumer, fetched.slice(2));
    });

    it('forwards records to the dead-letter topic byte for byte, with their headers, without a key too', async () => {
      const transport = await open();
      const binary = Buffer.from([0xff, 0xfe, 0x00, 0x80]);
      const headers = { 'x-failure-reason': 'disk full', 'x-attempts': '5' };
      await transport.forward(subject.topics.deadLetters, [
        { key: undefined, value: binary, headers },
        { key: Buffer.from('user-1'), value: Buffer.from('{"n":1}'), headers: { 'x-attempts': '1' } },
      ]);
      const consumer = await transport.consumer(subject.topics.deadLetters, subject.group('check'));
      const dead = (await fetchAtLeast(consumer, 2)).map((record) => readBack(record, subject.missingKey));
      expect(dead).toHaveLength(2);
      expect(dead[0]!.key).toBeUndefined();
      expect(Buffer.from(dead[0]!.value)).toEqual(binary);
      expect(dead[0]!.headers).toEqual(headers);
      expect([text(dead[1]!.key), text(dead[1]!.value), dead[1]!.headers]).toEqual([
        'user-1',
        '{"n":1}',
        { 'x-attempts': '1' },
      ]);
    });
  });
}

/** A consumed record's key, value and headers as they were sent: the stand-in for a missing key read as none. */
function readBack(record: LogRecord, missingKey: string | undefined) {
  return missingKey !== undefined && text(record.key) === missingKey ? { ...record, key: undefined } : record;
}
