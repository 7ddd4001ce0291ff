import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { appendFile, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EmbeddedTransport } from '../../../src/adapters/transport/embedded/transport.ts';
import type { LogRecord } from '../../../src/ports/transport.ts';
import { type TempDir, tempDir } from '../support/temp.ts';

const TOPIC = 'song-plays';
const text = (bytes: Uint8Array | undefined) => (bytes ? Buffer.from(bytes).toString() : undefined);
const summary = (records: readonly LogRecord[]) =>
  records.map((record) => ({
    partition: record.partition,
    offset: record.offset,
    value: text(record.value),
  }));

let dir: TempDir;
const opened: EmbeddedTransport[] = [];
async function open(): Promise<EmbeddedTransport> {
  const transport = await EmbeddedTransport.open(join(dir.path, 'transport'));
  opened.push(transport);
  return transport;
}
async function closeAll() {
  for (const transport of opened.splice(0)) await transport.close();
}

beforeEach(async () => {
  dir = await tempDir('transport');
});
afterEach(async () => {
  await closeAll();
  await dir.remove();
});

/** Publishes `count` messages for one key, one publish call each, and returns the partition they went to. */
async function publishFor(
  transport: EmbeddedTransport,
  key: string,
  values: readonly string[],
): Promise<number> {
  for (const value of values) await transport.publish(TOPIC, [{ key, value }]);
  const consumer = await transport.consumer(TOPIC, `probe-${key}`);
  const records = (await consumer.fetch(1000, 0)).filter((record) => text(record.key) === key);
  const partitions = new Set(records.map((record) => record.partition));
  expect(partitions.size).toBe(1);
  return records[0]!.partition;
}

