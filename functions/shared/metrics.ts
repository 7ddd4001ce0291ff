import type { MiddlewareObj, Request } from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { Metrics } from '../../src/ports/metrics.ts';
import { dependencies } from '../../src/wiring/dependencies.ts';

/**
 * Flushes what the invocation recorded when it ends, answered or failed (EMF: one log line per label set;
 * locally nothing, Prometheus scrapes). Every function uses it, outermost, so that it sees the final answer.
 * Never fails the invocation: metrics are not worth an error of their own.
 */
export function flushMetrics(metrics: () => Metrics = () => dependencies().metrics): MiddlewareObj {
  const flush = () => {
    try {
      metrics().flush();
    } catch {
      // Settings that do not load fail the handler itself, with the reason; nothing to add here.
    }
  };
  return { after: flush, onError: flush };
}

type HttpRequestCycle = Request<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2>;

/**
 * API latency by route and status: from the event to the answer, including one that httpErrorHandler made of an
 * error (a 500), so it must come before httpMiddlewares. The route is API Gateway's route key (`GET
 * /v1/songs/{song_id}`), the template and not the path: one label value per declared route.
 */
export function httpMetrics(
  metrics: () => Metrics = () => dependencies().metrics,
): MiddlewareObj<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2> {
  const started = new WeakMap<object, number>();
  const record = (request: HttpRequestCycle) => {
    const start = started.get(request);
    if (start === undefined) return;
    const route = request.event.routeKey || 'unknown';
    const status = request.response?.statusCode ?? (request.error ? 500 : 200);
    try {
      const sink = metrics();
      sink.observe('api_request_duration_seconds', (performance.now() - start) / 1000, {
        route,
        status: String(status),
      });
      if (status >= 500) sink.count('api_server_errors', 1, { route });
    } catch {
      // As in flushMetrics: never an error of its own.
    }
  };
  return {
    before: (request) => {
      started.set(request, performance.now());
    },
    after: record,
    onError: record,
  };
}
