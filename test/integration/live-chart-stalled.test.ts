/**
 * A live chart that stalled gives way to the chart jobs' chart of its window, and takes over again at its next
 * batch: a real local runtime (embedded transport and PostgreSQL) on a clock the test moves. With nothing left to
 * tally, the live chart's last batch stays where it was (as a crashed live-chart function's would) while the clock
 * and the chart job go on; GET /v1/charts must then serve the lake's chart, and the live one again once a new play
 * is tallied.
 */
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { embeddedCommittedOffsets } from '../../devkit/embedded-transport.ts';
import { postPlays } from '../../devkit/post-plays.ts';
import { waitFor } from '../../devkit/wait-for.ts';
import { invokeFunction } from '../../local/functions.ts';
import { type LocalRuntime, startLocalRuntime } from '../../local/runtime.ts';
import { windowContaining } from '../../src/domain/charts.ts';
import { LIVE_CHART_STALLED_MS } from '../../src/use-cases/charts-api/chart.ts';
import { tempDataDirs } from '../support/data-dirs.ts';
import { settledLakeRows } from '../support/exact-pipeline.ts';
import { closingHourClock, getChart } from '../support/live-chart-story.ts';

describe('a stalled live chart, embedded transport', () => {
  const newDataDir = tempDataDirs();
  const time = closingHourClock();
  let runtime: LocalRuntime;
  let dataDir: string;

  beforeAll(async () => {
    dataDir = await newDataDir('live-chart-stalled');
    runtime = await startLocalRuntime({
      env: { TOP_SONGS_DATA_DIR: dataDir, PORT: '0', REGIONS: 'us,gb' },
      schedules: false,
      clock: time.clock,
    });
  });
  afterAll(async () => {
    await runtime?.stop();
  });

  it('serves the chart jobs’ chart of the open hour once it is the fresher by the margin, then the live one again', async () => {
    const hour = windowContaining('hour', time.clock());
    const play = (user: string) => ({
      event_id: randomUUID(),
      user_id: user,
      song_id: 'song-000001',
      region: 'us',
      played_at: new Date(time.clock().getTime() - 1_000).toISOString(),
      ms_played: 60_000,
    });
    expect((await postPlays(runtime, { events: [play('u1'), play('u2')] })).status).toBe(202);
    const live = await waitFor('the live chart to count both plays', async () => {
      const chart = await getChart(runtime.url, 'us', hour);
      return chart.source === 'live' && chart.eligible_plays === 2 ? chart : undefined;
    });
    await settledLakeRows(join(dataDir, 'lake'), 2, () => embeddedCommittedOffsets(dataDir), 90_000);

    // No batch since: past the margin, the chart job charts the open hour from the lake.
    time.moveTo(new Date(Date.parse(live.as_of) + LIVE_CHART_STALLED_MS + 60_000));
    await invokeFunction('chart-hourly', { window_start: hour.start.toISOString() });
    const lake = await getChart(runtime.url, 'us', hour);
    expect([lake.source, lake.status, lake.eligible_plays]).toEqual(['lake', 'provisional', 2]);
    expect(Date.parse(lake.as_of) - Date.parse(live.as_of)).toBeGreaterThan(LIVE_CHART_STALLED_MS);

    // The live chart's next batch makes it the fresher again.
    expect((await postPlays(runtime, { events: [play('u3')] })).status).toBe(202);
    const again = await waitFor('the live chart to serve the third play', async () => {
      const chart = await getChart(runtime.url, 'us', hour);
      return chart.source === 'live' && chart.eligible_plays === 3 ? chart : undefined;
    });
    expect(Date.parse(again.as_of)).toBeGreaterThanOrEqual(Date.parse(lake.as_of));
  }, 240_000);
});
