import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { type CatalogSyncResult, syncCatalog } from '../../src/use-cases/sync-catalog.ts';
import { catalogFiles } from '../../src/wiring/catalog-files.ts';
import { dependencies } from '../../src/wiring/dependencies.ts';
import { createFunctionLogger } from '../../src/wiring/logger.ts';
import { flushMetrics } from '../shared/metrics.ts';

/** Scheduled; its event carries nothing it needs, so any event (EventBridge or `{}`) runs it. */
const logger = createFunctionLogger();

export const handler = middy<unknown, CatalogSyncResult>()
  .use(flushMetrics())
  .use(injectLambdaContext(logger))
  .handler(async () => {
    const deps = dependencies();
    const result = await syncCatalog({
      lake: deps.lake(),
      charts: await deps.chartStore(),
      files: catalogFiles,
    });
    logger.info('catalog synced', { ...result });
    return result;
  });
