import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { parser } from '@aws-lambda-powertools/parser/middleware';
import middy from '@middy/core';
import type { z } from 'zod';
import { authorizeApiKey } from '../../src/use-cases/authorize-api-key.ts';
import { dependencies } from '../../src/wiring/dependencies.ts';
import { createFunctionLogger } from '../../src/wiring/logger.ts';
import { HttpApiAuthorizerEventSchema } from '../shared/http.ts';
import { flushMetrics } from '../shared/metrics.ts';

const logger = createFunctionLogger();

/**
 * The API Gateway HTTP API Lambda authorizer of POST /v1/plays (simple responses). A store it cannot reach
 * is an error, which API Gateway answers with 500 and does not cache; a refused key is `isAuthorized: false`
 * (403), cached like an allowed one.
 */
export const handler = middy<z.infer<typeof HttpApiAuthorizerEventSchema>>()
  .use(flushMetrics())
  .use(injectLambdaContext(logger))
  .use(parser({ schema: HttpApiAuthorizerEventSchema }))
  .handler(async (event) => {
    const answer = await authorizeApiKey(event.headers?.authorization, {
      keys: await dependencies().apiKeys(),
    });
    // Never the key itself: the name of the key, or that none matched.
    logger.info(answer.isAuthorized ? 'key allowed' : 'key refused', { keyName: answer.context?.keyName });
    return answer;
  });
