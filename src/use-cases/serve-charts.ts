import { cacheableJson, type PreparedJson } from '../domain/http/conditional.ts';
import type { HttpRequest, HttpResult } from '../domain/http/http.ts';
import { errorResult, jsonResult, unavailableResult } from '../domain/http/http.ts';
import { matchRoutePath } from '../domain/http/route-path.ts';
import { GLOBAL_REGION } from '../domain/regions.ts';
import { type ChartStore, StoreUnavailableError } from '../ports/chart-store.ts';
import type { Clock } from '../ports/clock.ts';
import type { LiveChartStore } from '../ports/live-chart-store.ts';
import type { AnswerCache } from './charts-api/answer-cache.ts';
import { serveChart } from './charts-api/chart.ts';
import { cachePolicy } from './charts-api/parameters.ts';
import { serveSongHistory } from './charts-api/song-history.ts';
import { serveChartWindows } from './charts-api/windows.ts';

export interface ChartsApiPorts {
  readonly charts: ChartStore;
  readonly regions: readonly string[];
  readonly clock: Clock;
  /** The live chart's tallies: the open or closing window's chart comes from them while they have it. */
  readonly live: Pick<LiveChartStore, 'liveTally'>;
  /** The OpenAPI document of the HTTP API (http-api/openapi-document.ts), made once by the host. */
  readonly apiDocument: () => unknown;
  /** Chart answers kept for a short while, shared by the requests of a process; absent: every request reads. */
  readonly answers?: AnswerCache<PreparedJson | undefined>;
}

type Endpoint = (
  request: HttpRequest,
  path: Readonly<Record<string, string>>,
  ports: ChartsApiPorts,
) => Promise<HttpResult>;

/** The charts API's GET routes (the charts-api function's routes in src/topology.ts), each with its endpoint. */
export const chartsApiEndpoints: Readonly<Record<string, Endpoint>> = {
  '/v1/regions': async (_request, _path, ports) =>
    jsonResult(200, { regions: ports.regions, global: GLOBAL_REGION }),
  '/v1/charts': (request, _path, ports) => serveChart(request, ports),
  '/v1/charts/windows': (request, _path, ports) => serveChartWindows(request, ports),
  '/v1/songs/{song_id}': serveSongHistory,
  '/v1/openapi.json': async (request, _path, ports) =>
    cacheableJson(request, ports.apiDocument(), cachePolicy.document),
};

/**
 * The charts API (docs/contracts.md, "HTTP API"): regions, charts, their windows, songs' histories, and the
 * API's own description.
 */
export async function serveCharts(request: HttpRequest, ports: ChartsApiPorts): Promise<HttpResult> {
  for (const [route, endpoint] of Object.entries(chartsApiEndpoints)) {
    const path = matchRoutePath(route, request.path);
    if (!path) continue;
    if (request.method !== 'GET') return errorResult(405, `${request.method} is not allowed; use GET`);
    try {
      return await endpoint(request, path, ports);
    } catch (error) {
      // Every answer is read whole from one snapshot, or not at all: never a 500 while the database is away.
      if (!(error instanceof StoreUnavailableError)) throw error;
      return unavailableResult(
        `charts cannot be read right now (${error.message}); retry the request`,
        error.retryAfterSeconds,
      );
    }
  }
  return errorResult(404, `no route ${request.path}`);
}
