/**
 * POST /v1/plays, declared once (docs/contracts.md, "HTTP API"): what it takes and what it answers. ingestPlays
 * builds its bodies as these types, and the OpenAPI document is generated from them (http-api/operations.ts).
 */
import { z } from 'zod';
import { playEventShape } from '../domain/play-event.ts';
import { FieldErrorResponse } from './http-api/responses.ts';
import { MAX_EVENTS_PER_REQUEST } from './ingest-plays.ts';

// Named by its own id: zod-openapi renders a component named in the document's list both ways, and a request
// schema with transforms has no output form.
export const PlayEventRequest = playEventShape.meta({
  id: 'PlayEvent',
  description:
    'one play; region must be a configured code (GET /v1/regions), played_at at most 5 minutes ahead and 30 days old',
});

export const PlaysRequest = z.union([
  PlayEventRequest,
  z.object({
    events: z
      .array(PlayEventRequest)
      .min(1)
      .max(MAX_EVENTS_PER_REQUEST)
      .describe('each is judged alone: an invalid one is rejected by its index and never blocks the others'),
  }),
]);

export const RejectedEventResponse = z.strictObject({
  index: z.int().nonnegative().describe('its position in events; 0 for a body of one event'),
  errors: z.array(FieldErrorResponse).min(1).describe('one per field at fault'),
});

export const PlaysAcceptedResponse = z.strictObject({
  accepted: z.int().positive().describe('events the transport now holds durably'),
  rejected: z.array(RejectedEventResponse),
});

export const PlaysRefusedResponse = z.strictObject({
  message: z.string(),
  accepted: z.literal(0).optional(),
  rejected: z.array(RejectedEventResponse).optional().describe('present when the events were checked'),
});

/** 429: the API key is over its rate limit (use-cases/admit-api-caller.ts). */
export const RateLimitedResponse = z.strictObject({
  message: z.string(),
  retry_after_seconds: z
    .int()
    .positive()
    .describe("seconds until the key's window ends; Retry-After says the same"),
});

export type PlaysAcceptedBody = z.infer<typeof PlaysAcceptedResponse>;
