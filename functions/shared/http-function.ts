import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { HttpRequest, HttpResult } from '../../src/domain/http/http.ts';
import { createFunctionLogger } from '../../src/runtime/logger.ts';
import { httpMiddlewares, toHttpRequest, toHttpResponse } from './http.ts';

/** An API Gateway v2 handler around one use case that answers an HTTP request. */
export function httpFunction(answer: (request: HttpRequest) => Promise<HttpResult>) {
  return middy<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2>()
    .use(httpMiddlewares(createFunctionLogger()))
    .handler(async (event) => toHttpResponse(await answer(toHttpRequest(event))));
}
