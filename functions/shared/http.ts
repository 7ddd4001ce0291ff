import type { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { parser } from '@aws-lambda-powertools/parser/middleware';
import {
  APIGatewayProxyEventV2Schema,
  APIGatewayRequestAuthorizerEventV2Schema,
} from '@aws-lambda-powertools/parser/schemas/api-gatewayv2';
import httpErrorHandler from '@middy/http-error-handler';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { z } from 'zod';
import type { HttpRequest, HttpResult } from '../../src/domain/http/http.ts';

/**
 * API Gateway's v2 event, with `requestContext.domainPrefix` optional: no handler reads it, and
 * LocalStack-compatible emulators (MiniStack 1.5.33) leave it out, which would turn every request into a 500.
 */
export const HttpApiEventSchema = APIGatewayProxyEventV2Schema.extend({
  requestContext: APIGatewayProxyEventV2Schema.shape.requestContext.extend({
    domainPrefix: z.string().optional(),
  }),
});

/**
 * API Gateway's v2 REQUEST authorizer event, as lenient as the emulators need: MiniStack 1.5.33 leaves out
 * `requestContext.domainPrefix`, `time` and `timeEpoch` and sends `queryStringParameters: null`. The
 * authorizer reads only the headers.
 */
export const HttpApiAuthorizerEventSchema = APIGatewayRequestAuthorizerEventV2Schema.extend({
  queryStringParameters: z.record(z.string(), z.string()).nullish(),
  requestContext: APIGatewayRequestAuthorizerEventV2Schema.shape.requestContext.extend({
    domainPrefix: z.string().optional(),
    time: z.string().optional(),
    timeEpoch: z.number().optional(),
  }),
});

/** What a client gets for an error nobody expected; the details go to the log, not to the client. */
const INTERNAL_ERROR = JSON.stringify({ message: 'internal error; it has been logged' });

/** Logger context, API Gateway v2 envelope validation, and a JSON 500 for anything unexpected. */
export const httpMiddlewares = (logger: Logger) => [
  injectLambdaContext(logger),
  parser({ schema: HttpApiEventSchema }),
  httpErrorHandler({
    logger: (error: unknown) => logger.error('unhandled error', error as Error),
    fallbackMessage: INTERNAL_ERROR,
  }),
];

export function toHttpRequest(event: APIGatewayProxyEventV2): HttpRequest {
  const body =
    event.body !== undefined && event.isBase64Encoded
      ? Buffer.from(event.body, 'base64').toString('utf8')
      : event.body;
  return {
    method: event.requestContext.http.method,
    path: event.rawPath,
    query: event.queryStringParameters ?? {},
    // API Gateway hands header names in lower case; an emulator might not.
    headers: Object.fromEntries(
      Object.entries(event.headers ?? {}).map(([name, value]) => [name.toLowerCase(), value]),
    ),
    body,
    requestId: event.requestContext.requestId,
    authorizer:
      (event.requestContext as { authorizer?: { lambda?: Record<string, unknown> | null } }).authorizer
        ?.lambda ?? undefined,
  };
}

export function toHttpResponse(result: HttpResult): APIGatewayProxyStructuredResultV2 {
  if (result.body === undefined) return { statusCode: result.statusCode, headers: { ...result.headers } };
  return {
    statusCode: result.statusCode,
    headers: { 'content-type': 'application/json', ...result.headers },
    body: result.json ?? JSON.stringify(result.body),
  };
}
