/** Enrichment on the local folder lake (the S3 counterpart: test/integration/s3/enrich-s3.test.ts). */

import { describeEnrichment, folderLakeUnderTest } from '../support/enrichment-suite.ts';

describeEnrichment('the folder lake', () => folderLakeUnderTest('enrich'));
