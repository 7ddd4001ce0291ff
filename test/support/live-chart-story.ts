/**
 * The live chart end to end, told once for every transport: plays posted to the running system (repeats of every
 * kind among them: test/support/live-traffic.ts), then each window's live chart from GET /v1/charts compared with
 * the reference's count of what the lake holds (an independent count); then, the windows made final, the chart
 * jobs' final charts from the lake compared with the last live ones.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { LakeRow } from '../../devkit/lake.ts';
import { type LocalProcess, startLocalProcess } from '../../devkit/local-process.ts';
import { type PlaysApi, postPlays } from '../../devkit/post-plays.ts';
import type { ReferenceChart } from '../../devkit/reference-charts.ts';
import { waitFor } from '../../devkit/wait-for.ts';
import { invokeFunction } from '../../local/functions.ts';
import { type LocalRuntime, startLocalRuntime } from '../../local/runtime.ts';
import { type ChartWindow, LATE_PLAY_GRACE_MS, windowContaining } from '../../src/domain/charts.ts';
import { tempDataDirs } from './data-dirs.ts';
import { type CommittedOffsets, settledLakeRows } from './exact-pipeline.ts';
import { expectedLiveCharts, type LivePlay, liveTraffic } from './live-traffic.ts';

const HOUR = 3_600_000;
export const liveRegions = ['us', 'gb', 'de'];

/** A chart as the comparisons see it: what the reference computes. */
interface ChartCounts {
  readonly eligible_plays: number;
  readonly entries: ReferenceChart['entries'];
}

interface ServedChart extends ChartCounts {
  readonly source: 'live' | 'lake';
  readonly status: string;
  readonly as_of: string;
  readonly newest_play_at?: string;
}

export async function getChart(url: string, region: string, window: ChartWindow): Promise<ServedChart> {
  const response = await fetch(
    `${url}/v1/charts?region=${region}&period=${window.period}&start=${window.start.toISOString()}`,
  );
  expect(response.status, await response.clone().text()).toBe(200);
  const chart = (await response.json()) as ServedChart;
  return {
    ...chart,
    entries: chart.entries.map(({ rank, song_id, plays }) => ({ rank, song_id, plays })),
  };
}

const countsOf = (chart: ChartCounts | undefined): ChartCounts => ({
  eligible_plays: chart?.eligible_plays ?? 0,
  entries: chart?.entries ?? [],
});

/** Every window (hours, days) the plays fall in. */
export function windowsOf(plays: readonly { played_at: string }[]): ChartWindow[] {
  const windows = new Map<string, ChartWindow>();
  for (const play of plays) {
    for (const period of ['hour', 'day'] as const) {
      const window = windowContaining(period, new Date(play.played_at));
      windows.set(`${period} ${window.start.toISOString()}`, window);
    }
  }
  return [...windows.values()];
}

/**
 * Waits until the consumer named by `committed` has committed past every row of the lake, then expects every
 * region's live chart of each window to be the reference's count of the lake's rows. Returns the live charts.
 */
export async function expectLiveChartsOfLake(options: {
  readonly url: string;
  readonly lakeDir: string;
  readonly deliveries: number;
  readonly windows: readonly ChartWindow[];
  readonly committed: { readonly lake: CommittedOffsets; readonly live: CommittedOffsets };
}): Promise<Map<string, ChartCounts>> {
  await settledLakeRows(options.lakeDir, options.deliveries, options.committed.lake, 90_000);
  const rows: LakeRow[] = await settledLakeRows(
    options.lakeDir,
    options.deliveries,
    options.committed.live,
    90_000,
  );
  expect(rows).toHaveLength(options.deliveries);
  const live = new Map<string, ChartCounts>();
  for (const window of options.windows) {
    const expected = expectedLiveCharts(rows, window.start, window.end);
    for (const region of ['global', ...liveRegions]) {
      const key = `${window.period} ${window.start.toISOString()} ${region}`;
      // The live chart's answers are cached for a moment (CHARTS_API_LIVE_CACHE_MS): asked until they match.
      const chart = await waitFor(`the live chart ${key} to count what the lake holds`, async () => {
        const served = await getChart(options.url, region, window);
        expect(served.source).toBe('live');
        const counts = countsOf(served);
        expect(counts, key).toEqual(countsOf(expected.get(region)));
        return counts;
      });
      live.set(key, chart);
    }
  }
  return live;
}

