/** Shared by the tests against a real S3-compatible server (`npm run services:up -- s3` prints the settings). */
import { randomUUID } from 'node:crypto';
import { DeleteObjectsCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { skipWithout } from '../../../devkit/required.ts';
import { makeTempDir } from '../../../devkit/temp-dir.ts';
import { loadSettings } from '../../../src/config/settings.ts';
import { createDependencies } from '../../../src/wiring/dependencies.ts';
import type { LakeUnderTest } from '../../support/enrichment-suite.ts';

const lakeUri = process.env.LAKE_URI ?? '';

/** Why the S3 tests are skipped, or undefined when they run (with TOP_SONGS_REQUIRE_S3=1 they must run). */
export const s3Skipped = skipWithout(
  'S3',
  process.env.AWS_ENDPOINT_URL_S3 && lakeUri.startsWith('s3://'),
  'AWS_ENDPOINT_URL_S3 or LAKE_URI=s3://… is not set (`npm run services:up -- s3` prints them)',
)
  ? 'skipped unless AWS_ENDPOINT_URL_S3 and LAKE_URI=s3://… are set: `npm run services:up -- s3` prints them'
  : undefined;

/** A LAKE_URI of its own under the configured one, so that runs and test files never see each other's keys. */
export function uniqueLakeUri(label: string): string {
  const base = lakeUri.endsWith('/') ? lakeUri : `${lakeUri}/`;
  return `${base}test-${label}-${randomUUID()}/`;
}

/** Deletes every object under an s3://bucket/prefix/ URI, in batches. */
export async function deleteLakePrefix(uri: string): Promise<void> {
  const [bucket = '', ...rest] = uri.slice('s3://'.length).split('/');
  const prefix = rest.join('/');
  const client = new S3Client({ forcePathStyle: true });
  try {
    let token: string | undefined;
    do {
      const page = await client.send(
        new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }),
      );
      const keys = (page.Contents ?? []).flatMap((object) => (object.Key ? [{ Key: object.Key }] : []));
      if (keys.length > 0) {
        await client.send(
          new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: keys, Quiet: true } }),
        );
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
  } finally {
    client.destroy();
  }
}

/** An S3 lake under a LAKE_URI of its own, with a local scratch dir; cleanup deletes both. */
export async function s3LakeUnderTest(label: string): Promise<LakeUnderTest> {
  const uri = uniqueLakeUri(label);
  const scratch = await makeTempDir(`${label}-s3`);
  return {
    lake: createDependencies(loadSettings({ ...process.env, LAKE_URI: uri })).lake(),
    scratchDir: scratch.path,
    cleanup: async () => {
      await deleteLakePrefix(uri);
      await scratch.remove();
    },
  };
}
