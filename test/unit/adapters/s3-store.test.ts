import { readFile } from 'node:fs/promises';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  NoSuchKey,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { S3Store } from '../../../src/adapters/object-store/s3.ts';
import { type TempDir, tempDir } from '../support/temp.ts';

const s3 = mockClient(S3Client);
const store = () => new S3Store(new S3Client({ region: 'us-east-1' }), 'top-songs-lake', 'dev/');

/** What GetObject's streaming body offers; only transformToByteArray is used. */
const body = (text: string) =>
  ({ transformToByteArray: async () => new Uint8Array(Buffer.from(text)) }) as unknown as never;

let scratch: TempDir;
beforeAll(async () => {
  scratch = await tempDir('s3-store');
});
afterAll(async () => {
  s3.restore();
  await scratch.remove();
});
beforeEach(() => {
  s3.reset();
});

describe('S3Store', () => {
  it('puts the body under the prefixed key in its bucket, with the content type', async () => {
    s3.on(PutObjectCommand).resolves({});
    const bytes = new Uint8Array([1, 2, 3]);
    await store().put('plays/dt=2026-11-20/hour=10/a.parquet', bytes, 'application/vnd.apache.parquet');
    const calls = s3.commandCalls(PutObjectCommand);
    expect(calls).toHaveLength(1);
    expect(calls[0]!.args[0].input).toEqual({
      Bucket: 'top-songs-lake',
      Key: 'dev/plays/dt=2026-11-20/hour=10/a.parquet',
      Body: bytes,
      ContentType: 'application/vnd.apache.parquet',
    });
  });

  it('deletes the prefixed key in its bucket', async () => {
    s3.on(DeleteObjectCommand).resolves({});
    await store().delete('doctor-probe.txt');
    expect(s3.commandCalls(DeleteObjectCommand).map((call) => call.args[0].input)).toEqual([
      { Bucket: 'top-songs-lake', Key: 'dev/doctor-probe.txt' },
    ]);
  });

  it('uses keys as they are when there is no prefix', async () => {
    s3.on(PutObjectCommand).resolves({});
    await new S3Store(new S3Client({ region: 'us-east-1' }), 'bucket').put(
      'catalog/songs.parquet',
      new Uint8Array(),
      'x',
    );
    expect(s3.commandCalls(PutObjectCommand)[0]!.args[0].input).toMatchObject({
      Key: 'catalog/songs.parquet',
    });
  });

  it('gets the bytes of an object from the prefixed key', async () => {
    s3.on(GetObjectCommand, { Bucket: 'top-songs-lake', Key: 'dev/catalog/songs.parquet' }).resolves({
      Body: body('PAR1…'),
    });
    const bytes = await store().get('catalog/songs.parquet');
    expect(Buffer.from(bytes!).toString()).toBe('PAR1…');
  });

  it('answers undefined for a missing key, and passes other errors on', async () => {
    s3.on(GetObjectCommand, { Key: 'dev/missing' }).rejects(
      new NoSuchKey({ message: 'The specified key does not exist.', $metadata: { httpStatusCode: 404 } }),
    );
    s3.on(GetObjectCommand, { Key: 'dev/forbidden' }).rejects(
      new S3ServiceException({
        name: 'AccessDenied',
        $fault: 'client',
        message: 'Access Denied',
        $metadata: {},
      }),
    );
    await expect(store().get('missing')).resolves.toBeUndefined();
    await expect(store().get('forbidden')).rejects.toThrow('Access Denied');
  });

  it('lists every page, passing the continuation token on, and strips the prefix', async () => {
    s3.on(ListObjectsV2Command)
      .resolvesOnce({
        IsTruncated: true,
        NextContinuationToken: 'token-1',
        Contents: [
          { Key: 'dev/plays/dt=2026-11-20/hour=10/c.parquet' },
          { Key: 'dev/plays/dt=2026-11-20/hour=10/a.parquet' },
        ],
      })
      .resolvesOnce({
        IsTruncated: true,
        NextContinuationToken: 'token-2',
        Contents: [{ Key: 'dev/plays/dt=2026-11-20/hour=11/b.parquet' }],
      })
      .resolvesOnce({ IsTruncated: false, Contents: [{ Key: 'dev/plays/dt=2026-11-20/hour=10/b.parquet' }] });

    const keys = await store().list('plays/dt=2026-11-20/');

    expect(keys).toEqual([
      'plays/dt=2026-11-20/hour=10/a.parquet',
      'plays/dt=2026-11-20/hour=10/b.parquet',
      'plays/dt=2026-11-20/hour=10/c.parquet',
      'plays/dt=2026-11-20/hour=11/b.parquet',
    ]);
    const inputs = s3.commandCalls(ListObjectsV2Command).map((call) => call.args[0].input);
    expect(inputs).toEqual([
      { Bucket: 'top-songs-lake', Prefix: 'dev/plays/dt=2026-11-20/', ContinuationToken: undefined },
      { Bucket: 'top-songs-lake', Prefix: 'dev/plays/dt=2026-11-20/', ContinuationToken: 'token-1' },
      { Bucket: 'top-songs-lake', Prefix: 'dev/plays/dt=2026-11-20/', ContinuationToken: 'token-2' },
    ]);
  });

  it('lists an empty prefix as no keys', async () => {
    s3.on(ListObjectsV2Command).resolves({ IsTruncated: false, KeyCount: 0 });
    await expect(store().list('plays/dt=1999-01-01/')).resolves.toEqual([]);
  });

  it('downloads local copies into the scratch folder, one file per key even with equal names', async () => {
    s3.on(GetObjectCommand, { Key: 'dev/plays/dt=2026-11-20/hour=10/x.parquet' }).resolves({
      Body: body('ten'),
    });
    s3.on(GetObjectCommand, { Key: 'dev/plays/dt=2026-11-20/hour=11/x.parquet' }).resolves({
      Body: body('eleven'),
    });
    const paths = await store().localCopies(
      ['plays/dt=2026-11-20/hour=10/x.parquet', 'plays/dt=2026-11-20/hour=11/x.parquet'],
      scratch.path,
    );
    expect(paths).toHaveLength(2);
    expect(new Set(paths).size).toBe(2);
    for (const path of paths) expect(path.startsWith(`${scratch.path}/`)).toBe(true);
    expect(await Promise.all(paths.map((path) => readFile(path, 'utf8')))).toEqual(['ten', 'eleven']);
  });

  it('fails a local copy of an object that vanished, naming it', async () => {
    s3.on(GetObjectCommand).rejects(new NoSuchKey({ message: 'gone', $metadata: {} }));
    await expect(store().localCopies(['plays/gone.parquet'], scratch.path)).rejects.toThrow(
      's3://top-songs-lake/dev/plays/gone.parquet',
    );
  });

  it('describes itself as an s3 URI', () => {
    expect(store().describe()).toBe('s3://top-songs-lake/dev/');
  });
});
