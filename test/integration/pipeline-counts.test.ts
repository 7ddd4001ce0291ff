/**
 * GET /v1/pipeline on the embedded transport: the counts at every hop after clean traffic with duplicates, short
 * plays and rejections, after a poison record went to the dead-letter topic, and after npm start was killed
 * (SIGKILL) mid-stream and started again.
 */
import { describe, it } from 'vitest';
import { embeddedCommittedOffsets } from '../../devkit/embedded-transport.ts';
import { countsInOneRuntime } from '../support/count-scenario.ts';
import { tempDataDirs } from '../support/data-dirs.ts';
import { expectCountsAcrossKill } from '../support/kill-counts.ts';

describe('counts at every hop, embedded transport', () => {
  const newDataDir = tempDataDirs();

  countsInOneRuntime({
    newDataDir: () => newDataDir('counts'),
    env: {},
    committed: (dataDir) => () => embeddedCommittedOffsets(dataDir),
  });

  it('still reconciles exactly after a kill -9 mid-stream and a restart', async () => {
    const dataDir = await newDataDir('counts-kill');
    await expectCountsAcrossKill({
      env: { TOP_SONGS_DATA_DIR: dataDir, REGIONS: 'us,gb,de' },
      dataDir,
      committed: () => embeddedCommittedOffsets(dataDir),
    });
  }, 240_000);
});
