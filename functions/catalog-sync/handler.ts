import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { catalogFiles } from '../../src/runtime/catalog-files.ts';
import { dependencies } from '../../src/runtime/dependencies.ts';
import { createFunctionLogger } from '../../src/runtime/logger.ts';
import { type CatalogSyncResult, syncCatalog } from '../../src/use-cases/sync-catalog.ts';

/** Scheduled; its event carries nothing it needs, so any event (EventBridge or `{}`) runs it. */
const logger = createFunctionLogger();

export const handler = middy<unknown, CatalogSyncResult>()
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
