import type { RegionTally } from '../domain/charts.ts';
import {
  type Chart,
  type ChartWindow,
  type GenreChart,
  LATE_PLAY_GRACE_MS,
  type Period,
  previousWindow,
  statusAt,
  windowContaining,
  windowStartingAt,
} from '../domain/charts.ts';
import type { LakeFileCounts } from '../domain/pipeline-counts.ts';
import { GLOBAL_REGION } from '../domain/regions.ts';
import { RESTATEMENTS_PER_RUN } from '../domain/restatements.ts';
import { type ChartStore, StoreUnavailableError, type WindowReplacement } from '../ports/chart-store.ts';
import type { Clock } from '../ports/clock.ts';
import { type Metrics, noMetrics } from '../ports/metrics.ts';
import type { ObjectStore } from '../ports/object-store.ts';
import type { PipelineCountStore } from '../ports/pipeline-counts.ts';
import type { DayRollupPorts } from '../ports/rollup-engine.ts';
import { lakeCounts } from './count-lake.ts';
import { type DayTally, tallyDayFromRollups } from './day-rollups.ts';
import { type EnrichedHour, enrichedHoursOf, filesToRead } from './enriched-hours.ts';
import { clearMarks, listMarkedWindows, type MarkedWindow } from './restatement-marks.ts';

export interface ChartJobPorts {
  readonly lake: ObjectStore;
  readonly charts: ChartStore;
  readonly clock: Clock;
  readonly regions: readonly string[];
  /**
   * Applies the chart rules to the window's Parquet files (DuckDB in every runtime); with genres (enriched files,
   * or a copy of the catalog for raw ones), the genre charts too.
   */
  readonly tally: (
    files: readonly string[],
    window: ChartWindow,
    genres: { readonly enriched: boolean; readonly catalog: string | undefined },
  ) => Promise<RegionTally[]>;
  /** Counts the deliveries in the window's plays files (DuckDB), for GET /v1/pipeline. */
  readonly countLakeFiles: (files: readonly string[], window: ChartWindow) => Promise<LakeFileCounts[]>;
  /** `tally` and `countLakeFiles` of the same raw plays files, from one read of them. */
  readonly tallyAndCount: (
    files: readonly string[],
    window: ChartWindow,
    genres: { readonly catalog: string | undefined },
  ) => Promise<{ tallies: RegionTally[]; fileCounts: LakeFileCounts[] }>;
  /** Where the lake counts of each computed window are stored, after its charts. */
  readonly counts: Pick<PipelineCountStore, 'replaceLakeCounts'>;
  /** Gives the job a scratch folder for the lake files it reads. */
  readonly withScratchDir: <T>(work: (dir: string) => Promise<T>) => Promise<T>;
  /** Day charts from hour rollups, built as hours become final; none: every day is read whole. */
  readonly rollups?: DayRollupPorts;
  /** Counts the windows stored, by period and status; none: not counted. */
  readonly metrics?: Metrics;
}

/** An explicit window (backfill, replay) or, when absent, whatever the schedule is due to chart. */
export type ChartJobRequest = { readonly period: Period; readonly windowStart?: Date | undefined };

export interface ComputedWindow {
  readonly period: Period;
  readonly window_start: string;
  readonly window_end: string;
  readonly status: Chart['status'];
  /** Files read: enriched files of the hours whose enrichment is current, plays files of the others. */
  readonly files: number;
  /** Hours of the window read from enriched/ rather than plays/. */
  readonly enriched_hours: number;
  /** Hours of a day read from their rollups (docs/contracts.md, "Hour rollups"); 0 for an hour. */
  readonly rollup_hours: number;
  readonly eligible_plays: number;
  /** The regions whose final chart this run changed (restated, one version on). */
  readonly restated: readonly string[];
  /** Restatement marks of the window cleared after it was stored. */
  readonly marks_cleared: number;
}

export interface ChartJobResult {
  readonly computed: readonly ComputedWindow[];
  readonly skipped: readonly { readonly window_start: string; readonly reason: string }[];
}

