import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { matchRoutePath } from '../domain/http/route-path.ts';
import { logger } from '../runtime/logger.ts';
import type { FunctionName, HttpRoute } from '../topology.ts';
import { apiGatewayEvent } from './lambda-events.ts';

export interface RoutedFunction {
  readonly functionName: FunctionName;
  readonly routes: readonly HttpRoute[];
  readonly invoke: (event: unknown) => Promise<unknown>;
}

/** API Gateway's own payload limit; the functions enforce their smaller ones. */
const MAX_REQUEST_BYTES = 10 * 1024 * 1024;

const contentTypes: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
};

/**
 * The local API Gateway: routes the topology's HTTP routes to their functions as API Gateway v2
 * events, and serves the built dashboard for everything else.
 */
export function createHttpServer(functions: readonly RoutedFunction[], staticDir: string): Server {
  return createServer((request, response) => {
    handle(request, response, functions, staticDir).catch((error: unknown) => {
      logger.error('request failed', { url: request.url, error });
      if (!response.headersSent) sendJson(response, 500, { message: 'Internal Server Error' });
      else response.destroy();
    });
  });
}

async function handle(
  request: IncomingMessage,
  response: ServerResponse,
  functions: readonly RoutedFunction[],
  staticDir: string,
): Promise<void> {
  const url = new URL(request.url ?? '/', `http://${request.headers.host ?? 'localhost'}`);
  const method = request.method ?? 'GET';
  const onPath = functions.flatMap((fn) =>
    fn.routes.flatMap((route) => {
      const parameters = matchRoutePath(route.path, url.pathname);
      return parameters ? [{ fn, route: { ...route, parameters } }] : [];
    }),
  );
  if (onPath.length > 0) {
    const match = onPath.find(({ route }) => route.method === method);
    if (!match) {
      const allowed = onPath.map(({ route }) => route.method).join(', ');
      return sendJson(
        response,
        405,
        { message: `${method} is not allowed on ${url.pathname}; use ${allowed}` },
        { allow: allowed },
      );
    }
    const body = await readBody(request);
    if (body === undefined)
      return sendJson(response, 413, { message: `body exceeds ${MAX_REQUEST_BYTES} bytes` });
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
      body: body.length > 0 || method === 'POST' ? body : undefined,
      sourceIp: request.socket.remoteAddress ?? '127.0.0.1',
    });
    const result = (await match.fn.invoke(event)) as APIGatewayProxyStructuredResultV2;
    response.writeHead(result.statusCode ?? 200, { ...(result.headers as Record<string, string>) });
    response.end(result.body ?? '');
    return;
  }
  if (url.pathname.startsWith('/v1/'))
    return sendJson(response, 404, { message: `no route ${method} ${url.pathname}` });
  if (method !== 'GET' && method !== 'HEAD')
    return sendJson(response, 405, { message: `${method} is not allowed` });
  await serveStatic(url.pathname, response, staticDir);
}

/** The body as text, or undefined when it is larger than API Gateway would take. */
async function readBody(request: IncomingMessage): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > MAX_REQUEST_BYTES) return undefined;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

async function serveStatic(pathname: string, response: ServerResponse, staticDir: string): Promise<void> {
  const relative = normalize(decodeURIComponent(pathname)).replace(/^([/\\])+/, '');
  let file = join(staticDir, relative);
  if (!file.startsWith(staticDir + sep) && file !== staticDir)
    return sendJson(response, 404, { message: 'not found' });
  const info = await stat(file).catch(() => undefined);
  // A single-page app: unknown paths get index.html.
  if (!info?.isFile()) file = join(staticDir, 'index.html');
  const index = await stat(file).catch(() => undefined);
  if (!index?.isFile()) {
    return sendJson(response, 404, { message: 'the dashboard is not built; run npm run build -w frontend' });
  }
  response.writeHead(200, {
    'content-type': contentTypes[extname(file)] ?? 'application/octet-stream',
    'cache-control': file.endsWith('index.html') ? 'no-cache' : 'public, max-age=3600',
  });
  createReadStream(file).pipe(response);
}

function sendJson(
  response: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
) {
  response.writeHead(status, { 'content-type': 'application/json', ...headers });
  response.end(JSON.stringify(body));
}
