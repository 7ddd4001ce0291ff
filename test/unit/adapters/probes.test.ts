import { appendFile, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LocalFolderStore } from '../../../src/adapters/object-store/local-folder.ts';
import { embeddedTransportProbe } from '../../../src/adapters/probes/embedded-transport.ts';
import { lakeProbe } from '../../../src/adapters/probes/lake.ts';
import { endOffsetOnDisk } from '../../../src/adapters/transport/embedded/log.ts';
import { EmbeddedTransport } from '../../../src/adapters/transport/embedded/transport.ts';
import { topics } from '../../../src/topology.ts';
import { type TempDir, tempDir } from '../support/temp.ts';

const TOPIC = topics.plays.name;
const never = new AbortController().signal;

let dir: TempDir;
beforeEach(async () => {
  dir = await tempDir('probes');
});
afterEach(async () => {
  await dir.remove();
});

const transportProbe = () =>
  embeddedTransportProbe({
    dir: join(dir.path, 'transport'),
    topics: Object.values(topics),
    group: 'lake-writer',
    lagTopic: TOPIC,
  });

/** Publishes one message per key, and commits `commits` for the group; returns each partition's end offset. */
async function fillTransport(keys: readonly string[], commits: Record<number, number>): Promise<number[]> {
  const transport = await EmbeddedTransport.open(join(dir.path, 'transport'));
  try {
    for (const key of keys) await transport.publish(TOPIC, [{ key, value: `{"play":"${key}"}` }]);
    const consumer = await transport.consumer(TOPIC, 'lake-writer');
    for (const [partition, next] of Object.entries(commits)) await consumer.commit(Number(partition), next);
    return transport.endOffsets(TOPIC);
  } finally {
    await transport.close();
  }
}

describe('the embedded transport probe', () => {
  it('reports the lake-writer lag per partition, read from the files: end offset minus committed', async () => {
    const ends = await fillTransport(
      Array.from({ length: 40 }, (_, index) => `user-${index}`),
      {},
    );
    // Commit part of each partition that holds records: the lag is what remains.
    const commits = Object.fromEntries(ends.map((end, partition) => [partition, Math.floor(end / 2)]));
    await fillTransport([], commits);
    const lags = ends.map((end, partition) => end - commits[partition]!);
    const expected = `lake-writer lag ${lags.reduce((a, b) => a + b, 0)} (${lags.map((lag, p) => `p${p} ${lag}`).join(', ')})`;

    const outcome = await transportProbe().check(never);

    expect(ends.reduce((a, b) => a + b, 0)).toBe(40);
    expect(outcome).toEqual({ status: 'ok', detail: `not in use; ${expected}` });
  });

  it('says who holds the folder while a transport has it open', async () => {
    const transport = await EmbeddedTransport.open(join(dir.path, 'transport'));
    try {
      expect((await transportProbe().check(never)).detail).toMatch(
        new RegExp(`^held by process ${process.pid}; lake-writer lag 0 `),
      );
    } finally {
      await transport.close();
    }
  });

  it('reports a folder not created yet as fine when its parent is writable', async () => {
    expect(await transportProbe().check(never)).toEqual({
      status: 'ok',
      detail: 'not created yet (npm start creates it; the folder above it is writable)',
    });
  });

  it('fails with what to do when the folder cannot be written (a file stands where it should be)', async () => {
    await writeFile(join(dir.path, 'transport'), 'not a folder');
    const outcome = await transportProbe().check(never);
    expect(outcome).toMatchObject({
      status: 'fail',
      detail: expect.stringMatching(/is not writable \(ENOTDIR\)/),
    });
    expect(outcome.status === 'fail' && outcome.hint).toMatch(/set TOP_SONGS_DATA_DIR to another folder/);
  });
});

describe('endOffsetOnDisk', () => {
  it('is the last complete record offset + 1, ignoring a torn append, also past its 64 KiB first window', async () => {
    const partitionDir = join(dir.path, 'topic');
    const big = 'x'.repeat(100 * 1024);
    const line = (offset: number, value: string) =>
      `${JSON.stringify({ o: offset, t: 0, k: null, v: value, h: {} })}\n`;
    await mkdir(partitionDir, { recursive: true });
    await writeFile(join(partitionDir, '0.log'), line(0, 'a') + line(1, big) + line(2, big));
    expect(await endOffsetOnDisk(partitionDir, 0)).toBe(3);
    // A torn last append (no newline) was never acknowledged: it is not a record.
    await appendFile(join(partitionDir, '0.log'), '{"o":3,"t":0,"k":null,"v":"tor');
    expect(await endOffsetOnDisk(partitionDir, 0)).toBe(3);
    expect(await endOffsetOnDisk(partitionDir, 1)).toBe(0);
  });
});

describe('the lake probe on a folder', () => {
  it('writes, lists and deletes a probe object, leaving nothing behind', async () => {
    const store = new LocalFolderStore(join(dir.path, 'lake'));
    const outcome = await lakeProbe(store, { kind: 'folder', path: join(dir.path, 'lake') }).check(never);
    expect(outcome).toEqual({ status: 'ok', detail: 'write, list and delete of a probe object' });
    expect(await store.list('')).toEqual([]);
  });

  it('fails with the step and what to do when the folder cannot be written', async () => {
    await writeFile(join(dir.path, 'lake'), 'a file where the lake folder should be');
    const path = join(dir.path, 'lake');
    const outcome = await lakeProbe(new LocalFolderStore(path), { kind: 'folder', path }).check(never);
    expect(outcome).toMatchObject({
      status: 'fail',
      // The folder store makes folders only when a write finds none: the write itself meets the file.
      detail: expect.stringMatching(/^write: ENOTDIR: not a directory, open /),
    });
    expect(outcome.status === 'fail' && outcome.hint).toBe(
      `check that this user can write to ${path}, or set LAKE_URI to another folder`,
    );
  });
});
