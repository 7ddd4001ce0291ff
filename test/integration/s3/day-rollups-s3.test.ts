/** Day charts from hour rollups on an S3 lake (a real S3-compatible server, LAKE_URI=s3://…): the folder lake's suite. */
import { describe } from 'vitest';
import { makeTempDir } from '../../../devkit/temp-dir.ts';
import { loadSettings } from '../../../src/config/settings.ts';
import { createDependencies } from '../../../src/wiring/dependencies.ts';
import { describeDayRollups } from '../../support/day-rollups-suite.ts';
import { deleteLakePrefix, s3Skipped, uniqueLakeUri } from './s3-lake.ts';

describe.skipIf(s3Skipped)(`day rollups on S3 (${s3Skipped ?? 'running'})`, () => {
  describeDayRollups('an S3 lake', async () => {
    const lakeUri = uniqueLakeUri('day-rollups');
    const scratch = await makeTempDir('day-rollups-s3');
    return {
      lake: createDependencies(loadSettings({ ...process.env, LAKE_URI: lakeUri })).lake(),
      scratchDir: scratch.path,
      cleanup: async () => {
        await deleteLakePrefix(lakeUri);
        await scratch.remove();
      },
    };
  });
});
