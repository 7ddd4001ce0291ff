/**
 * What the routes of the HTTP API share in their answers: the error shape and the headers of caching and of
 * retrying, as zod schemas (docs/contracts.md, "HTTP API"). The routes' own bodies are beside their use cases.
 */
import { z } from 'zod';

export const FieldErrorResponse = z.strictObject({
  field: z.string().describe('the parameter or field at fault, e.g. region, played_at'),
  message: z.string(),
});

/** Every 4xx and 5xx: a message a person can act on, and for bad parameters one error per field. */
export const ErrorResponse = z.strictObject({
  message: z.string().describe('what was wrong, naming each bad parameter'),
  errors: z.array(FieldErrorResponse).optional(),
});

/** The headers of a 200 that a client may cache, and of the 304 that confirms it (domain/http/conditional.ts). */
export const CacheHeaders = z.object({
  ETag: z.string().describe('a strong entity tag of the body: send it back in If-None-Match'),
  'Cache-Control': z.string().describe('how long a client or cache may reuse the answer'),
});

/** The headers of a cacheable 200: those of caching, and the body's size (the local server and API Gateway alike). */
export const CachedBodyHeaders = CacheHeaders.extend({
  'Content-Length': z
    .string()
    .regex(/^\d+$/)
    .describe('the size of the body in bytes: the body is sent whole, never chunked'),
});

/** The request header that turns an unchanged answer into a 304 without a body. */
export const ConditionalRequestHeaders = z.object({
  'If-None-Match': z
    .string()
    .optional()
    .describe('the ETag of a copy the client holds (or *): a 304 without a body when it is still current'),
});

/** A 503: the request may succeed later. */
export const RetryHeaders = z.object({
  'Retry-After': z.string().regex(/^\d+$/).describe('seconds to wait before retrying'),
});

/** A 401 may say how to authenticate (ingest's own does; API Gateway's, for a missing header, does not). */
export const ChallengeHeaders = z.object({
  'WWW-Authenticate': z.string().optional().describe('how to authenticate: Bearer realm="top-songs"'),
});
