import { z } from 'zod';
import { isWindowStart, periods } from '../domain/charts.ts';
import {
  errorResult,
  type HttpRequest,
  type HttpResult,
  jsonResult,
  unavailableResult,
} from '../domain/http/http.ts';
import { GLOBAL_REGION } from '../domain/regions.ts';
import { type ChartStore, type ServedChart, StoreUnavailableError } from '../ports/chart-store.ts';

export interface ChartsApiPorts {
  readonly charts: ChartStore;
  readonly regions: readonly string[];
}

/** GET /v1/regions and GET /v1/charts (docs/contracts.md, "HTTP API"). */
export async function serveCharts(request: HttpRequest, ports: ChartsApiPorts): Promise<HttpResult> {
  if (request.method !== 'GET') return errorResult(405, `${request.method} is not allowed; use GET`);
  if (request.path === '/v1/regions')
    return jsonResult(200, { regions: ports.regions, global: GLOBAL_REGION });
  if (request.path === '/v1/charts') return findChart(request, ports);
  return errorResult(404, `no route ${request.path}`);
}

async function findChart(request: HttpRequest, ports: ChartsApiPorts): Promise<HttpResult> {
  const regions = [GLOBAL_REGION, ...ports.regions];
  const query = z
    .object({
      region: z
        .string({ error: 'is required' })
        .refine((region) => regions.includes(region), { error: `must be one of ${regions.join(', ')}` }),
      period: z.enum(periods, { error: 'must be hour or day' }),
      start: z.iso
        .datetime({ offset: true, error: 'must be an RFC 3339 timestamp, e.g. 2026-11-27T13:00:00Z' })
        .transform((start) => new Date(start))
        .optional(),
    })
    .superRefine((value, context) => {
      // Zod runs this refinement even when a field failed; then `start` or `period` is still the raw input.
      const { start, period } = value;
      if (start instanceof Date && periods.includes(period) && !isWindowStart(period, start)) {
        context.addIssue({
          code: 'custom',
          path: ['start'],
          message: `must be the start of a UTC ${value.period}`,
        });
      }
    })
    .safeParse(request.query);
  if (!query.success) {
    const errors = query.error.issues.map((issue) => ({
      field: issue.path.join('.'),
      message: issue.message,
    }));
    return errorResult(400, errors.map((error) => `${error.field} ${error.message}`).join('; '), { errors });
  }
  const { region, period, start } = query.data;
  let chart: ServedChart | undefined;
  try {
    chart = await ports.charts.findChart(region, period, start);
  } catch (error) {
    // A chart is served whole from one snapshot, or not at all: never a 500 while the database is away.
    if (!(error instanceof StoreUnavailableError)) throw error;
    return unavailableResult(
      `charts cannot be read right now (${error.message}); retry the request`,
      error.retryAfterSeconds,
    );
  }
  if (!chart) {
    const which = start ? `starting ${start.toISOString()}` : 'yet';
    return errorResult(404, `no ${period} chart for region ${region} ${which}`);
  }
  return jsonResult(200, {
    ...chart,
    window_start: chart.window_start.toISOString(),
    window_end: chart.window_end.toISOString(),
    generated_at: chart.generated_at.toISOString(),
  });
}
