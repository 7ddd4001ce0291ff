import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { parser } from '@aws-lambda-powertools/parser/middleware';
import { EventBridgeSchema } from '@aws-lambda-powertools/parser/schemas/eventbridge';
import middy from '@middy/core';
import { z } from 'zod';
import { configureDuckDb, duckDbResourcesFor } from '../../src/adapters/duckdb/duckdb.ts';
import { type Period, periods } from '../../src/domain/charts.ts';
import { functionNamed } from '../../src/topology.ts';
import { type ChartJobResult, computeCharts } from '../../src/use-cases/compute-charts.ts';
import { chartJobPorts } from '../../src/wiring/chart-job.ts';
import { dependencies } from '../../src/wiring/dependencies.ts';
import { createFunctionLogger } from '../../src/wiring/logger.ts';
import { flushMetrics } from './metrics.ts';

/** `{"period": "hour", "window_start": "…"}` for a backfill or replay; `{}` behaves like the schedule. */
const ExplicitRequestSchema = z.strictObject({
  period: z.enum(periods).optional(),
  window_start: z.iso.datetime({ offset: true }).optional(),
});

export const ChartJobEventSchema = z.union([EventBridgeSchema, ExplicitRequestSchema]);
export type ChartJobEvent = z.infer<typeof ChartJobEventSchema>;

/** The handler of the chart job of one period: scheduled by EventBridge, or invoked with a window. */
export function chartJobHandler(period: Period) {
  const logger = createFunctionLogger();
  return middy<ChartJobEvent, ChartJobResult>()
    .use(flushMetrics())
    .use(injectLambdaContext(logger))
    .use(parser({ schema: ChartJobEventSchema }))
    .handler(async (event) => {
      const explicit = 'source' in event ? {} : event;
      if (explicit.period && explicit.period !== period) {
        throw new RangeError(
          `this job charts ${period}s; send period "${explicit.period}" to ${chartJobName(explicit.period)}`,
        );
      }
      const deps = dependencies();
      // DuckDB's memory limit and spill folder from this function's memory (Lambda's, or the topology's locally).
      const memoryMb = deps.settings.lambdaMemoryMb ?? functionNamed(chartJobName(period)).memoryMb;
      configureDuckDb(duckDbResourcesFor(memoryMb));
      const started = performance.now();
      let outcome = 'failed';
      try {
        const result = await computeCharts(
          { period, windowStart: explicit.window_start ? new Date(explicit.window_start) : undefined },
          await chartJobPorts(deps),
        );
        outcome = 'ok';
        logger.info('charts computed', { period, ...result });
        return result;
      } finally {
        deps.metrics.observe('chart_run_duration_seconds', (performance.now() - started) / 1000, {
          period,
          outcome,
        });
      }
    });
}

function chartJobName(period: Period): 'chart-hourly' | 'chart-daily' {
  return period === 'day' ? 'chart-daily' : 'chart-hourly';
}
