import type { HttpMethod } from './http.ts';

/**
 * Who may call the HTTP API from a web page on another origin, in every runtime: the routes that only read
 * (GET: charts, regions) any page; the routes that write (POST /v1/plays) only pages of the configured
 * origins, none by default (INGEST_CORS_ORIGINS locally, `ingestCorsOrigins` in the CDK app).
 */
export function corsOriginsFor(method: HttpMethod, ingestOrigins: readonly string[]): readonly string[] {
  return method === 'GET' ? ['*'] : ingestOrigins;
}

/**
 * Request headers a page on another origin may send (a preflight's Access-Control-Allow-Headers): a page of
 * an ingest origin posts plays with its API key (`Authorization: Bearer`).
 */
export const CORS_ALLOWED_HEADERS: readonly string[] = ['content-type', 'authorization'];

/** How long a browser may reuse a preflight's answer. */
export const CORS_MAX_AGE_SECONDS = 600;
