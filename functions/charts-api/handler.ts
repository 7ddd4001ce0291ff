import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { dependencies } from '../../src/runtime/dependencies.ts';
import { createFunctionLogger } from '../../src/runtime/logger.ts';
import { serveCharts } from '../../src/use-cases/serve-charts.ts';
import { httpMiddlewares, toHttpRequest, toHttpResponse } from '../shared/http.ts';

const logger = createFunctionLogger();

export const handler = middy<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2>()
  .use(httpMiddlewares(logger))
  .handler(async (event) => {
    const deps = dependencies();
    return toHttpResponse(
      await serveCharts(toHttpRequest(event), {
        charts: await deps.chartStore(),
        regions: deps.settings.regions,
      }),
    );
  });
