import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { LocalHttpSettings } from '../src/config/settings.ts';
import { matchRoutePath } from '../src/domain/http/route-path.ts';
import type { FunctionName, HttpRoute } from '../src/topology.ts';
import { logger } from '../src/wiring/logger.ts';
import { answerOptions, corsHeaders } from './http/cors.ts';
import { isOperationalPath, type OperationalEndpoints, serveOperational } from './http/operations.ts';
import {
  announcedTooLarge,
  answerClientError,
  answerOnSocket,
  RequestAborted,
  readBody,
  refuseTooLarge,
  serverLimits,
} from './http/request-limits.ts';
import { requestUrl } from './http/request-target.ts';
import { isWritable, sendJson } from './http/respond.ts';
import { serveStatic } from './http/static-files.ts';
import type { RequestDrain } from './http-drain.ts';
import { apiGatewayEvent } from './lambda-events.ts';

export interface RoutedFunction {
  readonly functionName: FunctionName;
  readonly routes: readonly HttpRoute[];
  readonly invoke: (event: unknown) => Promise<unknown>;
}

/** A route whose path matched the request's, with the values of its `{name}` segments. */
interface RouteMatch {
  readonly fn: RoutedFunction;
  readonly route: HttpRoute & { readonly parameters: Readonly<Record<string, string>> };
}

export interface HttpServerOptions extends Omit<LocalHttpSettings, 'host'> {
  /** The built dashboard, served for every path that is not a route. */
  readonly staticDir: string;
  /** Lets the server stop taking requests without cutting those it took (a stop of the local runtime). */
  readonly drain?: RequestDrain;
  /** GET /metrics and /health (the local runtime's own, not API routes); absent: not served. */
  readonly operational?: OperationalEndpoints;
}

/**
 * The local API Gateway: routes the topology's HTTP routes to their functions as API Gateway v2
 * events, and serves the built dashboard for everything else. Whatever a client sends, it answers
 * with JSON errors, never a 500 of its own, and holds no request longer or larger than its limits.
 * With `drain`, it can stop taking requests (see RequestDrain).
 */
export function createHttpServer(functions: readonly RoutedFunction[], options: HttpServerOptions): Server {
  // The response being prepared on each connection, so that a parse error or timeout there knows whether
  // it may still answer.
  const inFlight = new WeakMap<Socket, ServerResponse>();
  const serveRequest = (request: IncomingMessage, response: ServerResponse) => {
    const socket = request.socket;
    inFlight.set(socket, response);
    response.once('close', () => {
      if (inFlight.get(socket) === response) inFlight.delete(socket);
    });
    handle(request, response, functions, options).catch((error: unknown) => {
      if (error instanceof RequestAborted || !isWritable(response)) return;
      logger.error('request failed', { url: request.url, error });
      sendJson(response, 500, { message: 'Internal Server Error' });
    });
  };
  const serve = options.drain ? options.drain.wrap(serveRequest) : serveRequest;
  const server = createServer(serverLimits(options), serve);
  // `Expect: 100-continue`: refuse an announced oversized body before the client sends it.
  server.on('checkContinue', (request: IncomingMessage, response: ServerResponse) => {
    const announced = announcedTooLarge(request);
    if (announced !== undefined) return refuseTooLarge(response, announced);
    response.writeContinue();
    serve(request, response);
  });
  server.on('clientError', (error: Error, socket: Socket) =>
    answerClientError(error, socket, inFlight.get(socket)),
  );
  // Without a listener, Node would drop a CONNECT's connection without a word.
  server.on('connect', (_request: IncomingMessage, socket: Duplex) =>
    answerOnSocket(socket, 405, 'CONNECT is not allowed: this server is not a proxy'),
  );
  return server;
}

async function handle(
  request: IncomingMessage,
  response: ServerResponse,
  functions: readonly RoutedFunction[],
  options: HttpServerOptions,
): Promise<void> {
  const url = requestUrl(request.url ?? '/');
  if (!url)
    return sendJson(response, 400, { message: 'the request target must be a path, e.g. /v1/regions' });
  const method = request.method ?? 'GET';
  if (options.operational && isOperationalPath(url.pathname)) {
    return serveOperational(url.pathname, method, response, options.operational);
  }
  const onPath = functions.flatMap((fn) =>
    fn.routes.flatMap((route) => {
      const parameters = matchRoutePath(route.path, url.pathname);
      return parameters ? [{ fn, route: { ...route, parameters } }] : [];
    }),
  );
  if (onPath.length > 0) return handleRoute(request, response, url, onPath, options);
  if (url.pathname.startsWith('/v1/'))
    return sendJson(response, 404, { message: `no route ${method} ${url.pathname}` });
  if (method !== 'GET' && method !== 'HEAD')
    return sendJson(response, 405, { message: `${method} is not allowed` });
  await serveStatic(url.pathname, response, options.staticDir);
}

async function handleRoute(
  request: IncomingMessage,
  response: ServerResponse,
  url: URL,
  onPath: readonly RouteMatch[],
  options: HttpServerOptions,
): Promise<void> {
  const method = request.method ?? 'GET';
  const methods = onPath.map(({ route }) => route.method);
  if (method === 'OPTIONS') {
    const answer = answerOptions(request, url.pathname, methods, options.ingestCorsOrigins);
    if (answer.body) return sendJson(response, answer.status, answer.body, answer.headers);
    response.writeHead(answer.status, answer.headers).end();
    return;
  }
  const match = onPath.find(({ route }) => route.method === method);
  if (!match) {
    const allowed = methods.join(', ');
    return sendJson(
      response,
      405,
      { message: `${method} is not allowed on ${url.pathname}; use ${allowed}` },
      { allow: allowed },
    );
  }
  const announced = announcedTooLarge(request);
  if (announced !== undefined) return refuseTooLarge(response, announced);
  const body = await readBody(request);
  if (body === 'too-large') return refuseTooLarge(response, undefined);
  const text = body.toString('utf8');
  const event = apiGatewayEvent({
    method,
    url,
    route: match.route,
    headers: Object.fromEntries(
      Object.entries(request.headers).map(([name, value]) => [
        name,
        Array.isArray(value) ? value.join(',') : (value ?? ''),
      ]),
    ),
    body: text.length > 0 || method === 'POST' ? text : undefined,
    sourceIp: request.socket.remoteAddress ?? '127.0.0.1',
  });
  const result = (await match.fn.invoke(event)) as APIGatewayProxyStructuredResultV2;
  if (!isWritable(response)) return;
  const answer = result.body ?? '';
  response.writeHead(result.statusCode ?? 200, {
    // As API Gateway does: the request's id, which its events carry to the consumers' logs.
    'apigw-requestid': event.requestContext.requestId,
    ...(result.headers as Record<string, string>),
    ...corsHeaders(request.headers.origin, match.route.method, options.ingestCorsOrigins),
    // As API Gateway does, rather than a chunked body: a client knows the size before it reads.
    ...(result.statusCode === 204 || result.statusCode === 304
      ? {}
      : { 'content-length': String(Buffer.byteLength(answer)) }),
  });
  response.end(answer);
}
