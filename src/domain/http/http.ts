/** The HTTP methods the API's routes use (src/topology.ts declares the routes). */
export type HttpMethod = 'GET' | 'POST';

/** What a domain function behind an HTTP route sees of the request, and returns. */
export interface HttpRequest {
  readonly method: string;
  readonly path: string;
  readonly query: Readonly<Record<string, string | undefined>>;
  /** Header names in lower case, as API Gateway v2 hands them over. */
  readonly headers?: Readonly<Record<string, string | undefined>>;
  readonly body: string | undefined;
  /** What the route's authorizer said about the caller (API Gateway's `requestContext.authorizer.lambda`). */
  readonly authorizer?: Readonly<Record<string, unknown>> | undefined;
  /** API Gateway's id of this request (`requestContext.requestId`): what ties its events to later logs. */
  readonly requestId?: string | undefined;
}

export interface HttpResult {
  readonly statusCode: number;
  /** Sent as JSON; undefined sends no body (a 304). */
  readonly body: unknown;
  /** `body` already as JSON text, when the answer was prepared once for many requests (a cached chart). */
  readonly json?: string;
  readonly headers?: Readonly<Record<string, string>>;
}

export const jsonResult = (
  statusCode: number,
  body: unknown,
  headers?: Record<string, string>,
): HttpResult => (headers ? { statusCode, body, headers } : { statusCode, body });

export const errorResult = (
  statusCode: number,
  message: string,
  details?: Record<string, unknown>,
): HttpResult => jsonResult(statusCode, { message, ...details });

/** 503: the request may succeed later; `Retry-After` says when to try again. */
export const unavailableResult = (message: string, retryAfterSeconds: number): HttpResult =>
  jsonResult(503, { message }, { 'retry-after': String(retryAfterSeconds) });
