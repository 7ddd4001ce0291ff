import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { type HttpRequest, type HttpResult, unavailableResult } from '../../src/domain/http/http.ts';
import { UnavailableError } from '../../src/ports/unavailable.ts';
import { createFunctionLogger } from '../../src/wiring/logger.ts';
import { httpMiddlewares, toHttpRequest, toHttpResponse } from './http.ts';
import { flushMetrics, httpMetrics } from './metrics.ts';

/**
 * An API Gateway v2 handler around one use case that answers an HTTP request. A port that is unavailable
 * (database, transport) and that the use case did not answer for itself is a 503 with Retry-After, never a 500.
 */
export function httpFunction(answer: (request: HttpRequest) => Promise<HttpResult>) {
  const logger = createFunctionLogger();
  return middy<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2>()
    .use(flushMetrics())
    .use(httpMetrics())
    .use(httpMiddlewares(logger))
    .handler(async (event) => {
      try {
        return toHttpResponse(await answer(toHttpRequest(event)));
      } catch (error) {
        if (!(error instanceof UnavailableError)) throw error;
        logger.warn('answered 503: a service is unavailable', { reason: error.message });
        return toHttpResponse(
          unavailableResult(`${error.message}; retry the request`, error.retryAfterSeconds),
        );
      }
    });
}
