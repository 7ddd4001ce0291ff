/** Day charts from hour rollups on the local folder lake (the S3 counterpart: test/integration/s3/day-rollups-s3.test.ts). */

import { describeDayRollups } from '../support/day-rollups-suite.ts';
import { folderLakeUnderTest } from '../support/enrichment-suite.ts';
import { describeSeenParts } from '../support/seen-parts-suite.ts';

describeDayRollups('the folder lake', () => folderLakeUnderTest('day-rollups'));
describeSeenParts('the folder lake', () => folderLakeUnderTest('seen-parts'));
