/**
 * The contract every data lake store keeps (src/ports/object-store.ts), run against each: the local folder
 * always, S3 against a real S3-compatible server when one is set up.
 */
import { readFile } from 'node:fs/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ObjectStore } from '../../src/ports/object-store.ts';

export interface ObjectStoreUnderTest {
  /** An empty store of this test's own. */
  readonly store: ObjectStore;
  /** Where `localCopies` may download to. */
  readonly scratchDir: string;
  /** Deletes what the test made. */
  cleanup(): Promise<void>;
}

const bytes = (text: string) => new TextEncoder().encode(text);
const text = (data: Uint8Array | undefined) =>
  data === undefined ? undefined : new TextDecoder().decode(data);

export function describeObjectStoreContract(name: string, makeStore: () => Promise<ObjectStoreUnderTest>) {
  describe(`${name}: the object store contract`, () => {
    let subject: ObjectStoreUnderTest;
    let store: ObjectStore;
    beforeEach(async () => {
      subject = await makeStore();
      store = subject.store;
    });
    afterEach(async () => {
      await subject.cleanup();
    });

    it('puts and gets bytes, an empty object and keys with = and spaces; a missing key is undefined', async () => {
      const binary = new Uint8Array(256).map((_, index) => index);
      await store.put('plays/dt=2026-11-20/hour=10/part 1.parquet', binary, 'application/vnd.apache.parquet');
      await store.put('empty/nothing.bin', new Uint8Array(), 'application/octet-stream');
      await store.put('unicode/chansón-ü.txt', bytes('olé'), 'text/plain');

      expect(await store.get('plays/dt=2026-11-20/hour=10/part 1.parquet')).toEqual(binary);
      expect(await store.get('empty/nothing.bin')).toEqual(new Uint8Array());
      expect(text(await store.get('unicode/chansón-ü.txt'))).toBe('olé');
      expect(await store.list('plays/dt=2026-11-20/')).toEqual([
        'plays/dt=2026-11-20/hour=10/part 1.parquet',
      ]);
      expect(await store.get('plays/dt=2026-11-20/hour=10/missing.parquet')).toBeUndefined();
      expect(await store.get('missing/key.parquet')).toBeUndefined();
      expect(await store.get('nowhere/at/all')).toBeUndefined();
    });

    it('replaces an object on a second put of the same key', async () => {
      await store.put(
        'rejects/dt=2026-11-20/r.jsonl',
        bytes('first, longer version'),
        'application/x-ndjson',
      );
      await store.put('rejects/dt=2026-11-20/r.jsonl', bytes('second'), 'application/x-ndjson');
      expect(text(await store.get('rejects/dt=2026-11-20/r.jsonl'))).toBe('second');
      expect(await store.list('rejects/')).toEqual(['rejects/dt=2026-11-20/r.jsonl']);
    });

    it('deletes an object; deleting a key that is not there is no error', async () => {
      await store.put('doctor-probe.txt', bytes('probe'), 'text/plain');
      await store.put('doctor-probe.txt.keep', bytes('kept'), 'text/plain');
      await store.delete('doctor-probe.txt');
      expect(await store.get('doctor-probe.txt')).toBeUndefined();
      expect(await store.list('')).toEqual(['doctor-probe.txt.keep']);
      await expect(store.delete('doctor-probe.txt')).resolves.toBeUndefined();
    });

    it('lists keys under a prefix, sorted, across folders; a prefix is a string prefix', async () => {
      for (const key of [
        'plays/dt=2026-11-20/hour=11/b.parquet',
        'plays/dt=2026-11-20/hour=10/b.parquet',
        'plays/dt=2026-11-21/hour=00/a.parquet',
        'plays/dt=2026-11-20/hour=10/a.parquet',
        'plays/dt=2026-11-20/hour=09/z.parquet',
        'rejects/dt=2026-11-20/r.jsonl',
        'catalog/songs.parquet',
      ]) {
        await store.put(key, bytes(key), 'text/plain');
      }
      expect(await store.list('plays/dt=2026-11-20/')).toEqual([
        'plays/dt=2026-11-20/hour=09/z.parquet',
        'plays/dt=2026-11-20/hour=10/a.parquet',
        'plays/dt=2026-11-20/hour=10/b.parquet',
        'plays/dt=2026-11-20/hour=11/b.parquet',
      ]);
      // A prefix may end mid-name: hour=1 matches hour=10 and hour=11, not hour=09.
      expect(await store.list('plays/dt=2026-11-20/hour=1')).toEqual([
        'plays/dt=2026-11-20/hour=10/a.parquet',
        'plays/dt=2026-11-20/hour=10/b.parquet',
        'plays/dt=2026-11-20/hour=11/b.parquet',
      ]);
      // An exact key lists itself (catalog-sync relies on it).
      expect(await store.list('catalog/songs.parquet')).toEqual(['catalog/songs.parquet']);
      expect(await store.list('')).toHaveLength(7);
      expect(await store.list('catalog/songs.parquet.old')).toEqual([]);
    });

    it('lists objects with their sizes; an etag changes when an object is rewritten with other bytes', async () => {
      await store.put('plays/dt=2026-11-20/hour=10/b.parquet', bytes('bbbb'), 'text/plain');
      await store.put('plays/dt=2026-11-20/hour=10/a.parquet', bytes('a'), 'text/plain');
      await store.put('plays/dt=2026-11-20/hour=11/c.parquet', bytes('c'), 'text/plain');
      const before = await store.listObjects('plays/dt=2026-11-20/hour=10/');
      expect(before.map(({ key, size }) => ({ key, size }))).toEqual([
        { key: 'plays/dt=2026-11-20/hour=10/a.parquet', size: 1 },
        { key: 'plays/dt=2026-11-20/hour=10/b.parquet', size: 4 },
      ]);
      expect(before.every((object) => object.etag.length > 0)).toBe(true);

      await store.put('plays/dt=2026-11-20/hour=10/a.parquet', bytes('z'), 'text/plain');
      const after = await store.listObjects('plays/dt=2026-11-20/hour=10/');
      expect(after[0]?.size).toBe(1);
      expect(after[0]?.etag).not.toBe(before[0]?.etag);
      expect(after[1]).toEqual(before[1]);
      expect(await store.listObjects('missing/')).toEqual([]);
    });

    it('lists nothing under a prefix that has no objects', async () => {
      expect(await store.list('plays/dt=1999-01-01/')).toEqual([]);
      expect(await store.list('missing/')).toEqual([]);
      expect(await store.list('')).toEqual([]);
    });

    it('gives local copies holding the objects, one file per key even when names repeat across folders', async () => {
      const keys = ['copies/a/data.parquet', 'copies/b/data.parquet', 'copies/c/empty.parquet'];
      await store.put(keys[0]!, bytes('from a'), 'text/plain');
      await store.put(keys[1]!, bytes('from b'), 'text/plain');
      await store.put(keys[2]!, new Uint8Array(), 'text/plain');

      const paths = await store.localCopies(keys, subject.scratchDir);
      expect(paths).toHaveLength(3);
      expect(new Set(paths).size).toBe(3);
      expect(await Promise.all(paths.map((path) => readFile(path, 'utf8')))).toEqual([
        'from a',
        'from b',
        '',
      ]);
    });
  });
}
