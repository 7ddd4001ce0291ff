import { consumerLagOf } from '../../src/use-cases/pipeline-api/consumer-lag.ts';
import { servePipeline } from '../../src/use-cases/pipeline-api/pipeline.ts';
import { dependencies } from '../../src/wiring/dependencies.ts';
import { logger } from '../../src/wiring/logger.ts';
import { openedOnUse } from '../../src/wiring/opened-on-use.ts';
import { httpFunction } from '../shared/http-function.ts';

export const handler = httpFunction(async (request) => {
  const deps = dependencies();
  return servePipeline(request, {
    counts: openedOnUse(deps.pipelineCounts, ['windowCounts', 'newestPlayInLake']),
    live: openedOnUse(deps.liveCharts, ['newestLivePlay']),
    regions: deps.settings.regions,
    clock: deps.clock,
    consumerLag: async () => {
      // In the cloud, Lambda's event source mappings consume: their lag is not read here.
      if (deps.settings.lambdaFunctionName !== undefined) return undefined;
      try {
        return await consumerLagOf(await deps.transport(), deps.settings.namespace);
      } catch (error) {
        logger.warn('consumer lag not read', { reason: (error as Error).message });
        return undefined;
      }
    },
  });
});
