/**
 * Late data restates by itself (docs/contracts.md, "Restatements"), told once for every transport: plays for an
 * hour charted final hours ago and for a day charted final yesterday reach the lake through the running
 * pipeline; the next scheduled chart runs restate exactly those windows, with the charts an independent
 * computation makes of every play, each restated chart one version on, the later hour's movement derived anew,
 * and a client revalidating the chart it held gets the restated one; and a run stopped between storing a window and clearing its marks neither loses the marks nor bumps twice.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { readLakeRows } from '../../devkit/lake.ts';
import { generateTraffic } from '../../devkit/play-batches.ts';
import { postPlays } from '../../devkit/post-plays.ts';
import { type ReferencePlay, referenceCharts } from '../../devkit/reference-charts.ts';
import { makeTempDir, type TempDir } from '../../devkit/temp-dir.ts';
import { waitFor } from '../../devkit/wait-for.ts';
import { invokeFunction } from '../../local/functions.ts';
import { type LocalRuntime, startLocalRuntime } from '../../local/runtime.ts';
import { tallyTopSongs } from '../../src/adapters/duckdb/chart-query.ts';
import { countLakeFiles, tallyAndCountPlays } from '../../src/adapters/duckdb/lake-counts.ts';
import { withScratchDir } from '../../src/adapters/scratch-dir.ts';
import { type ChartWindow, type Period, previousWindow, windowContaining } from '../../src/domain/charts.ts';
import { RESTATEMENTS_PREFIX } from '../../src/domain/restatements.ts';
import { type ChartBody, ChartResponse } from '../../src/use-cases/charts-api/schemas.ts';
import { computeCharts } from '../../src/use-cases/compute-charts.ts';
import { referenceChartSemantics } from './reference-chart-semantics.ts';
import { clockPastGraceOf } from './test-clock.ts';

const HOUR = 3_600_000;

const STORY_REGIONS = ['us', 'gb', 'de'];

/**
 * The story as a test in the calling describe block, on a local runtime started with the transport's `env`
 * (in a fresh data folder, removed after).
 */
export function lateDataRestates(options: {
  readonly dirName: string;
  readonly env: Record<string, string | undefined>;
  readonly timeoutMs: number;
}): void {
  let dir: TempDir;
  let runtime: LocalRuntime;

  beforeAll(async () => {
    dir = await makeTempDir(options.dirName);
    runtime = await startLocalRuntime({
      env: { TOP_SONGS_DATA_DIR: dir.path, PORT: '0', REGIONS: STORY_REGIONS.join(','), ...options.env },
      schedules: false,
      // Yesterday is closing for the first minutes after midnight: hold the clock past its grace.
      clock: clockPastGraceOf(() => windowContaining('day', new Date()).start),
    });
  });

  afterAll(async () => {
    await runtime?.stop();
    await dir?.remove();
  });

  it(
    'restate the hour charted final hours ago and the day charted final yesterday, once each',
    async () => {
      await expectLatePlaysToRestate({ runtime, lakeDir: join(dir.path, 'lake'), regions: STORY_REGIONS });
    },
    options.timeoutMs,
  );
}

export interface RestatementStory {
  readonly runtime: LocalRuntime;
  /** The runtime's lake folder. */
  readonly lakeDir: string;
  readonly regions: readonly string[];
}