async function post(api: PlaysApi, plays: readonly LivePlay[]): Promise<void> {
  for (let start = 0; start < plays.length; start += 250) {
    const response = await postPlays(api, { events: plays.slice(start, start + 250) });
    expect(response.status).toBe(202);
  }
}

/** A clock for the runtime: real time moved to 2 minutes into the current hour, so that the hour before is closing. */
export function closingHourClock() {
  const hourStart = Math.floor(Date.now() / HOUR) * HOUR;
  let shift = hourStart + 2 * 60_000 - Date.now();
  return {
    clock: () => new Date(Date.now() + shift),
    moveTo: (instant: Date) => {
      shift = instant.getTime() - Date.now();
    },
    hour: new Date(hourStart),
  };
}

/**
 * The last live chart of each window (the hour before, closing; the current hour and its day or days, open) is
 * the final chart the chart jobs compute from the lake once the windows are final. `runtime` runs on `time`'s
 * clock, without schedules (the test runs the chart jobs).
 */
export async function expectLastLiveChartIsFinal(options: {
  readonly runtime: LocalRuntime;
  readonly time: ReturnType<typeof closingHourClock>;
  readonly committed: { readonly lake: CommittedOffsets; readonly live: CommittedOffsets };
}): Promise<void> {
  const { runtime, time } = options;
  const plays = liveTraffic({
    seed: 17,
    count: 3000,
    from: new Date(time.hour.getTime() - HOUR),
    to: time.clock(),
    boundary: time.hour,
    regions: liveRegions,
    songs: 25,
  });
  await post(runtime, plays);
  const windows = windowsOf(plays);
  expect(windows.filter((window) => window.period === 'hour')).toHaveLength(2);
  const live = await expectLiveChartsOfLake({
    url: runtime.url,
    lakeDir: join(runtime.settings.dataDir, 'lake'),
    deliveries: plays.length,
    windows,
    committed: options.committed,
  });

  // Every window final, then charted from the lake: the hours first, so the day's semantics have them.
  const latestEnd = Math.max(...windows.map((window) => window.end.getTime()));
  time.moveTo(new Date(latestEnd + LATE_PLAY_GRACE_MS + 60_000));
  for (const window of windows.sort((a, b) => a.period.localeCompare(b.period) * -1)) {
    const job = window.period === 'hour' ? 'chart-hourly' : 'chart-daily';
    await invokeFunction(job, { window_start: window.start.toISOString() });
    for (const region of ['global', ...liveRegions]) {
      const key = `${window.period} ${window.start.toISOString()} ${region}`;
      const final = await getChart(runtime.url, region, window);
      expect([final.source, final.status], key).toEqual(['lake', 'final']);
      expect(countsOf(final), key).toEqual(live.get(key));
    }
  }
}

/**
 * The live chart across a crash: plays of the current hour posted to `npm start`, killed with SIGKILL once the
 * live chart counts some of them but not all, started again, the rest posted; then every window's live chart must
 * be the reference's count of the lake (each play once, whatever the consumer delivered again).
 */