describe('EmbeddedTransport', () => {
  it('hands published records to a consumer with offsets, keys, values, headers and a timestamp', async () => {
    const transport = await open();
    const before = Date.now();
    await transport.publish(TOPIC, [
      { key: 'user-1', value: '{"n":1}', headers: { 'content-type': 'application/json' } },
      { key: 'user-1', value: '{"n":2}' },
    ]);
    const records = await (await transport.consumer(TOPIC, 'lake-writer')).fetch(10, 0);
    expect(records).toHaveLength(2);
    const [first, second] = records;
    expect(first).toMatchObject({ topic: TOPIC, offset: 0, headers: { 'content-type': 'application/json' } });
    expect(second).toMatchObject({ topic: TOPIC, offset: 1, partition: first!.partition, headers: {} });
    expect([text(first!.key), text(first!.value), text(second!.value)]).toEqual([
      'user-1',
      '{"n":1}',
      '{"n":2}',
    ]);
    expect(first!.timestamp).toBeGreaterThanOrEqual(before);
    expect(first!.timestamp).toBeLessThanOrEqual(Date.now());
    expect(transport.endOffsets(TOPIC).reduce((sum, end) => sum + end, 0)).toBe(2);
  });

  it('keeps one key on one partition, in publish order, with consecutive offsets', async () => {
    const transport = await open();
    const values = Array.from({ length: 12 }, (_, index) => `v${index}`);
    const keys = ['user-1', 'user-2', 'user-3', 'user-4', 'user-5', 'user-6'];
    // Interleave keys: each key's messages must still come back in order.
    for (const value of values)
      await transport.publish(
        TOPIC,
        keys.map((key) => ({ key, value: `${key}:${value}` })),
      );
    const records = await (await transport.consumer(TOPIC, 'g')).fetch(1000, 0);
    expect(records).toHaveLength(values.length * keys.length);
    for (const key of keys) {
      const mine = records.filter((record) => text(record.key) === key);
      expect(new Set(mine.map((record) => record.partition)).size).toBe(1);
      expect(mine.map((record) => text(record.value))).toEqual(values.map((value) => `${key}:${value}`));
    }
    // Offsets of each partition are 0, 1, 2, … with no gaps.
    for (const [, partitionRecords] of Map.groupBy(records, (record) => record.partition)) {
      const offsets = partitionRecords.map((record) => record.offset).sort((a, b) => a - b);
      expect(offsets).toEqual(offsets.map((_, index) => index));
    }
    // Several keys: more than one partition in use.
    expect(new Set(records.map((record) => record.partition)).size).toBeGreaterThan(1);
  });

  it('waits for a publish when there is nothing to fetch', async () => {
    const transport = await open();
    const consumer = await transport.consumer(TOPIC, 'g');
    const fetching = consumer.fetch(10, 30_000);
    await transport.publish(TOPIC, [{ key: 'k', value: 'late' }]);
    expect(summary(await fetching).map((record) => record.value)).toEqual(['late']);
    // And gives up after maxWaitMs with nothing.
    expect(await consumer.fetch(10, 1)).toEqual([]);
  });

  it('resumes a group at its committed offsets after close and reopen; uncommitted records come again', async () => {
    const first = await open();
    const partition = await publishFor(first, 'user-1', ['a', 'b', 'c', 'd', 'e']);
    const consumer = await first.consumer(TOPIC, 'lake-writer');
    expect(summary(await consumer.fetch(10, 0)).map((record) => record.offset)).toEqual([0, 1, 2, 3, 4]);
    await consumer.commit(partition, 3);
    await closeAll();

    const second = await open();
    const resumed = await (await second.consumer(TOPIC, 'lake-writer')).fetch(10, 0);
    expect(summary(resumed)).toEqual([
      { partition, offset: 3, value: 'd' },
      { partition, offset: 4, value: 'e' },
    ]);
    // Appends continue after the last offset on disk.
    await second.publish(TOPIC, [{ key: 'user-1', value: 'f' }]);
    expect(second.endOffsets(TOPIC)[partition]).toBe(6);
  });

  it('rewinds a consumer to its committed offsets: records fetched and not committed come again', async () => {
    const transport = await open();
    const partition = await publishFor(transport, 'user-1', ['a', 'b', 'c', 'd']);
    const consumer = await transport.consumer(TOPIC, 'lake-writer');
    expect(summary(await consumer.fetch(10, 0)).map((record) => record.offset)).toEqual([0, 1, 2, 3]);
    await consumer.commit(partition, 2);
    expect(await consumer.fetch(10, 0)).toEqual([]);
    await consumer.rewind();
    expect(summary(await consumer.fetch(10, 0))).toEqual([
      { partition, offset: 2, value: 'c' },
      { partition, offset: 3, value: 'd' },
    ]);
  });

  it('forwards records byte for byte, without a key too', async () => {
    const transport = await open();
    const value = Buffer.from([0xff, 0xfe, 0x00, 0x80]);
    await transport.forward('song-plays-dlq', [{ key: undefined, value, headers: { 'x-attempts': '5' } }]);
    const [record] = await (await transport.consumer('song-plays-dlq', 'check')).fetch(10, 0);
    expect(record!.key).toBeUndefined();
    expect(Buffer.from(record!.value)).toEqual(value);
    expect(record!.headers).toEqual({ 'x-attempts': '5' });
  });

  it('drops a torn last line on open, and later appends continue at the right offset', async () => {
    const first = await open();
    const partition = await publishFor(first, 'user-1', ['a', 'b', 'c']);
    await closeAll();
    const log = join(dir.path, 'transport', TOPIC, `${partition}.log`);
    const intact = await readFile(log, 'utf8');
    await appendFile(log, '{"o":3,"t":17951718000');

    const second = await open();
    expect(second.endOffsets(TOPIC)[partition]).toBe(3);
    expect(await readFile(log, 'utf8')).toBe(intact);
    await second.publish(TOPIC, [{ key: 'user-1', value: 'd' }]);
    await closeAll();

    const third = await open();
    const records = await (await third.consumer(TOPIC, 'g')).fetch(10, 0);
    expect(summary(records)).toEqual(
      ['a', 'b', 'c', 'd'].map((value, offset) => ({ partition, offset, value })),
    );
  });

  it('drops a last record whose newline never reached the disk, instead of gluing the next append to it', async () => {
    const first = await open();
    const partition = await publishFor(first, 'user-1', ['a', 'b', 'c']);
    await closeAll();
    // Crash between writing the record and its newline: the append was never acknowledged.
    const log = join(dir.path, 'transport', TOPIC, `${partition}.log`);
    const content = await readFile(log, 'utf8');
    await writeFile(log, content.slice(0, -1));

    const second = await open();
    expect(second.endOffsets(TOPIC)[partition]).toBe(2);
    await second.publish(TOPIC, [{ key: 'user-1', value: 'c2' }]);
    await closeAll();

    const third = await open();
    const records = await (await third.consumer(TOPIC, 'g')).fetch(10, 0);
    expect(summary(records)).toEqual(['a', 'b', 'c2'].map((value, offset) => ({ partition, offset, value })));
  });

  it('refuses a folder owned by another live process', async () => {
    const folder = join(dir.path, 'transport');
    await (await open()).close();
    opened.length = 0;
    // The parent of this test worker is alive for as long as the test runs.
    await writeFile(join(folder, 'owner.pid'), String(process.ppid));
    await expect(EmbeddedTransport.open(folder)).rejects.toThrow(`belongs to process ${process.ppid}`);
    expect(await readFile(join(folder, 'owner.pid'), 'utf8')).toBe(String(process.ppid));
  });

  it('takes over a folder whose owner has died, and releases it on close', async () => {
    const folder = join(dir.path, 'transport');
    await (await open()).close();
    opened.length = 0;
    const dead = spawnSync(process.execPath, ['-e', '']).pid!;
    await writeFile(join(folder, 'owner.pid'), String(dead));
    await open();
    expect(await readFile(join(folder, 'owner.pid'), 'utf8')).toBe(String(process.pid));
    await closeAll();
    expect(existsSync(join(folder, 'owner.pid'))).toBe(false);
  });

  it('refuses an undeclared topic, naming the declared ones', async () => {
    const transport = await open();
    await expect(transport.publish('plays', [{ key: 'k', value: 'v' }])).rejects.toThrow(
      'Unknown topic "plays"; the topology declares song-plays, song-plays-dlq',
    );
  });
});
