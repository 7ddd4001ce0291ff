import type { IncomingMessage } from 'node:http';
import { CORS_ALLOWED_HEADERS, CORS_MAX_AGE_SECONDS, corsOriginsFor } from '../../src/domain/http/cors.ts';
import type { HttpMethod } from '../../src/topology.ts';

/** What the local server answers for CORS, as API Gateway does for the deployed API. */
export interface CorsAnswer {
  readonly status: number;
  readonly headers: Record<string, string>;
  /** A JSON body, for a refusal. */
  readonly body?: { readonly message: string };
}

/** The CORS headers of the answer to a request from a page of `origin` (none when it may not call the route). */
export function corsHeaders(
  origin: string | undefined,
  method: HttpMethod,
  ingestOrigins: readonly string[],
): Record<string, string> {
  if (origin === undefined) return {};
  const allowed = corsOriginsFor(method, ingestOrigins);
  if (allowed.includes('*')) return { 'access-control-allow-origin': '*' };
  // The answer depends on the origin: caches must keep one per origin.
  if (allowed.includes(origin)) return { 'access-control-allow-origin': origin, vary: 'origin' };
  return { vary: 'origin' };
}

/**
 * OPTIONS on a route's path: a browser's preflight (`Origin` and `Access-Control-Request-Method`) gets 204
 * with the CORS headers when that origin may use that method there, else a JSON 403 (or 405 for a method
 * the path does not have); a plain OPTIONS gets the path's methods.
 */
export function answerOptions(
  request: IncomingMessage,
  path: string,
  methods: readonly HttpMethod[],
  ingestOrigins: readonly string[],
): CorsAnswer {
  const allow = [...methods, 'OPTIONS'].join(', ');
  const origin = request.headers.origin;
  const requested = request.headers['access-control-request-method'];
  if (origin === undefined || requested === undefined) return { status: 204, headers: { allow } };
  const method = methods.find((candidate) => candidate === requested);
  if (!method) {
    return {
      status: 405,
      headers: { allow },
      body: { message: `${requested} is not allowed on ${path}; use ${methods.join(', ')}` },
    };
  }
  const granted = corsHeaders(origin, method, ingestOrigins);
  if (!granted['access-control-allow-origin']) {
    return {
      status: 403,
      headers: granted,
      body: {
        message: `pages of ${origin} may not call ${method} ${path} (cross-origin ingest is allowed only from INGEST_CORS_ORIGINS)`,
      },
    };
  }
  return {
    status: 204,
    headers: {
      ...granted,
      'access-control-allow-methods': method,
      'access-control-allow-headers': CORS_ALLOWED_HEADERS.join(', '),
      'access-control-max-age': String(CORS_MAX_AGE_SECONDS),
    },
  };
}
