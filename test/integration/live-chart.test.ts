/**
 * The live chart on the embedded transport: each window's live chart counts exactly what the lake holds (repeats of
 * every kind, short plays, several regions, an event in two hours); the last live chart of each window is its
 * final chart from the lake; and after npm start is killed (SIGKILL) mid-stream and started again, no play counts
 * twice.
 */
import { afterAll, beforeAll, describe, it } from 'vitest';
import { embeddedCommittedOffsets } from '../../devkit/embedded-transport.ts';
import { type LocalRuntime, startLocalRuntime } from '../../local/runtime.ts';
import { tempDataDirs } from '../support/data-dirs.ts';
import {
  closingHourClock,
  expectLastLiveChartIsFinal,
  expectLiveChartAcrossKill,
  liveRegions,
} from '../support/live-chart-story.ts';

describe('the live chart, embedded transport', () => {
  const newDataDir = tempDataDirs();
  const time = closingHourClock();
  let runtime: LocalRuntime;
  let dataDir: string;

  beforeAll(async () => {
    dataDir = await newDataDir('live-chart');
    runtime = await startLocalRuntime({
      env: { TOP_SONGS_DATA_DIR: dataDir, PORT: '0', REGIONS: liveRegions.join(',') },
      schedules: false,
      clock: time.clock,
    });
  });
  afterAll(async () => {
    await runtime?.stop();
  });

  it('counts exactly what the lake holds, and its last chart of each window is the final one', async () => {
    await expectLastLiveChartIsFinal({
      runtime,
      time,
      committed: {
        lake: () => embeddedCommittedOffsets(dataDir),
        live: () => embeddedCommittedOffsets(dataDir, 'live-chart'),
      },
    });
  }, 240_000);

  it('counts no play twice after a kill -9 mid-stream and a restart', async () => {
    const killed = await newDataDir('live-chart-kill');
    await expectLiveChartAcrossKill({
      env: { TOP_SONGS_DATA_DIR: killed, REGIONS: liveRegions.join(',') },
      dataDir: killed,
      committed: {
        lake: () => embeddedCommittedOffsets(killed),
        live: () => embeddedCommittedOffsets(killed, 'live-chart'),
      },
    });
  }, 240_000);
});