export async function expectLiveChartAcrossKill(options: {
  readonly env: Record<string, string>;
  readonly dataDir: string;
  readonly committed: { readonly lake: CommittedOffsets; readonly live: CommittedOffsets };
}): Promise<void> {
  const now = Date.now();
  const hourStart = Math.floor(now / HOUR) * HOUR;
  // This hour only, up to now: live (open, or closing) for the whole test.
  const from = new Date(Math.max(hourStart, now - 20 * 60_000));
  const plays = liveTraffic({
    seed: 23,
    count: 6000,
    from,
    to: new Date(now),
    boundary: from,
    regions: liveRegions,
    songs: 25,
  });
  const windows = windowsOf(plays);
  const hour = windows.find((window) => window.period === 'hour')!;
  let running: LocalProcess | undefined = await startLocalProcess(options.env, ['--no-simulator']);
  try {
    let posted = 0;
    // Posted in requests of 100 until the live chart has counted some: then one more request, and the kill.
    const deadline = Date.now() + 60_000;
    while ((await getChartOrNone(running.url, hour)) === 0) {
      if (Date.now() > deadline) throw new Error('the live chart counted nothing within 60 s');
      if (posted < plays.length / 2) {
        await post(running, plays.slice(posted, posted + 100));
        posted += 100;
      } else await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await post(running, plays.slice(posted, posted + 100));
    posted += 100;
    await running.stop('SIGKILL');

    running = await startLocalProcess(options.env, ['--no-simulator']);
    const counted = await getChartOrNone(running.url, hour);
    // Mid-stream: the live chart had counted some of the plays posted, not all.
    expect(counted).toBeGreaterThan(0);
    await post(running, plays.slice(posted));
    const restarted = running;
    await expectLiveChartsOfLake({
      url: running.url,
      lakeDir: join(options.dataDir, 'lake'),
      deliveries: plays.length,
      windows,
      committed: options.committed,
    }).catch((error: Error) => {
      throw new Error(`${error.message}\nthe restarted npm start wrote:\n${restarted.output().slice(-4000)}`);
    });
  } finally {
    await running?.stop('SIGTERM');
  }
}

/** The eligible plays of the window's global live chart, 0 while it has none. */
async function getChartOrNone(url: string, window: ChartWindow): Promise<number> {
  const response = await fetch(
    `${url}/v1/charts?region=global&period=${window.period}&start=${window.start.toISOString()}`,
  );
  if (response.status === 404) return 0;
  const chart = (await response.json()) as ServedChart;
  return chart.source === 'live' ? chart.eligible_plays : 0;
}

/** One run's transport: its settings beside the data dir, and where its two consumers commit their offsets. */
export type LiveChartTransport = (
  dataDir: string,
  run: 'live-chart' | 'live-chart-kill',
) => {
  readonly env: Record<string, string>;
  readonly committed: { readonly lake: CommittedOffsets; readonly live: CommittedOffsets };
};

/**
 * Both live chart stories on one transport, each run on a data dir of its own named `dirPrefix` + the run: the
 * last live chart of each window is the final one (on a runtime started here), and no play counts twice across a
 * kill -9. Call it inside `describe`.
 */
export function liveChartStories(transport: LiveChartTransport, dirPrefix = ''): void {
  const newDataDir = tempDataDirs();
  const time = closingHourClock();
  let runtime: LocalRuntime;
  let committed: ReturnType<LiveChartTransport>['committed'];

  beforeAll(async () => {
    const dataDir = await newDataDir(`${dirPrefix}live-chart`);
    const run = transport(dataDir, 'live-chart');
    committed = run.committed;
    runtime = await startLocalRuntime({
      env: { ...run.env, TOP_SONGS_DATA_DIR: dataDir, PORT: '0', REGIONS: liveRegions.join(',') },
      schedules: false,
      clock: time.clock,
    });
  });
  afterAll(async () => {
    await runtime?.stop();
  });

  it('counts exactly what the lake holds, and its last chart of each window is the final one', async () => {
    await expectLastLiveChartIsFinal({ runtime, time, committed });
  }, 240_000);

  it('counts no play twice after a kill -9 of the consumers mid-stream and a restart', async () => {
    const dataDir = await newDataDir(`${dirPrefix}live-chart-kill`);
    const run = transport(dataDir, 'live-chart-kill');
    await expectLiveChartAcrossKill({
      env: { ...run.env, TOP_SONGS_DATA_DIR: dataDir, REGIONS: liveRegions.join(',') },
      dataDir,
      committed: run.committed,
    });
  }, 240_000);
}
