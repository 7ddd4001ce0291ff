/** GET /v1/charts: one chart with its entries and their semantics. */
import { z } from 'zod';
import { isWindowStart, periods } from '../../domain/charts.ts';
import { type PreparedJson, preparedResult, prepareJson } from '../../domain/http/conditional.ts';
import { errorResult, type HttpRequest, type HttpResult } from '../../domain/http/http.ts';
import { genres } from '../../domain/song.ts';
import type { ServedChart } from '../../ports/chart-store.ts';
import type { ChartsApiPorts } from '../serve-charts.ts';
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
  const answer = await (ports.answers ? ports.answers.get(key, read) : read());
  if (!answer) {
    const which = start ? `starting ${start.toISOString()}` : 'yet';
    return errorResult(404, `no ${period} chart for region ${region} ${which}`);
  }
  return preparedResult(request, answer);
}

/** The chart as its answer, serialized and tagged once however many requests it serves; undefined: none. */
async function readChart(
  ports: ChartsApiPorts,
  region: string,
  period: ServedChart['period'],
  start: Date | undefined,
  genre: string | undefined,
): Promise<PreparedJson | undefined> {
  const chart = await ports.charts.findChart(region, period, start, genre);
  if (!chart) return undefined;
  // The latest chart of a series is replaced by the next window's soon, whatever its status.
  const settled = start !== undefined && chart.status === 'final';
  return prepareJson(chartBody(chart), settled ? cachePolicy.final : cachePolicy.live);
}

function chartBody(chart: ServedChart): ChartBody {
  return {
    region: chart.region,
    period: chart.period,
    ...(chart.genre === undefined ? {} : { genre: chart.genre }),
    ...windowSummaryBody(chart),
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
