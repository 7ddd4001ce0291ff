import { createHash } from 'node:crypto';
import type { HttpRequest, HttpResult } from './http.ts';

/** A strong entity tag of a JSON body: it changes exactly when the representation does. */
export function entityTag(body: unknown): string {
  return `"${createHash('sha256').update(JSON.stringify(body)).digest('base64url').slice(0, 27)}"`;
}

/** Whether an If-None-Match header names `etag` (or `*`), by the weak comparison RFC 9110 prescribes for it. */
export function matchesIfNoneMatch(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  const opaque = (tag: string) => tag.trim().replace(/^W\//, '');
  return header.split(',').some((tag) => tag.trim() === '*' || opaque(tag) === opaque(etag));
}

/**
 * A 200 with the body, its ETag and the given Cache-Control; or, when the client already holds this very
 * representation (If-None-Match), a 304 with the same headers and no body.
 */
export function cacheableJson(request: HttpRequest, body: unknown, cacheControl: string): HttpResult {
  const etag = entityTag(body);
  const headers = { etag, 'cache-control': cacheControl };
  if (matchesIfNoneMatch(request.headers?.['if-none-match'], etag)) {
    return { statusCode: 304, body: undefined, headers };
  }
  return { statusCode: 200, body, headers };
}
