import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { dependencies } from '../../src/runtime/dependencies.ts';
import { createFunctionLogger } from '../../src/runtime/logger.ts';
import { topics } from '../../src/topology.ts';
import { ingestPlays } from '../../src/use-cases/ingest-plays.ts';
import { httpMiddlewares, toHttpRequest, toHttpResponse } from '../shared/http.ts';

const logger = createFunctionLogger();

export const handler = middy<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2>()
  .use(httpMiddlewares(logger))
  .handler(async (event) => {
    const deps = dependencies();
    return toHttpResponse(
      await ingestPlays(toHttpRequest(event), {
        transport: await deps.transport(),
        topic: topics.plays.name,
        regions: deps.settings.regions,
        clock: deps.clock,
      }),
    );
  });
