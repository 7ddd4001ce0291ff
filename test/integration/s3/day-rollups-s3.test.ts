/** Day charts from hour rollups on an S3 lake (a real S3-compatible server, LAKE_URI=s3://…): the folder lake's suite. */
import { describe } from 'vitest';
import { describeDayRollups } from '../../support/day-rollups-suite.ts';
import { describeSeenParts } from '../../support/seen-parts-suite.ts';
import { s3LakeUnderTest, s3Skipped } from './s3-lake.ts';

describe.skipIf(s3Skipped)(`day rollups on S3 (${s3Skipped ?? 'running'})`, () => {
  describeDayRollups('an S3 lake', () => s3LakeUnderTest('day-rollups'));
  describeSeenParts('an S3 lake', () => s3LakeUnderTest('seen-parts'));
});
