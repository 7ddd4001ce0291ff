/**
 * The S3Store adapter, built exactly as the platform builds it (LAKE_URI=s3://… through createDependencies),
 * against a real S3-compatible server: versitygw from `npm run stack:up -- s3`, or any other.
 */
import { readFile } from 'node:fs/promises';
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadSettings } from '../../../src/config/settings.ts';
import type { ObjectStore } from '../../../src/ports/object-store.ts';
import { createDependencies } from '../../../src/runtime/dependencies.ts';
import { makeTempDir } from '../../support/temp-dir.ts';
import { deleteLakePrefix, s3Skipped, uniqueLakeUri } from './s3-lake.ts';

const bytes = (text: string) => new TextEncoder().encode(text);
const text = (body: Uint8Array | undefined) =>
  body === undefined ? undefined : new TextDecoder().decode(body);

/** Runs `task` over `items`, `concurrency` at a time. */
async function eachLimited<T>(items: readonly T[], concurrency: number, task: (item: T) => Promise<void>) {
  let next = 0;
  const worker = async () => {
    for (let index = next++; index < items.length; index = next++) await task(items[index]!);
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
}

describe.skipIf(s3Skipped)(`S3Store against a real S3-compatible server (${s3Skipped ?? 'running'})`, () => {
  const lakeUri = uniqueLakeUri('store');
  let lake: ObjectStore;

  beforeAll(() => {
    const dependencies = createDependencies(loadSettings({ ...process.env, LAKE_URI: lakeUri }));
    lake = dependencies.lake();
    expect(lake.describe()).toBe(lakeUri);
  });

  afterAll(async () => {
    if (!s3Skipped) await deleteLakePrefix(lakeUri);
  });

  it('puts and gets bytes, including an empty object and keys with = and spaces', async () => {
    const binary = new Uint8Array(256).map((_, index) => index);
    await lake.put('plays/dt=2026-01-02/hour=03/part 1.parquet', binary, 'application/vnd.apache.parquet');
    await lake.put('empty/nothing.bin', new Uint8Array(), 'application/octet-stream');
    await lake.put('unicode/chansón-ü.txt', bytes('olé'), 'text/plain');

    expect(await lake.get('plays/dt=2026-01-02/hour=03/part 1.parquet')).toEqual(binary);
    expect(await lake.get('empty/nothing.bin')).toEqual(new Uint8Array());
    expect(text(await lake.get('unicode/chansón-ü.txt'))).toBe('olé');
    expect(await lake.list('plays/dt=2026-01-02/')).toEqual(['plays/dt=2026-01-02/hour=03/part 1.parquet']);
  });

  it('returns undefined for a missing key, also under a missing "folder"', async () => {
    expect(await lake.get('missing/key.parquet')).toBeUndefined();
    expect(await lake.get('plays/dt=2026-01-02/hour=03/other.parquet')).toBeUndefined();
    expect(await lake.list('missing/')).toEqual([]);
  });

  it('replaces an object on a second put of the same key', async () => {
    await lake.put('catalog/songs.parquet', bytes('first version, the longer one'), 'text/plain');
    await lake.put('catalog/songs.parquet', bytes('second'), 'text/plain');
    expect(text(await lake.get('catalog/songs.parquet'))).toBe('second');
    expect(await lake.list('catalog/')).toEqual(['catalog/songs.parquet']);
  });

  it('lists more keys than one ListObjectsV2 page holds, sorted, prefix-relative and complete', async () => {
    const count = 1_050; // S3 (and versitygw) return at most 1000 keys per page.
    const keys = Array.from(
      { length: count },
      (_, index) => `many/dt=2026-01-02/hour=${String(index % 24).padStart(2, '0')}/file-${index}.parquet`,
    );
    await eachLimited(keys, 16, (key) => lake.put(key, bytes(key), 'text/plain'));
    // A sibling whose name starts with the same characters: a prefix is a string prefix, as in S3.
    await lake.put('many-not/other.parquet', bytes('x'), 'text/plain');

    // The server really pages: one ListObjectsV2 call does not return them all.
    const client = new S3Client({ forcePathStyle: true });
    const [bucket, ...prefix] = lakeUri.slice('s3://'.length).split('/');
    const firstPage = await client
      .send(new ListObjectsV2Command({ Bucket: bucket, Prefix: `${prefix.join('/')}many/` }))
      .finally(() => client.destroy());
    expect(firstPage.IsTruncated).toBe(true);
    expect(firstPage.KeyCount).toBeLessThan(count);

    const listed = await lake.list('many/');
    expect(listed).toHaveLength(count);
    expect(listed).toEqual([...keys].sort());
    expect(await lake.list('many/dt=2026-01-02/hour=07/')).toEqual(
      keys.filter((key) => key.includes('/hour=07/')).sort(),
    );
    expect(await lake.list('many')).toHaveLength(count + 1);
    expect(text(await lake.get(keys[1_049]!))).toBe(keys[1_049]);
  }, 120_000);

  it('downloads local copies, one file per key even when names repeat across folders', async () => {
    const { path: scratch, remove } = await makeTempDir('s3-copies');
    try {
      const keys = ['copies/a/data.parquet', 'copies/b/data.parquet', 'copies/c/empty.parquet'];
      await lake.put(keys[0]!, bytes('from a'), 'text/plain');
      await lake.put(keys[1]!, bytes('from b'), 'text/plain');
      await lake.put(keys[2]!, new Uint8Array(), 'text/plain');

      const paths = await lake.localCopies(keys, scratch);
      expect(paths).toHaveLength(3);
      expect(new Set(paths).size).toBe(3);
      for (const path of paths) expect(path.startsWith(scratch)).toBe(true);
      expect(await Promise.all(paths.map((path) => readFile(path, 'utf8')))).toEqual([
        'from a',
        'from b',
        '',
      ]);
      await expect(lake.localCopies(['copies/none.parquet'], scratch)).rejects.toThrow(/disappeared/);
    } finally {
      await remove();
    }
  });
});
