import {
  authorizerContextSchema,
  formatRateLimit,
  rateWindowAt,
  secondsUntilWindowEnds,
} from '../domain/api-keys.ts';
import { errorResult, type HttpResult, jsonResult, unavailableResult } from '../domain/http/http.ts';
import type { Clock } from '../ports/clock.ts';
import type { RateLimiter } from '../ports/rate-limiter.ts';
import { UnavailableError } from '../ports/unavailable.ts';

export interface AdmissionPorts {
  readonly rateLimiter: RateLimiter;
  readonly clock: Clock;
}

export const WWW_AUTHENTICATE = 'Bearer realm="top-songs"';

/**
 * Admits a caller that the route's authorizer identified, within its key's rate limit: undefined when
 * admitted, else the answer (401 without an authorizer context, 403 for a key revoked since the authorizer
 * cached its answer, 429 over the limit, 503 when the limiter cannot count). Never admits a request it
 * could not check: a function reached without the authorizer (a misconfigured route) refuses everything.
 */
export async function admitApiCaller(
  authorizer: Readonly<Record<string, unknown>> | undefined,
  ports: AdmissionPorts,
): Promise<HttpResult | undefined> {
  const parsed = authorizerContextSchema.safeParse(authorizer);
  if (!parsed.success) {
    return jsonResult(
      401,
      { message: 'an API key is required: send Authorization: Bearer <key>' },
      { 'www-authenticate': WWW_AUTHENTICATE },
    );
  }
  const caller = parsed.data;
  const limit = { requests: caller.rateLimit, windowSeconds: caller.rateWindowSeconds };
  const now = ports.clock();
  let counted: Awaited<ReturnType<RateLimiter['countRequest']>>;
  try {
    counted = await ports.rateLimiter.countRequest(
      caller.keyId,
      rateWindowAt(now, limit.windowSeconds).start,
      now,
    );
  } catch (error) {
    // Anything else (a bug, a misconfiguration) is no reason to wait: it stays an error (500).
    if (!(error instanceof UnavailableError)) throw error;
    return unavailableResult(
      `the API key's rate could not be checked (${error.message}); retry the request`,
      error.retryAfterSeconds,
    );
  }
  if (!counted) return errorResult(403, `the API key "${caller.keyName}" is no longer in use`);
  if (counted.requests <= limit.requests) return undefined;
  const retryAfter = secondsUntilWindowEnds(counted.windowStart, limit.windowSeconds, now);
  return jsonResult(
    429,
    {
      message: `the API key "${caller.keyName}" is over its rate limit of ${formatRateLimit(limit)}; retry after ${retryAfter} s`,
      retry_after_seconds: retryAfter,
    },
    { 'retry-after': String(retryAfter) },
  );
}
