import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { parser } from '@aws-lambda-powertools/parser/middleware';
import middy from '@middy/core';
import {
  configureDuckDb,
  duckDbResourcesFor,
  HOUR_REWRITE_THREADS,
} from '../../src/adapters/duckdb/duckdb.ts';
import { functionNamed } from '../../src/topology.ts';
import { type EnrichResult, enrichPlays } from '../../src/use-cases/enrich-plays.ts';
import { dependencies } from '../../src/wiring/dependencies.ts';
import { enrichmentEngine } from '../../src/wiring/enrichment.ts';
import { createFunctionLogger } from '../../src/wiring/logger.ts';
import { type ChartJobEvent, ChartJobEventSchema } from '../shared/chart-job.ts';
import { flushMetrics } from '../shared/metrics.ts';

const logger = createFunctionLogger();

/**
 * Scheduled by EventBridge (the closed hours of the lookback), or invoked with the chart jobs' explicit event,
 * `{"period": "hour"|"day", "window_start": "…"}`, to enrich that hour or every hour of that day.
 */
export const handler = middy<ChartJobEvent, EnrichResult>()
  .use(flushMetrics())
  .use(injectLambdaContext(logger))
  .use(parser({ schema: ChartJobEventSchema }))
  .handler(async (event) => {
    const explicit = 'source' in event ? {} : event;
    if (explicit.window_start === undefined && explicit.period !== undefined) {
      throw new RangeError('name the window to enrich: {"period": "hour", "window_start": "…"}');
    }
    const deps = dependencies();
    const memoryMb = deps.settings.lambdaMemoryMb ?? functionNamed('enrich').memoryMb;
    configureDuckDb(duckDbResourcesFor(memoryMb, { threads: HOUR_REWRITE_THREADS }));
    const result = await enrichPlays(
      explicit.window_start === undefined
        ? undefined
        : { period: explicit.period ?? 'hour', windowStart: new Date(explicit.window_start) },
      { lake: deps.lake(), clock: deps.clock, ...enrichmentEngine },
    );
    logger.info('plays enriched', {
      enriched: result.enriched.length,
      current: result.current,
      hours: result.enriched.map(({ hour, reason, rows }) => ({ hour, reason, rows })),
    });
    return result;
  });
