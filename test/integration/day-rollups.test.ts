/** Day charts from hour rollups on the local folder lake (the S3 counterpart: test/integration/s3/day-rollups-s3.test.ts). */

import { makeTempDir } from '../../devkit/temp-dir.ts';
import { LocalFolderStore } from '../../src/adapters/object-store/local-folder.ts';
import { describeDayRollups } from '../support/day-rollups-suite.ts';

describeDayRollups('the folder lake', async () => {
  const dir = await makeTempDir('day-rollups');
  return { lake: new LocalFolderStore(`${dir.path}/lake`), scratchDir: dir.path, cleanup: dir.remove };
});
