/** Enrichment on the local folder lake (the S3 counterpart: test/integration/s3/enrich-s3.test.ts). */

import { makeTempDir } from '../../devkit/temp-dir.ts';
import { LocalFolderStore } from '../../src/adapters/object-store/local-folder.ts';
import { describeEnrichment } from '../support/enrichment-suite.ts';

describeEnrichment('the folder lake', async () => {
  const dir = await makeTempDir('enrich');
  return { lake: new LocalFolderStore(`${dir.path}/lake`), scratchDir: dir.path, cleanup: dir.remove };
});
