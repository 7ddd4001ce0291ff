import { safeParse as parseContentType } from 'fast-content-type-parse';
import { INGEST_REQUEST_ID_HEADER } from '../domain/consumed-record.ts';
import {
  errorResult,
  type HttpRequest,
  type HttpResult,
  jsonResult,
  unavailableResult,
} from '../domain/http/http.ts';
import { type PlayEvent, playEventShape, validatePlayEvent } from '../domain/play-event.ts';
import type { Clock } from '../ports/clock.ts';
import { type Metrics, noMetrics } from '../ports/metrics.ts';
import type { RateLimiter } from '../ports/rate-limiter.ts';
import {
  type OutgoingMessage,
  type TransportPublisher,
  TransportUnavailableError,
} from '../ports/transport.ts';
import { admitApiCaller } from './admit-api-caller.ts';
import { countIngest, deliveryCounts, type IngestCountPorts, rejectionCounts } from './ingest-counts.ts';
import type { PlaysAcceptedBody } from './ingest-schemas.ts';

export const MAX_EVENTS_PER_REQUEST = 500;
export const MAX_BODY_BYTES = 1024 * 1024;

export interface IngestPorts extends IngestCountPorts {
  readonly transport: TransportPublisher;
  readonly topic: string;
  readonly regions: readonly string[];
  readonly clock: Clock;
  /** Counts each request against its API key's rate limit (the authorizer context names the key). */
  readonly rateLimiter: RateLimiter;
  /** Counts the events handed on and those that were not, by reason; none: not counted. */
  readonly metrics?: Metrics;
}

/**
 * POST /v1/plays: one event or `{"events": [...]}`, from a caller its API key's authorizer allowed,
 * within the key's rate limit. Valid events are handed to the transport, keyed by user so that one
 * listener's plays stay in order; invalid ones are reported by index and never block the rest. 202 only
 * once the transport holds the accepted events; 415 for a body that is not declared JSON.
 */
export async function ingestPlays(request: HttpRequest, ports: IngestPorts): Promise<HttpResult> {
  const refused = await admitApiCaller(request.authorizer, ports);
  if (refused) return refused;
  const body = request.body ?? '';
  const size = Buffer.byteLength(body);
  if (size > MAX_BODY_BYTES) {
    return errorResult(413, `body is ${size} bytes; the limit is ${MAX_BODY_BYTES} bytes`);
  }
  const mediaTypeProblem = unsupportedMediaType(request.headers?.['content-type']);
  if (mediaTypeProblem) return errorResult(415, mediaTypeProblem);
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch (error) {
    return errorResult(400, `body is not valid JSON: ${(error as Error).message}`);
  }
  const events = eventsOf(parsed);
  if (typeof events === 'string') return errorResult(400, events);

  const metrics = ports.metrics ?? noMetrics;
  const context = { regions: ports.regions, now: ports.clock() };
  // Each event carries the request's id (as a record header; in the Kinesis envelope on Kinesis).
  const correlation = request.requestId ? { [INGEST_REQUEST_ID_HEADER]: request.requestId } : undefined;
  // One pass, each event's message built as it is validated: this loop is ingest's own cost per event
  // (docs/benchmarks.md, "Ingest: where the time goes").
  const messages: OutgoingMessage[] = [];
  const rejected: PlaysAcceptedBody['rejected'] = [];
  const accepted: PlayEvent[] = [];
  for (let index = 0; index < events.length; index += 1) {
    const result = validatePlayEvent(events[index], context);
    if (!result.ok) {
      rejected.push({ index, errors: result.errors });
      metrics.count('plays_rejected', 1, { reason: rejectionReason(result.errors[0]?.field) });
    } else {
      accepted.push(result.value);
      const key = result.value.user_id;
      const value = JSON.stringify(result.value);
      messages.push(correlation ? { key, value, headers: correlation } : { key, value });
    }
  }
  const rejections = rejectionCounts(
    rejected.map(({ index, errors }) => ({
      event: events[index],
      reason: rejectionReason(errors[0]?.field),
    })),
    ports.regions,
    context.now,
  );
  if (messages.length === 0) {
    await countIngest([], rejections, ports);
    return errorResult(400, 'no valid events in the request', { accepted: 0, rejected });
  }
  try {
    await ports.transport.publish(ports.topic, messages);
  } catch (error) {
    metrics.count('plays_rejected', messages.length, { reason: 'transport_unavailable' });
    const retryAfter = error instanceof TransportUnavailableError ? error.retryAfterSeconds : 5;
    // Never half-taken: either none of the events were taken, or (a commit cut off) perhaps all; the
    // message says which. A retry is safe either way: charts count each event_id once.
    return unavailableResult(
      `the transport did not confirm the events (${(error as Error).message}); retry the request`,
      retryAfter,
    );
  }
  metrics.count('plays_accepted', messages.length);
  // Counted (GET /v1/pipeline) only once the transport acknowledged them: what a 503 refused is not.
  await countIngest(deliveryCounts(accepted), rejections, ports);
  return jsonResult(202, { accepted: messages.length, rejected } satisfies PlaysAcceptedBody);
}

/** The event's fields: a rejection names the first one at fault, a closed set of label values. */
const EVENT_FIELDS = new Set(Object.keys(playEventShape.shape));

/** `invalid_<field>` for a field of the event, else `invalid_event` (a whole-event problem, unknown keys). */
export function rejectionReason(field: string | undefined): string {
  return field !== undefined && EVENT_FIELDS.has(field) ? `invalid_${field}` : 'invalid_event';
}

/**
 * Why the body's Content-Type is not JSON, or undefined when it is. Only `application/json` (a `charset`
 * parameter, if any, UTF-8, as the body is read): a form or `text/plain` is what any web page may send
 * cross-site without a CORS preflight, so accepting them would let any page post plays.
 */
function unsupportedMediaType(header: string | undefined): string | undefined {
  const expected = 'send Content-Type: application/json';
  if (!header) return `the request has no Content-Type; ${expected}`;
  const { type, parameters } = parseContentType(header);
  const shown = JSON.stringify(header.length > 100 ? `${header.slice(0, 100)}…` : header);
  if (type !== 'application/json') return `Content-Type ${shown} is not supported; ${expected}`;
  const charset = parameters.charset?.toLowerCase();
  if (charset !== undefined && charset !== 'utf-8') {
    return `Content-Type ${shown}: the body must be UTF-8; ${expected} (charset=utf-8 or none)`;
  }
  return undefined;
}

/** The list of candidate events, or the reason the body has none. */
function eventsOf(parsed: unknown): unknown[] | string {
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    return 'body must be a play event object or {"events": [...]}';
  }
  if (!('events' in parsed)) return [parsed];
  const { events } = parsed as { events: unknown };
  if (!Array.isArray(events)) return '"events" must be an array of play events';
  if (events.length === 0) return '"events" must hold at least 1 event';
  if (events.length > MAX_EVENTS_PER_REQUEST) {
    return `"events" holds ${events.length} events; the limit is ${MAX_EVENTS_PER_REQUEST} per request`;
  }
  return events;
}