export async function expectLatePlaysToRestate({
  runtime,
  lakeDir,
  regions,
}: RestatementStory): Promise<void> {
  const now = runtime.dependencies.clock();
  const currentHour = windowContaining('hour', now);
  const lateHour = previousWindow(previousWindow(previousWindow(currentHour)));
  const laterHour = previousWindow(previousWindow(currentHour));
  const yesterday = previousWindow(windowContaining('day', now));
  const yesterdayHour = windowContaining('hour', new Date(yesterday.start.getTime() + 10 * HOUR));
  const traffic = (seed: number, window: ChartWindow, hours: number, count: number, songs: number) =>
    generateTraffic({ seed, count, windowStart: window.start, windowMs: hours * HOUR, regions, songs });

  // The first plays: the late hour and the hour after it, and an hour of yesterday.
  const first = [traffic(41, lateHour, 2, 700, 30), traffic(42, yesterdayHour, 1, 500, 30)];
  const played: ReferencePlay[] = [];
  const send = async (events: unknown[], deliveries: readonly ReferencePlay[]) => {
    for (let start = 0; start < events.length; start += 250) {
      const response = await postPlays(runtime, { events: events.slice(start, start + 250) });
      expect(response.status).toBe(202);
    }
    played.push(...deliveries);
    await waitFor(`the lake to hold all ${played.length} accepted plays`, async () =>
      (await readLakeRows(lakeDir)).length >= played.length ? true : undefined,
    );
  };
  for (const part of first) await send(part.events, part.deliveries);

  const scheduledRuns = async () => {
    await invokeFunction('chart-hourly', {});
    await invokeFunction('chart-daily', {});
  };
  const lake = runtime.dependencies.lake();
  const marks = () => lake.list(RESTATEMENTS_PREFIX);
  const chartUrl = (region: string, window: ChartWindow) =>
    `${runtime.url}/v1/charts?region=${region}&period=${window.period}&start=${window.start.toISOString()}`;
  const chartOf = async (region: string, window: ChartWindow) => {
    const response = await fetch(chartUrl(region, window));
    expect(response.status, `${region} ${window.period} ${window.start.toISOString()}`).toBe(200);
    return ChartResponse.parse(await response.json());
  };
  const expectCharts = async (window: ChartWindow, versions: (region: string) => number) => {
    const reference = referenceCharts(played, window.start, window.end);
    for (const region of ['global', ...regions]) {
      const chart = await chartOf(region, window);
      const want = reference.get(region) ?? { eligible_plays: 0, entries: [] };
      const label = `${region} ${window.period} ${window.start.toISOString()}`;
      expect(
        {
          eligible: chart.eligible_plays,
          entries: chart.entries.map(({ rank, song_id, plays }) => ({ rank, song_id, plays })),
        },
        label,
      ).toEqual({ eligible: want.eligible_plays, entries: want.entries });
      expect([chart.status, chart.version], label).toEqual(['final', versions(region)]);
      expect(chart.restated_at, label).toBe(chart.version === 1 ? null : chart.generated_at);
    }
  };
  const snapshot = async (window: ChartWindow) =>
    new Map(
      await Promise.all(
        ['global', ...regions].map(async (region) => [region, await chartOf(region, window)] as const),
      ),
    );

  // The writers marked every window they wrote into (all closed); the scheduled runs chart them, version 1.
  expect((await marks()).length).toBeGreaterThan(0);
  await scheduledRuns();
  expect(await marks()).toEqual([]);
  for (const window of [lateHour, laterHour, yesterdayHour, yesterday]) await expectCharts(window, () => 1);
  const beforeLate = await snapshot(lateHour);
  const dayBefore = await snapshot(yesterday);
  // A client (a browser, a CDN) keeps the hour's final chart and asks before each use whether it is current.
  const held = await fetch(chartUrl('global', lateHour));
  const heldTag = held.headers.get('etag')!;
  expect(held.headers.get('cache-control')).toBe('public, no-cache');
  expect((await fetch(chartUrl('global', lateHour), { headers: { 'if-none-match': heldTag } })).status).toBe(
    304,
  );

  // Late plays, hours after the hour's and a day after the day's final chart: fewer songs, so ranks move, and
  // deliveries of first plays again, which must not count twice.
  const late = [traffic(43, lateHour, 1, 400, 8), traffic(44, yesterdayHour, 1, 300, 8)];
  const resent = first[0]!.deliveries.slice(0, 25);
  await send([...late[0]!.events, ...resent], [...late[0]!.deliveries, ...resent]);
  await send(late[1]!.events, late[1]!.deliveries);
  const marked = await marks();
  const hourMark = `restatements/hour/${lateHour.start.toISOString().slice(0, 13)}/`;
  const dayMark = `restatements/day/${yesterday.start.toISOString().slice(0, 10)}/`;
  expect(marked.some((key) => key.startsWith(hourMark))).toBe(true);
  expect(marked.some((key) => key.startsWith(dayMark))).toBe(true);
  // The resent first plays include some of the hour after: marked too, though nothing in it changes.
  expect(resent.some((play) => Date.parse(play.played_at) >= laterHour.start.getTime())).toBe(true);
  expect(marked.some((key) => key.includes(laterHour.start.toISOString().slice(0, 13)))).toBe(true);

  // Nobody acts but the schedule: the late hour and the day are restated, one version on where they changed.
  await scheduledRuns();
  expect(await marks()).toEqual([]);
  // The client asking again with what it holds gets the restated chart, under a new ETag, not a 304.
  const revalidated = await fetch(chartUrl('global', lateHour), { headers: { 'if-none-match': heldTag } });
  expect(revalidated.status).toBe(200);
  expect(revalidated.headers.get('etag')).not.toBe(heldTag);
  const restatedChart = ChartResponse.parse(await revalidated.json());
  expect([restatedChart.version, restatedChart.eligible_plays]).toEqual([
    2,
    referenceCharts(played, lateHour.start, lateHour.end).get('global')!.eligible_plays,
  ]);
  const changed = (before: Map<string, unknown>, window: ChartWindow) => {
    const reference = referenceCharts(played, window.start, window.end);
    return (region: string) => {
      const old = before.get(region) as {
        eligible_plays: number;
        entries: { song_id: string; plays: number }[];
      };
      const now = reference.get(region) ?? { eligible_plays: 0, entries: [] };
      const same =
        old.eligible_plays === now.eligible_plays &&
        JSON.stringify(old.entries.map(({ song_id, plays }) => [song_id, plays])) ===
          JSON.stringify(now.entries.map(({ song_id, plays }) => [song_id, plays]));
      return same ? 1 : 2;
    };
  };
  const lateVersions = changed(beforeLate, lateHour);
  const dayVersions = changed(dayBefore, yesterday);
  expect(lateVersions('global')).toBe(2);
  expect(dayVersions('global')).toBe(2);
  await expectCharts(lateHour, lateVersions);
  await expectCharts(yesterday, dayVersions);
  // The hour after it was recomputed, to the same chart: not restated; its movement follows the late hour's new
  // ranks all the same.
  await expectCharts(laterHour, () => 1);
  await expectLaterMovement(chartOf, played, [yesterdayHour, lateHour, laterHour], regions);

  // Another scheduled run changes nothing: no marks, the same versions.
  await scheduledRuns();
  await expectCharts(lateHour, lateVersions);
  await expectCharts(yesterday, dayVersions);

  // A run stopped after storing the late hour, before clearing its marks (as a kill there would leave it).
  const more = traffic(45, lateHour, 1, 120, 3);
  await send(more.events, more.deliveries);
  const pending = await marks();
  expect(pending.length).toBeGreaterThan(0);
  const stopped = computeCharts(
    { period: 'hour' },
    {
      lake: {
        ...lakeMethods(lake),
        delete: async () => {
          throw new Error('stopped before clearing the marks');
        },
      },
      charts: await runtime.dependencies.chartStore(),
      clock: runtime.dependencies.clock,
      regions,
      tally: tallyTopSongs,
      countLakeFiles,
      tallyAndCount: tallyAndCountPlays,
      counts: await runtime.dependencies.pipelineCounts(),
      withScratchDir,
    },
  );
  await expect(stopped).rejects.toThrow('stopped before clearing the marks');
  expect((await marks()).filter((key) => key.startsWith(hourMark))).toEqual(
    pending.filter((key) => key.startsWith(hourMark)),
  );
  expect((await chartOf('global', lateHour)).version).toBe(3);
  // The next run computes the hour again: the same charts, no new version, and the marks are gone.
  await scheduledRuns();
  expect(await marks()).toEqual([]);
  expect((await chartOf('global', lateHour)).version).toBe(3);
  const global = referenceCharts(played, lateHour.start, lateHour.end).get('global')!;
  const entries = (await chartOf('global', lateHour)).entries;
  expect(entries.map(({ rank, song_id, plays }) => ({ rank, song_id, plays }))).toEqual(global.entries);
}

