/** Enrichment on an S3 lake (a real S3-compatible server, LAKE_URI=s3://…): the same suite as the folder lake's. */
import { describe } from 'vitest';
import { makeTempDir } from '../../../devkit/temp-dir.ts';
import { loadSettings } from '../../../src/config/settings.ts';
import { createDependencies } from '../../../src/wiring/dependencies.ts';
import { describeEnrichment } from '../../support/enrichment-suite.ts';
import { deleteLakePrefix, s3Skipped, uniqueLakeUri } from './s3-lake.ts';

describe.skipIf(s3Skipped)(`enrichment on S3 (${s3Skipped ?? 'running'})`, () => {
  describeEnrichment('an S3 lake', async () => {
    const lakeUri = uniqueLakeUri('enrich');
    const scratch = await makeTempDir('enrich-s3');
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
