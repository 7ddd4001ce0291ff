/** GET /v1/charts/windows: the windows of a region and period that have a chart, newest first, a page at a time. */
import { z } from 'zod';
import { cacheableJson } from '../../domain/http/conditional.ts';
import type { HttpRequest, HttpResult } from '../../domain/http/http.ts';
import type { ChartsApiPorts } from '../serve-charts.ts';
import {
  cachePolicy,
  instantParameter,
  integerParameter,
  oncePerRegions,
  parseParameters,
  periodParameter,
  regionParameter,
} from './parameters.ts';
import { type ChartWindowsBody, windowSummaryBody } from './schemas.ts';

/** A day of hours by default; a week of hours at most. */
export const WINDOWS_PAGE = { default: 24, max: 168 } as const;

/** The query of GET /v1/charts/windows, knowing `regions`. */
export const chartWindowsQuery = (regions: readonly string[]) =>
  z.object({
    region: regionParameter(regions),
    period: periodParameter,
    before: instantParameter.optional().describe('only windows starting strictly before this instant'),
    limit: integerParameter(1, WINDOWS_PAGE.max)
      .default(WINDOWS_PAGE.default)
      .meta({
        description: 'windows per page',
        // zod's JSON Schema of a parsed query value names no default: the default is not of the text it parses.
        override: ({ jsonSchema }) => {
          jsonSchema.default = WINDOWS_PAGE.default;
        },
      }),
  });

const chartWindowsQueryOf = oncePerRegions(chartWindowsQuery);

export async function serveChartWindows(request: HttpRequest, ports: ChartsApiPorts): Promise<HttpResult> {
  const query = parseParameters(chartWindowsQueryOf(ports.regions), request.query);
  if (!query.ok) return query.result;
  const { region, period, before, limit } = query.value;
  // One more than the page: whether there is a next page, without a count.
  const windows = await ports.charts.listWindows(region, period, { before, limit: limit + 1 });
  const page = windows.slice(0, limit);
  const body: ChartWindowsBody = {
    region,
    period,
    windows: page.map(windowSummaryBody),
    next_before: windows.length > limit ? (page.at(-1)?.window_start.toISOString() ?? null) : null,
  };
  return cacheableJson(request, body, cachePolicy.live);
}
