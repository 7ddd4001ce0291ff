import { createHash } from 'node:crypto';
import type { HttpRequest, HttpResult } from './http.ts';

/** A strong entity tag of a JSON body: it changes exactly when the representation does. */
export function entityTag(body: unknown): string {
  return entityTagOfJson(JSON.stringify(body));
}

function entityTagOfJson(json: string): string {
  return `"${createHash('sha256').update(json).digest('base64url').slice(0, 27)}"`;
}

/** Whether an If-None-Match header names `etag` (or `*`), by the weak comparison RFC 9110 prescribes for it. */
export function matchesIfNoneMatch(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  const opaque = (tag: string) => tag.trim().replace(/^W\//, '');
  return header.split(',').some((tag) => tag.trim() === '*' || opaque(tag) === opaque(etag));
}

/** A JSON answer serialized and tagged once, to be sent to many requests (preparedResult). */
export interface PreparedJson {
  readonly body: unknown;
  readonly json: string;
  readonly etag: string;
  readonly cacheControl: string;
}

export function prepareJson(body: unknown, cacheControl: string): PreparedJson {
  const json = JSON.stringify(body);
  return { body, json, etag: entityTagOfJson(json), cacheControl };
}

/**
 * A 200 with the body, its ETag and Cache-Control; or, when the client already holds this very representation
 * (If-None-Match), a 304 with the same headers and no body.
 */
export function preparedResult(request: HttpRequest, prepared: PreparedJson): HttpResult {
  const headers = { etag: prepared.etag, 'cache-control': prepared.cacheControl };
  if (matchesIfNoneMatch(request.headers?.['if-none-match'], prepared.etag)) {
    return { statusCode: 304, body: undefined, headers };
  }
  return { statusCode: 200, body: prepared.body, json: prepared.json, headers };
}

/** preparedResult of a body prepared for this one request. */
export function cacheableJson(request: HttpRequest, body: unknown, cacheControl: string): HttpResult {
  return preparedResult(request, prepareJson(body, cacheControl));
}
