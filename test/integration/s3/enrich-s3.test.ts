/** Enrichment on an S3 lake (a real S3-compatible server, LAKE_URI=s3://…): the same suite as the folder lake's. */
import { describe } from 'vitest';
import { describeEnrichment } from '../../support/enrichment-suite.ts';
import { s3LakeUnderTest, s3Skipped } from './s3-lake.ts';

describe.skipIf(s3Skipped)(`enrichment on S3 (${s3Skipped ?? 'running'})`, () => {
  describeEnrichment('an S3 lake', () => s3LakeUnderTest('enrich'));
});
