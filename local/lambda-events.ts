/**
 * The event shapes AWS hands HTTP- and schedule-triggered Lambda functions, and their context, built by the
 * local runtime so that handlers run locally exactly as they do in the cloud. Stream events (Kafka, Kinesis)
 * are built by their event source's module in src/adapters/event-sources.
 */
import { randomUUID } from 'node:crypto';
import type { APIGatewayProxyEventV2, APIGatewayRequestAuthorizerEventV2, Context } from 'aws-lambda';
import { localAws } from '../src/adapters/event-sources/event-source.ts';

const { account: ACCOUNT, region: REGION } = localAws;

export interface IncomingHttpRequest {
  readonly method: string;
  readonly url: URL;
  /** The matched route's path (`/v1/songs/{song_id}`) and its path parameters; the URL's path when absent. */
  readonly route?: { readonly path: string; readonly parameters: Readonly<Record<string, string>> };
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string | undefined;
  readonly sourceIp: string;
}

export function apiGatewayEvent(request: IncomingHttpRequest): APIGatewayProxyEventV2 {
  const now = new Date();
  const query: Record<string, string> = {};
  // API Gateway joins repeated query parameters with commas.
  for (const [name, value] of request.url.searchParams)
    query[name] = name in query ? `${query[name]},${value}` : value;
  const routeKey = `${request.method} ${request.route?.path ?? request.url.pathname}`;
  const pathParameters = request.route?.parameters ?? {};
  return {
    version: '2.0',
    routeKey,
    rawPath: request.url.pathname,
    rawQueryString: request.url.search.replace(/^\?/, ''),
    headers: { ...request.headers },
    ...(Object.keys(query).length > 0 ? { queryStringParameters: query } : {}),
    ...(Object.keys(pathParameters).length > 0 ? { pathParameters: { ...pathParameters } } : {}),
    requestContext: {
      accountId: ACCOUNT,
      apiId: 'local',
      domainName: request.url.host,
      domainPrefix: request.url.hostname.split('.')[0] ?? 'localhost',
      http: {
        method: request.method,
        path: request.url.pathname,
        protocol: 'HTTP/1.1',
        sourceIp: request.sourceIp,
        userAgent: request.headers['user-agent'] ?? '',
      },
      requestId: randomUUID(),
      routeKey,
      stage: '$default',
      time: now.toUTCString(),
      timeEpoch: now.getTime(),
    },
    ...(request.body !== undefined ? { body: request.body } : {}),
    isBase64Encoded: false,
  };
}

/**
 * What API Gateway hands a REQUEST Lambda authorizer (payload 2.0) for a request to a route it guards: the
 * request's own fields, the route's ARN and the identity-source values (the cache key).
 */
export function apiGatewayAuthorizerEvent(
  request: APIGatewayProxyEventV2,
  identitySource: readonly string[],
): APIGatewayRequestAuthorizerEventV2 {
  const { apiId, stage, http } = request.requestContext;
  return {
    version: '2.0',
    type: 'REQUEST',
    routeArn: `arn:aws:execute-api:${REGION}:${ACCOUNT}:${apiId}/${stage}/${http.method}${http.path}`,
    identitySource: [...identitySource],
    routeKey: request.routeKey,
    rawPath: request.rawPath,
    rawQueryString: request.rawQueryString,
    cookies: request.cookies ?? [],
    headers: { ...request.headers },
    ...(request.queryStringParameters ? { queryStringParameters: request.queryStringParameters } : {}),
    requestContext: request.requestContext,
    ...(request.pathParameters ? { pathParameters: request.pathParameters } : {}),
    ...(request.stageVariables ? { stageVariables: request.stageVariables } : {}),
  };
}

export interface ScheduledEvent {
  readonly version: '0';
  readonly id: string;
  readonly 'detail-type': 'Scheduled Event';
  readonly source: 'aws.events';
  readonly account: string;
  readonly time: string;
  readonly region: string;
  readonly resources: string[];
  readonly detail: Record<string, never>;
}

export function scheduledEvent(ruleName: string, at: Date): ScheduledEvent {
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': 'Scheduled Event',
    source: 'aws.events',
    account: ACCOUNT,
    time: at.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    region: REGION,
    resources: [`arn:aws:events:${REGION}:${ACCOUNT}:rule/${ruleName}`],
    detail: {},
  };
}

export function lambdaContext(functionName: string, timeoutSeconds: number): Context {
  const deadline = Date.now() + timeoutSeconds * 1000;
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${functionName}`,
    memoryLimitInMB: '1024',
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => {},
    fail: () => {},
    succeed: () => {},
  };
}
