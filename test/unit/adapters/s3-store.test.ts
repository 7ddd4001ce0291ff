import {
  GetObjectCommand,
  ListObjectsV2Command,
  NoSuchKey,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { S3Store } from '../../../src/adapters/object-store/s3.ts';

/**
 * The S3Store with a mocked client, for what a real S3 server cannot show: how errors map, and the requests
 * that page through a listing. test/integration/s3/s3-store.test.ts runs the rest against a real server.
 */
const s3 = mockClient(S3Client);
const store = () => new S3Store(new S3Client({ region: 'us-east-1' }), 'top-songs-lake', 'dev/');

afterAll(() => {
  s3.restore();
});
beforeEach(() => {
  s3.reset();
});

describe('S3Store', () => {
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
});
