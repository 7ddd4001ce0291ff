/**
 * The S3Store adapter, built exactly as the platform builds it (LAKE_URI=s3://… through createDependencies),
 * against a real S3-compatible server: versitygw from `npm run services:up -- s3`, or any other. It runs the
 * object store contract, and what only S3 has: prefixes, content types, paging, downloads.
 */
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import {
  CreateBucketCommand,
  DeleteBucketCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  S3Client,
} from '@aws-sdk/client-s3';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir } from '../../../devkit/temp-dir.ts';
import { loadSettings } from '../../../src/config/settings.ts';
import type { ObjectStore } from '../../../src/ports/object-store.ts';
import { createDependencies } from '../../../src/wiring/dependencies.ts';
import { describeObjectStoreContract } from '../../support/object-store-contract.ts';
import { deleteLakePrefix, s3Skipped, uniqueLakeUri } from './s3-lake.ts';

const bytes = (text: string) => new TextEncoder().encode(text);
const text = (body: Uint8Array | undefined) =>
  body === undefined ? undefined : new TextDecoder().decode(body);

/** The lake store the platform builds for this LAKE_URI. */
const lakeAt = (lakeUri: string): ObjectStore =>
  createDependencies(loadSettings({ ...process.env, LAKE_URI: lakeUri })).lake();
/** `s3://bucket/prefix/` → bucket and prefix. */
const locate = (lakeUri: string) => {
  const [bucket = '', ...prefix] = lakeUri.slice('s3://'.length).split('/');
  return { bucket, prefix: prefix.join('/') };
};

/** Runs `task` over `items`, `concurrency` at a time. */
async function eachLimited<T>(items: readonly T[], concurrency: number, task: (item: T) => Promise<void>) {
  let next = 0;
  const worker = async () => {
    for (let index = next++; index < items.length; index = next++) await task(items[index]!);
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
}

describe.skipIf(s3Skipped)(`S3Store against a real S3-compatible server (${s3Skipped ?? 'running'})`, () => {
  describeObjectStoreContract('S3Store', async () => {
    const lakeUri = uniqueLakeUri('contract');
    const scratch = await makeTempDir('s3-contract');
    return {
      store: lakeAt(lakeUri),
      scratchDir: scratch.path,
      cleanup: async () => {
        await deleteLakePrefix(lakeUri);
        await scratch.remove();
      },
    };
  });

  describe('what only S3 has', () => {
    const lakeUri = uniqueLakeUri('store');
    const { bucket, prefix } = locate(lakeUri);
    let lake: ObjectStore;
    let client: S3Client;

    beforeAll(() => {
      lake = lakeAt(lakeUri);
      client = new S3Client({ forcePathStyle: true });
    });
    afterEach(async () => {
      await deleteLakePrefix(lakeUri);
    });
    afterAll(() => {
      client?.destroy();
    });

    it('describes itself as its s3 URI', () => {
      expect(lake.describe()).toBe(lakeUri);
    });

    it('puts the body under the prefixed key in its bucket, with the content type', async () => {
      const body = new Uint8Array([1, 2, 3]);
      await lake.put('plays/dt=2026-11-20/hour=10/a.parquet', body, 'application/vnd.apache.parquet');
      const object = await client.send(
        new GetObjectCommand({ Bucket: bucket, Key: `${prefix}plays/dt=2026-11-20/hour=10/a.parquet` }),
      );
      expect(object.ContentType).toBe('application/vnd.apache.parquet');
      expect(await object.Body!.transformToByteArray()).toEqual(body);
    });

    it('deletes the prefixed key in its bucket', async () => {
      await lake.put('doctor-probe.txt', bytes('probe'), 'text/plain');
      const underPrefix = () =>
        client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: `${prefix}doctor-probe.txt` }));
      expect((await underPrefix()).Contents?.map((object) => object.Key)).toEqual([
        `${prefix}doctor-probe.txt`,
      ]);
      await lake.delete('doctor-probe.txt');
      expect((await underPrefix()).Contents ?? []).toEqual([]);
    });

    it('uses keys as they are in a bucket of its own, without a prefix', async () => {
      const own = `top-songs-test-${randomUUID().slice(0, 8)}`;
      await client.send(new CreateBucketCommand({ Bucket: own }));
      try {
        const store = lakeAt(`s3://${own}/`);
        expect(store.describe()).toBe(`s3://${own}/`);
        await store.put('catalog/songs.parquet', bytes('songs'), 'text/plain');
        const listed = await client.send(new ListObjectsV2Command({ Bucket: own }));
        expect(listed.Contents?.map((object) => object.Key)).toEqual(['catalog/songs.parquet']);
        expect(text(await store.get('catalog/songs.parquet'))).toBe('songs');
        expect(await store.list('catalog/')).toEqual(['catalog/songs.parquet']);
      } finally {
        await deleteLakePrefix(`s3://${own}/`);
        await client.send(new DeleteBucketCommand({ Bucket: own }));
      }
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
      const firstPage = await client.send(
        new ListObjectsV2Command({ Bucket: bucket, Prefix: `${prefix}many/` }),
      );
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

    it('downloads local copies into the scratch folder; one that vanished fails, naming it', async () => {
      const { path: scratch, remove } = await makeTempDir('s3-copies');
      try {
        const keys = ['copies/a/data.parquet', 'copies/b/data.parquet'];
        await lake.put(keys[0]!, bytes('from a'), 'text/plain');
        await lake.put(keys[1]!, bytes('from b'), 'text/plain');
        const paths = await lake.localCopies(keys, scratch);
        for (const path of paths) expect(path.startsWith(`${scratch}/`)).toBe(true);
        expect(await Promise.all(paths.map((path) => readFile(path, 'utf8')))).toEqual(['from a', 'from b']);
        const vanished = lake.localCopies(['copies/none.parquet'], scratch);
        await expect(vanished).rejects.toThrow(`${lakeUri}copies/none.parquet disappeared`);
      } finally {
        await remove();
      }
    });
  });
});
