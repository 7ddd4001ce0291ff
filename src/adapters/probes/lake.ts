import { randomUUID } from 'node:crypto';
import type { LakeLocation } from '../../config/settings.ts';
import { type ConnectionProbe, fail, ok, type ProbeOutcome } from '../../ports/connection-probe.ts';
import type { ObjectStore } from '../../ports/object-store.ts';
import { awsRefusal } from './aws-errors.ts';
import { errorCodes, oneLine } from './error-codes.ts';

/**
 * The lake takes a write, lists it and deletes it, through the ObjectStore port the functions use: a probe
 * object at the lake's root, which no job reads (they list plays/, rejects/, catalog/).
 */
export function lakeProbe(lake: ObjectStore, location: LakeLocation): ConnectionProbe {
  return {
    service: 'lake',
    target: lake.describe(),
    silentHint:
      location.kind === 's3'
        ? 'is the S3 server running? npm run services:up -- s3, or check AWS_ENDPOINT_URL_S3 and LAKE_URI'
        : `the file system of ${location.path} does not answer: check it, or set LAKE_URI to another folder`,
    check: async () => {
      const key = `doctor-probe-${randomUUID()}.txt`;
      let step = 'write';
      try {
        await lake.put(key, new TextEncoder().encode('top-songs doctor probe\n'), 'text/plain');
        step = 'list';
        const listed = await lake.list(key);
        step = 'delete';
        await lake.delete(key);
        if (!listed.includes(key)) {
          return fail(
            `wrote ${key} but listing did not show it`,
            'the store does not list what it holds: check LAKE_URI and the S3 server',
          );
        }
        return ok('write, list and delete of a probe object');
      } catch (error) {
        return refused(error, step, location);
      }
    },
  };
}

function refused(error: unknown, step: string, location: LakeLocation): ProbeOutcome {
  const codes = errorCodes(error);
  if (location.kind === 'folder') {
    const detail = `${step}: ${oneLine(error)}`;
    if (codes.has('ENOSPC')) return fail(detail, `the disk of ${location.path} is full: free some space`);
    return fail(
      detail,
      `check that this user can write to ${location.path}, or set LAKE_URI to another folder`,
    );
  }
  if (codes.has('NoSuchBucket')) {
    return fail(
      `${step}: ${oneLine(error)}`,
      `bucket ${location.bucket} does not exist: create it or fix LAKE_URI`,
    );
  }
  if (codes.has('AccessDenied')) {
    return fail(
      `${step}: ${oneLine(error)}`,
      `the credentials may not ${step} in bucket ${location.bucket}: check the AWS credentials and the bucket's policy`,
    );
  }
  const outcome = awsRefusal(error, {
    service: 'S3',
    setting: 'AWS_ENDPOINT_URL_S3 and LAKE_URI',
    start: 'npm run services:up -- s3',
  });
  return outcome.status === 'fail' ? fail(`${step}: ${outcome.detail}`, outcome.hint) : outcome;
}
