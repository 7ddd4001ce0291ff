/** GET /v1/pipeline: the counts at every hop of a window, per region and global, reconciled, and the lag. */
import { z } from 'zod';
import { isWindowStart, periods, windowContaining } from '../../domain/charts.ts';
import { cacheableJson } from '../../domain/http/conditional.ts';
import { errorResult, type HttpRequest, type HttpResult, unavailableResult } from '../../domain/http/http.ts';
import { hopCountsByRegion, reconcile } from '../../domain/pipeline-counts.ts';
import { StoreUnavailableError } from '../../ports/chart-store.ts';
import type { Clock } from '../../ports/clock.ts';
import type { LiveChartStore } from '../../ports/live-chart-store.ts';
import type { PipelineCountStore } from '../../ports/pipeline-counts.ts';
import { cachePolicy, instantParameter, parseParameters, periodParameter } from '../charts-api/parameters.ts';
import type { PartitionLagBody, PipelineBody } from './schemas.ts';

export interface PipelineApiPorts {
  readonly counts: Pick<PipelineCountStore, 'windowCounts' | 'newestPlayInLake'>;
  readonly regions: readonly string[];
  readonly live: Pick<LiveChartStore, 'newestLivePlay'>;
  readonly clock: Clock;
  /** The consumers' lag per partition, or undefined where the transport has none or cannot say now. */
  readonly consumerLag: () => Promise<readonly PartitionLagBody[] | undefined>;
}

export const pipelineQuery = z
  .object({
    period: periodParameter,
    start: instantParameter
      .optional()
      .describe('the start of a UTC hour or day; without it, the window open now'),
  })
  .superRefine((value, context) => {
    const { start, period } = value;
    if (start instanceof Date && periods.includes(period) && !isWindowStart(period, start)) {
      context.addIssue({ code: 'custom', path: ['start'], message: `must be the start of a UTC ${period}` });
    }
  });

export async function servePipeline(request: HttpRequest, ports: PipelineApiPorts): Promise<HttpResult> {
  if (request.path !== '/v1/pipeline') return errorResult(404, `no route ${request.path}`);
  if (request.method !== 'GET') return errorResult(405, `${request.method} is not allowed; use GET`);
  const query = parseParameters(pipelineQuery, request.query);
  if (!query.ok) return query.result;
  const now = ports.clock();
  const { period } = query.value;
  const start = query.value.start ?? windowContaining(period, now).start;
  try {
    const [window, newest, newestLive, partitions] = await Promise.all([
      ports.counts.windowCounts(period, start),
      ports.counts.newestPlayInLake(),
      ports.live.newestLivePlay(),
      ports.consumerLag(),
    ]);
    const lagOf = (instant: Date | undefined) =>
      instant ? Math.max(0, (now.getTime() - instant.getTime()) / 1000) : null;
    const body: PipelineBody = {
      period,
      window_start: start.toISOString(),
      lag_seconds: {
        lake: lagOf(newest),
        live_chart: lagOf(newestLive),
        partitions: partitions ? [...partitions] : null,
      },
      regions: hopCountsByRegion(window, ports.regions).map((counts) => ({
        ...counts,
        reconciled: reconcile(counts),
      })) as PipelineBody['regions'],
    };
    return cacheableJson(request, body, cachePolicy.live);
  } catch (error) {
    if (!(error instanceof StoreUnavailableError)) throw error;
    return unavailableResult(
      `the counts cannot be read right now (${error.message}); retry the request`,
      error.retryAfterSeconds,
    );
  }
}