/**
 * Computes the charts of one period. With a window, exactly that window. On the schedule, the window still open
 * (provisional, so a fresh start shows charts early) and the latest closed one, recomputed until its chart is
 * final (generated after the late-play grace); then, within the run's budget, oldest first, windows left
 * unfinished by a missed run and windows the writers marked for restatement (docs/contracts.md, "Restatements").
 */
export async function computeCharts(request: ChartJobRequest, ports: ChartJobPorts): Promise<ChartJobResult> {
  const now = ports.clock();
  // Listed before any window's files are: a mark seen here stands for a file that the recompute will read.
  const marked = await listMarkedWindows(ports.lake, request.period);
  if (request.windowStart) {
    const window = windowStartingAt(request.period, request.windowStart);
    return { computed: [await computeWindow(window, ports, marked)], skipped: [] };
  }
  const open = windowContaining(request.period, now);
  const closed = previousWindow(open);
  const due = [open];
  const skipped: { window_start: string; reason: string }[] = [];
  const state = await ports.charts.windowState(closed);
  const settled =
    state?.status === 'final' && state.generatedAt.getTime() >= closed.end.getTime() + LATE_PLAY_GRACE_MS;
  if (settled) skipped.push({ window_start: closed.start.toISOString(), reason: 'final chart is settled' });
  else due.unshift(closed);

  const budget = RESTATEMENTS_PER_RUN[request.period];
  const unfinished = await ports.charts.unfinishedWindows(
    request.period,
    new Date(now.getTime() - LATE_PLAY_GRACE_MS),
    budget,
  );
  const extra = new Map<number, ChartWindow>();
  for (const window of [...unfinished, ...marked.map((entry) => entry.window)]) {
    const start = window.start.getTime();
    if (!due.some((other) => other.start.getTime() === start)) extra.set(start, window);
  }
  const waiting = [...extra.values()].sort((a, b) => a.start.getTime() - b.start.getTime());
  due.push(...waiting.slice(0, budget));
  if (waiting.length > budget) {
    skipped.push({
      window_start: waiting[budget]!.start.toISOString(),
      reason: `${waiting.length - budget} windows wait for the next runs (at most ${budget} restated a run)`,
    });
  }
  const computed: ComputedWindow[] = [];
  for (const window of due) computed.push(await computeWindow(window, ports, marked));
  return { computed, skipped };
}

async function computeWindow(
  window: ChartWindow,
  ports: ChartJobPorts,
  marked: readonly MarkedWindow[],
): Promise<ComputedWindow> {
  // The chart counts every play written before this instant (the listings below begin after it).
  const generatedAt = ports.clock();
  const hours = await enrichedHoursOf(ports.lake, window);
  const tallied =
    (window.period === 'day' && ports.rollups
      ? await tallyDayFromRollups(window, hours, generatedAt, { ...ports, rollups: ports.rollups })
      : undefined) ?? (await tallyWhole(window, hours, ports));
  const tallies = tallied.tallies.filter((tally) => tally.genre === undefined);
  const genreCharts: GenreChart[] = tallied.tallies.flatMap(({ genre, region, eligible_plays, entries }) =>
    genre === undefined ? [] : [{ genre, region, eligible_plays, entries }],
  );
  const fileCounts = tallied.fileCounts;
  const status = statusAt(window, generatedAt);
  const byRegion = new Map(tallies.map((tally) => [tally.region, tally]));
  // Every configured region gets a chart, empty when nobody played anything there.
  const regions = new Set([GLOBAL_REGION, ...ports.regions, ...byRegion.keys()]);
  const charts: Chart[] = [...regions].map((region) => ({
    region,
    period: window.period,
    window_start: window.start,
    window_end: window.end,
    status,
    generated_at: generatedAt,
    eligible_plays: byRegion.get(region)?.eligible_plays ?? 0,
    entries: byRegion.get(region)?.entries ?? [],
  }));
  let replacement: WindowReplacement;
  try {
    replacement = await ports.charts.replaceWindow(window, charts, genreCharts);
  } catch (error) {
    if (!(error instanceof StoreUnavailableError)) throw error;
    // Replacing is one transaction: the window keeps the charts it had, whole, until a run gets through.
    throw new StoreUnavailableError(
      `the ${window.period} charts of ${window.start.toISOString()} were not stored (${error.message}); ` +
        'the window keeps its previous charts, and the next run computes it again',
      error.retryAfterSeconds,
      { cause: error },
    );
  }
  (ports.metrics ?? noMetrics).count('chart_windows_computed', 1, { period: window.period, status });
  // After the charts: counts stored from this run describe charts that are stored (a failure fails the run).
  const counts = await lakeCounts(window, {
    lake: ports.lake,
    regions: ports.regions,
    files: fileCounts,
    charted: new Map(charts.map((chart) => [chart.region, chart.eligible_plays])),
  });
  const newest = fileCounts.find((count) => count.region === GLOBAL_REGION)?.newest_play_at;
  await ports.counts.replaceLakeCounts(window.period, window.start, counts, newest, generatedAt);
  // Stored, or kept because a later read of the lake is stored: either way the marks' files are counted.
  const marksCleared = await clearMarks(ports.lake, marked, window);
  return {
    period: window.period,
    window_start: window.start.toISOString(),
    window_end: window.end.toISOString(),
    status,
    files: tallied.files,
    enriched_hours: tallied.enrichedHours,
    rollup_hours: tallied.rollupHours,
    eligible_plays: byRegion.get(GLOBAL_REGION)?.eligible_plays ?? 0,
    restated: replacement.restated,
    marks_cleared: marksCleared,
  };
}

