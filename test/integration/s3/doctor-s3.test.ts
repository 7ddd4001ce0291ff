/**
 * `npm run doctor` against a real S3-compatible server (LAKE_URI=s3://…, AWS_ENDPOINT_URL_S3): the lake takes a
 * probe object and lets it go; a bucket that does not exist is named, with what to do.
 */
import { randomUUID } from 'node:crypto';
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir } from '../../../devkit/temp-dir.ts';
import { parseTable, rowOf, runDoctor } from '../../support/doctor.ts';
import { deleteLakePrefix, s3Skipped, uniqueLakeUri } from './s3-lake.ts';

describe.skipIf(s3Skipped)(`npm run doctor with the S3 lake (${s3Skipped ?? 'running'})`, () => {
  const lakeUri = uniqueLakeUri('doctor');
  let temp: Awaited<ReturnType<typeof makeTempDir>>;

  beforeAll(async () => {
    temp = await makeTempDir('doctor-s3');
  });
  afterAll(async () => {
    await deleteLakePrefix(lakeUri);
    await temp?.remove();
  });

  it('writes, lists and deletes a probe object in the bucket, leaving nothing behind', async () => {
    const run = await runDoctor({ TOP_SONGS_DATA_DIR: temp.path, LAKE_URI: lakeUri });
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(rowOf(parseTable(run.stdout), 'lake')).toMatchObject({
      target: lakeUri,
      status: 'ok',
      details: 'write, list and delete of a probe object',
    });
    const [bucket = '', ...prefix] = lakeUri.slice('s3://'.length).split('/');
    const client = new S3Client({ forcePathStyle: true });
    try {
      const listed = await client.send(
        new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix.join('/') }),
      );
      expect(listed.Contents ?? []).toEqual([]);
    } finally {
      client.destroy();
    }
  });

  it('a bucket that does not exist: names it and LAKE_URI, and exits non-zero', async () => {
    const bucket = `top-songs-doctor-missing-${randomUUID().slice(0, 8)}`;
    const run = await runDoctor({ TOP_SONGS_DATA_DIR: temp.path, LAKE_URI: `s3://${bucket}/lake` });
    expect(run.code).toBe(1);
    const rows = parseTable(run.stdout);
    expect(rowOf(rows, 'lake')).toMatchObject({
      target: `s3://${bucket}/lake/`,
      status: 'fail',
      details: expect.stringMatching(/^write: /),
      hint: `bucket ${bucket} does not exist: create it or fix LAKE_URI`,
    });
    expect(rows.filter((row) => row.status === 'fail').map((row) => row.service)).toEqual(['lake']);
  });
});
