/**
 * The local API Gateway's authorizer step: what an HTTP API does with a route that names a Lambda
 * authorizer (payload 2.0, simple responses), before it invokes the route's function.
 *
 * - a request missing an identity header (or with it empty) gets 401 `{"message":"Unauthorized"}`, and the
 *   authorizer is not invoked;
 * - otherwise the authorizer is invoked with the REQUEST event, unless an answer for the same identity
 *   values is cached (allow and deny alike, for the trigger's TTL);
 * - `isAuthorized: false` gets 403 `{"message":"Forbidden"}`; an authorizer that fails, times out or answers
 *   in another shape gets 500 `{"message":"Internal Server Error"}`, not cached;
 * - `isAuthorized: true` invokes the route's function with the answer's context in
 *   `requestContext.authorizer.lambda`.
 */
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { Clock } from '../src/ports/clock.ts';
import { type FunctionDeclaration, type FunctionName, routeAuthorizer } from '../src/topology.ts';
import { logger } from '../src/wiring/logger.ts';
import { apiGatewayAuthorizerEvent } from './lambda-events.ts';

export type Invoke = (name: FunctionName, event: unknown) => Promise<unknown>;

interface Answer {
  readonly isAuthorized: boolean;
  readonly context: Readonly<Record<string, unknown>> | null;
}

/** Enough for any local use; a flood of made-up keys cannot grow the cache beyond it. */
const MAX_CACHED_ANSWERS = 10_000;

const gatewayError = (statusCode: number, message: string): APIGatewayProxyStructuredResultV2 => ({
  statusCode,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ message }),
});

export interface GatewayAuthorizer {
  /** Invokes an HTTP-triggered function with `event` as API Gateway would: through its route's authorizer. */
  invokeRoute(fn: FunctionDeclaration, event: APIGatewayProxyEventV2): Promise<unknown>;
}

export function createGatewayAuthorizer(invoke: Invoke, clock: Clock = () => new Date()): GatewayAuthorizer {
  const cache = new Map<string, Answer & { readonly expiresAt: number }>();

  const remember = (key: string, answer: Answer, ttlSeconds: number) => {
    if (ttlSeconds <= 0) return;
    const now = clock().getTime();
    if (cache.size >= MAX_CACHED_ANSWERS) {
      for (const [cachedKey, cached] of cache) if (cached.expiresAt <= now) cache.delete(cachedKey);
      // Still full: drop the oldest answers (a Map iterates in insertion order).
      for (const cachedKey of cache.keys()) {
        if (cache.size < MAX_CACHED_ANSWERS) break;
        cache.delete(cachedKey);
      }
    }
    cache.set(key, { ...answer, expiresAt: now + ttlSeconds * 1000 });
  };

  const cached = (key: string): Answer | undefined => {
    const found = cache.get(key);
    if (found && found.expiresAt > clock().getTime()) return found;
    cache.delete(key);
    return undefined;
  };

  return {
    async invokeRoute(fn, event) {
      const authorizer = authorizerOfRoute(fn, event.routeKey);
      if (!authorizer) return invoke(fn.name, event);

      const { identityHeaders, resultsCacheTtlSeconds } = authorizer.trigger;
      const identity = identityHeaders.map((name) => event.headers?.[name.toLowerCase()] ?? '');
      if (identity.some((value) => value === '')) return gatewayError(401, 'Unauthorized');

      const cacheKey = JSON.stringify([authorizer.name, identity]);
      let answer = cached(cacheKey);
      if (!answer) {
        try {
          answer = simpleResponse(await invoke(authorizer.name, apiGatewayAuthorizerEvent(event, identity)));
        } catch (error) {
          logger.error('authorizer failed; answering 500 as API Gateway does', {
            authorizer: authorizer.name,
            reason: (error as Error).message,
          });
          return gatewayError(500, 'Internal Server Error');
        }
        remember(cacheKey, answer, resultsCacheTtlSeconds);
      }
      if (!answer.isAuthorized) return gatewayError(403, 'Forbidden');
      return invoke(fn.name, {
        ...event,
        requestContext: { ...event.requestContext, authorizer: { lambda: answer.context } },
      });
    },
  };
}

/** The authorizer in front of the function's route `routeKey` (`POST /v1/plays`), if any. */
export function authorizerOfRoute(fn: FunctionDeclaration, routeKey: string | undefined) {
  if (fn.trigger.kind !== 'http') return undefined;
  const route = fn.trigger.routes.find((candidate) => `${candidate.method} ${candidate.path}` === routeKey);
  return route && routeAuthorizer(route);
}

/** A simple response, or an error: API Gateway takes nothing else (a truthy string is not `true`). */
function simpleResponse(response: unknown): Answer {
  const { isAuthorized, context } = (response ?? {}) as { isAuthorized?: unknown; context?: unknown };
  if (typeof isAuthorized !== 'boolean') {
    throw new Error(`the authorizer answered ${JSON.stringify(response)}, not {isAuthorized: boolean}`);
  }
  if (context !== undefined && context !== null && (typeof context !== 'object' || Array.isArray(context))) {
    throw new Error(`the authorizer's context is ${JSON.stringify(context)}, not an object`);
  }
  return { isAuthorized, context: (context as Record<string, unknown> | undefined) ?? null };
}
