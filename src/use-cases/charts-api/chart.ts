/** GET /v1/charts: one chart with its entries and their semantics. */
import { z } from 'zod';
import {
  CHART_SIZE,
  type ChartWindow,
  isWindowStart,
  periods,
  statusAt,
  windowContaining,
  windowStartingAt,
} from '../../domain/charts.ts';
import { type PreparedJson, preparedResult, prepareJson } from '../../domain/http/conditional.ts';
import { errorResult, type HttpRequest, type HttpResult } from '../../domain/http/http.ts';
import { isLiveWindow, liveEntrySemantics } from '../../domain/live-chart.ts';
import { genres } from '../../domain/song.ts';
import type { ServedChart } from '../../ports/chart-store.ts';
import type { LiveTally } from '../../ports/live-chart-store.ts';
import type { ChartsApiPorts } from '../serve-charts.ts';
import type { ReadAnswer } from './answer-cache.ts';
import {
  cachePolicy,
  instantParameter,
  oncePerRegions,
  parseParameters,
  periodParameter,
  regionParameter,
} from './parameters.ts';
import { type ChartBody, windowSummaryBody } from './schemas.ts';

/** A genre of the catalog (src/domain/song.ts): the chart of that genre's plays only. */
const genreParameter = z
  .enum(genres, { error: `must be one of the catalog's genres: ${genres.join(', ')}` })
  .describe("one of the catalog's genres: the chart counts only that genre's plays");

/** The query of GET /v1/charts, knowing `regions`. */
export const chartQuery = (regions: readonly string[]) =>
  z
    .object({
      region: regionParameter(regions),
      period: periodParameter,
      start: instantParameter
        .optional()
        .describe('the start of a UTC hour or day; without it, the latest window that has a chart'),
      genre: genreParameter.optional(),
    })
    .superRefine((value, context) => {
      // Zod runs this refinement even when a field failed; then `start` or `period` is still the raw input.
      const { start, period } = value;
      if (start instanceof Date && periods.includes(period) && !isWindowStart(period, start)) {
        context.addIssue({
          code: 'custom',
          path: ['start'],
          message: `must be the start of a UTC ${period}`,
        });
      }
    });

const chartQueryOf = oncePerRegions(chartQuery);

export async function serveChart(request: HttpRequest, ports: ChartsApiPorts): Promise<HttpResult> {
  const query = parseParameters(chartQueryOf(ports.regions), request.query);
  if (!query.ok) return query.result;
  const { region, period, start, genre } = query.value;
  const read = () => readChart(ports, region, period, start, genre);
  const key = `chart ${region} ${period} ${start?.toISOString() ?? 'latest'} ${genre ?? 'all'}`;
  const answer = await (ports.answers ? ports.answers.get(key, read) : read().then((read) => read.value));
  if (!answer) {
    const which = start ? `starting ${start.toISOString()}` : 'yet';
    return errorResult(404, `no ${period} chart for region ${region} ${which}`);
  }
  return preparedResult(request, answer);
}

/**
 * The chart as its answer, serialized and tagged once however many requests it serves (undefined: none), and how
 * long the answer cache may keep it.
 */
async function readChart(
  ports: ChartsApiPorts,
  region: string,
  period: ServedChart['period'],
  start: Date | undefined,
  genre: string | undefined,
): Promise<ReadAnswer<PreparedJson | undefined>> {
  // The window still open or closing: from the live tallies while they have it (genre charts: the jobs' only),
  // unless the live chart has stalled behind the chart jobs' chart of that window, read alongside.
  const now = ports.clock();
  const window = start ? windowStartingAt(period, start) : windowContaining(period, now);
  const live = genre === undefined && isLiveWindow(window, now);
  const [tally, chart] = await Promise.all([
    live ? ports.live.liveTally(region, period, window.start, CHART_SIZE) : undefined,
    ports.charts.findChart(region, period, start, genre),
  ]);
  // Kept as an answer from the store too: whether it is served, rather than the chart jobs' chart, is read there
  // (and a write there, the window's final chart above all, is served from the next request).
  if (tally && !liveChartStalled(tally, chart)) {
    return { value: prepareJson(liveChartBody(tally, window, now), cachePolicy.live), kept: 'store' };
  }
  if (!chart) return { value: undefined, kept: 'store' };
  // The latest chart of a series is replaced by the next window's soon, whatever its status; a final chart of a
  // given window changes only with the store (a restatement, an earlier window's, a song's title).
  const settled = start !== undefined && chart.status === 'final';
  return settled
    ? { value: prepareJson(chartBody(chart), cachePolicy.final), kept: 'lasting' }
    : { value: prepareJson(chartBody(chart), cachePolicy.live), kept: 'store' };
}

/**
 * How much older than the chart jobs' chart of the same window a live chart may be before that one is served
 * instead. The live-chart function commits a batch every second or so while it keeps up (every few seconds on a
 * machine under load), and the chart jobs compute the open and closing windows every minute: a live chart this
 * far behind their chart has stalled (its function crashed, stopped, or fails the same batch again and again), and
 * the chart from the lake is the fresher one (docs/decisions.md, "A stalled live chart"). The margin keeps a live
 * chart that is merely a batch behind from alternating with the lake's, which has fewer plays.
 */
export const LIVE_CHART_STALLED_MS = 30_000;

/**
 * Whether the chart jobs' chart `lake` is of the live chart's window and was computed so long after the live
 * chart's last batch that this one stalled. (Without a start, the chart read is the latest: an earlier window's
 * while the jobs have not charted this one yet.)
 */
export const liveChartStalled = (tally: LiveTally, lake: ServedChart | undefined): boolean =>
  lake !== undefined &&
  lake.window_start.getTime() === tally.windowStart.getTime() &&
  lake.generated_at.getTime() - tally.asOf.getTime() > LIVE_CHART_STALLED_MS;

/** A live chart: the tallies' top songs, ranked, with semantics derived from the stored charts before it. */
function liveChartBody(tally: LiveTally, window: ChartWindow, now: Date): ChartBody {
  return {
    region: tally.region,
    period: window.period,
    window_start: window.start.toISOString(),
    window_end: window.end.toISOString(),
    status: statusAt(window, now),
    generated_at: tally.asOf.toISOString(),
    eligible_plays: tally.eligiblePlays,
    // Never restated: only a final chart is, and a final chart is the lake's.
    version: 1,
    restated_at: null,
    source: 'live',
    as_of: tally.asOf.toISOString(),
    newest_play_at: tally.newestPlayAt.toISOString(),
    entries: tally.songs.map((song, index) => ({
      rank: index + 1,
      song_id: song.song_id,
      title: song.title,
      artist: song.artist,
      genre: song.genre,
      plays: song.plays,
      ...liveEntrySemantics(index + 1, song),
    })),
  };
}

function chartBody(chart: ServedChart): ChartBody {
  return {
    region: chart.region,
    period: chart.period,
    ...(chart.genre === undefined ? {} : { genre: chart.genre }),
    ...windowSummaryBody(chart),
    source: 'lake',
    as_of: chart.generated_at.toISOString(),
    entries: chart.entries.map((entry) => ({
      rank: entry.rank,
      song_id: entry.song_id,
      title: entry.title,
      artist: entry.artist,
      genre: entry.genre,
      plays: entry.plays,
      previous_rank: entry.previous_rank,
      movement: entry.movement,
      peak_rank: entry.peak_rank,
      periods_on_chart: entry.periods_on_chart,
    })),
  };
}
