import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { appendFile, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EmbeddedTransport } from '../../../src/adapters/transport/embedded/transport.ts';
import type { LogRecord } from '../../../src/ports/transport.ts';
import { describeTransportContract } from '../../support/transport-contract.ts';
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

describeTransportContract('EmbeddedTransport', async () => {
  const folder = await tempDir('transport-contract');
  return {
    open: () => EmbeddedTransport.open(join(folder.path, 'transport')),
    topics: { plays: TOPIC, deadLetters: 'song-plays-dlq' },
    group: (name) => name,
    consecutiveOffsets: true,
    quietMs: 0,
    cleanup: () => folder.remove(),
  };
});

describe('EmbeddedTransport', () => {
  it('counts the records of each partition, and appends after the last offset on disk when reopened', async () => {
    const first = await open();
    await first.publish(TOPIC, [
      { key: 'user-1', value: '{"n":1}' },
      { key: 'user-1', value: '{"n":2}' },
    ]);
    expect(first.endOffsets(TOPIC).reduce((sum, end) => sum + end, 0)).toBe(2);
    const partition = await publishFor(first, 'user-1', ['a', 'b', 'c']);
    await closeAll();

    const second = await open();
    await second.publish(TOPIC, [{ key: 'user-1', value: 'f' }]);
    expect(second.endOffsets(TOPIC)[partition]).toBe(6);
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

  it('gives a group that never committed every record after a reopen, though another group committed past them', async () => {
    // npm start killed while the live chart had committed its first batch and the lake-writer (a longer batch
    // window) had not: the reopened transport must not have forgotten what the lake-writer has yet to read.
    const first = await open();
    const values = Array.from({ length: 40 }, (_, n) => `play-${n}`);
    await first.publish(
      TOPIC,
      values.map((value, n) => ({ key: `user-${n % 7}`, value })),
    );
    const early = await first.consumer(TOPIC, 'live-chart');
    const late = await first.consumer(TOPIC, 'lake-writer');
    const read = await early.fetch(1000, 0);
    expect(read).toHaveLength(values.length);
    for (const [partition, records] of Map.groupBy(read, (record) => record.partition)) {
      await early.commit(partition, records.at(-1)!.offset + 1);
    }
    void late; // opened, never committed: it has no offsets file
    await closeAll();

    const second = await open();
    await second.consumer(TOPIC, 'live-chart');
    const lakeWriter = await second.consumer(TOPIC, 'lake-writer');
    const again = await lakeWriter.fetch(1000, 0);
    expect(again.map((record) => text(record.value)).sort()).toEqual([...values].sort());
  });

  it('refuses an undeclared topic, naming the declared ones', async () => {
    const transport = await open();
    await expect(transport.publish('plays', [{ key: 'k', value: 'v' }])).rejects.toThrow(
      'Unknown topic "plays"; the topology declares song-plays, song-plays-dlq',
    );
  });
});