/** The later hour's semantics (the last of the hours `charted`, every hour with plays) as the independent reference derives them from both hours' current charts. */
async function expectLaterMovement(
  chartOf: (region: string, window: ChartWindow) => Promise<ChartBody>,
  played: readonly ReferencePlay[],
  charted: readonly ChartWindow[],
  regions: readonly string[],
): Promise<void> {
  const laterHour = charted.at(-1)!;
  for (const region of ['global', ...regions]) {
    const history = charted.map((window) => ({
      region,
      period: 'hour' as Period,
      window_start: window.start,
      songs: (referenceCharts(played, window.start, window.end).get(region)?.entries ?? []).map(
        (e) => e.song_id,
      ),
    }));
    const expected = referenceChartSemantics(history)
      .filter((entry) => entry.window_start === laterHour.start.toISOString())
      .map(({ song_id, previous_rank, movement }) => ({ song_id, previous_rank, movement }));
    const served = await chartOf(region, laterHour);
    expect(
      served.entries.map(({ song_id, previous_rank, movement }) => ({ song_id, previous_rank, movement })),
      `${region} movement at ${laterHour.start.toISOString()}`,
    ).toEqual(expected);
  }
}

/** An object store's methods, bound, so that one of them can be replaced. */
function lakeMethods(lake: ReturnType<LocalRuntime['dependencies']['lake']>) {
  return {
    put: lake.put.bind(lake),
    get: lake.get.bind(lake),
    delete: lake.delete.bind(lake),
    list: lake.list.bind(lake),
    listObjects: lake.listObjects.bind(lake),
    localCopies: lake.localCopies.bind(lake),
    describe: lake.describe.bind(lake),
  };
}
