/**
 * GET /v1/pipeline on the embedded transport: the counts at every hop after clean traffic with duplicates, short
 * plays and rejections, after a poison record went to the dead-letter topic, and after npm start was killed
 * (SIGKILL) mid-stream and started again.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { embeddedCommittedOffsets } from '../../devkit/embedded-transport.ts';
import { type LocalRuntime, startLocalRuntime } from '../../local/runtime.ts';
import { expectCountsAtEveryHop, movableClock } from '../support/count-scenario.ts';
import { tempDataDirs } from '../support/data-dirs.ts';
import { expectCountsAcrossKill } from '../support/kill-counts.ts';

describe('counts at every hop, embedded transport', () => {
  const newDataDir = tempDataDirs();

  describe('in one runtime', () => {
    let runtime: LocalRuntime;
    let dataDir: string;
    const clock = movableClock();

    beforeAll(async () => {
      dataDir = await newDataDir('counts');
      runtime = await startLocalRuntime({
        env: { TOP_SONGS_DATA_DIR: dataDir, PORT: '0', REGIONS: 'us,gb,de' },
        schedules: false,
        clock: clock.now,
      });
    });
    afterAll(async () => {
      await runtime?.stop();
    });

    it('counts clean traffic, duplicates, rejections and a dead letter exactly, and they reconcile', async () => {
      await expectCountsAtEveryHop({
        runtime,
        clock,
        lakeDir: join(dataDir, 'lake'),
        committed: () => embeddedCommittedOffsets(dataDir),
      });
    }, 180_000);
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
