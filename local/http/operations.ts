import type { ServerResponse } from 'node:http';
import { isWritable, sendJson } from './respond.ts';

/**
 * The local runtime's own endpoints, for whoever runs it (a Prometheus scrape, a person, a script), not part of
 * the HTTP API: the deployed API has no such routes, so they are neither in the topology nor in the OpenAPI
 * document (docs/observability.md).
 */
export interface OperationalEndpoints {
  /** The metrics in the Prometheus text format. */
  metrics(): Promise<{ readonly contentType: string; readonly body: string }>;
  /** Each dependency's check; `ok` false when any failed. */
  health(): Promise<{ readonly ok: boolean; readonly body: unknown }>;
}

const PATHS = ['/metrics', '/health'] as const;

export const isOperationalPath = (pathname: string): boolean =>
  (PATHS as readonly string[]).includes(pathname);

/** Answers GET (or HEAD) /metrics and /health; 405 for any other method. */
export async function serveOperational(
  pathname: string,
  method: string,
  response: ServerResponse,
  endpoints: OperationalEndpoints,
): Promise<void> {
  if (method !== 'GET' && method !== 'HEAD') {
    return sendJson(
      response,
      405,
      { message: `${method} is not allowed on ${pathname}; use GET` },
      { allow: 'GET' },
    );
  }
  if (pathname === '/metrics') {
    const { contentType, body } = await endpoints.metrics();
    if (!isWritable(response)) return;
    response.writeHead(200, { 'content-type': contentType, 'cache-control': 'no-store' });
    response.end(method === 'HEAD' ? undefined : body);
    return;
  }
  const { ok, body } = await endpoints.health();
  // 503 when a dependency fails, so that a load balancer or a script needs only the status.
  sendJson(response, ok ? 200 : 503, body, { 'cache-control': 'no-store' });
}