/** The window's tallies and lake counts from every file of its hours (enriched where current, else raw plays). */
async function tallyWhole(
  window: ChartWindow,
  hours: readonly EnrichedHour[],
  ports: ChartJobPorts,
): Promise<DayTally> {
  const read = filesToRead(hours, true);
  if (read.enrichedHours === 0) {
    // Raw plays only (the open hour, most runs): the chart and the lake counts from one read of the same files.
    const { tallies, fileCounts } = await withLocalCopies(read, ports, (files, catalog) =>
      ports.tallyAndCount(files, window, { catalog }),
    );
    return { tallies, fileCounts, files: read.files.length, enrichedHours: 0, rollupHours: 0 };
  }
  const tallies = await tallyFiles(read, window, ports).catch(async () => {
    // An enriched file replaced twice since its manifest was read (enrich keeps one build back) is gone:
    // the raw plays say the same.
    return tallyFiles(filesToRead(hours, false), window, ports);
  });
  // The lake's counts always from the plays files themselves (every delivery, duplicates included), whichever
  // files the chart was computed from: the chart's eligible plays are then checked against the raw lake.
  const raw = filesToRead(hours, false).files;
  const fileCounts = await ports.withScratchDir(async (dir) =>
    ports.countLakeFiles(await ports.lake.localCopies(raw, dir), window),
  );
  return { tallies, fileCounts, files: read.files.length, enrichedHours: read.enrichedHours, rollupHours: 0 };
}

/** The window's tallies from these files (local copies), the catalog's copy last. */
async function tallyFiles(read: ReturnType<typeof filesToRead>, window: ChartWindow, ports: ChartJobPorts) {
  return withLocalCopies(read, ports, (files, catalog) =>
    ports.tally(files, window, { enriched: read.enrichedHours > 0, catalog }),
  );
}

/** `work` on local copies of the files to read and of their catalog, in a scratch folder. */
async function withLocalCopies<T>(
  read: ReturnType<typeof filesToRead>,
  ports: ChartJobPorts,
  work: (files: readonly string[], catalog: string | undefined) => Promise<T>,
): Promise<T> {
  return ports.withScratchDir(async (dir) => {
    const keys = read.catalog ? [...read.files, read.catalog] : read.files;
    const copies = await ports.lake.localCopies(keys, dir);
    return work(read.catalog ? copies.slice(0, -1) : copies, read.catalog ? copies.at(-1) : undefined);
  });
}
