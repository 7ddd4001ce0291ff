import { z } from 'zod';
import { readIsoInstant } from './iso-instant.ts';
import type { RegionList } from './regions.ts';

/** How far ahead of the server's clock a play may be stamped (client clock skew). */
export const MAX_FUTURE_SKEW_MS = 5 * 60 * 1000;
/** How old a play may be and still be accepted: the lake's late-data horizon. */
export const MAX_AGE_MS = 30 * 24 * 60 * 60 * 1000;
/** No single play lasts longer than a day; anything above is a broken client. */
export const MAX_MS_PLAYED = 24 * 60 * 60 * 1000;

/** A play as it is stored: `played_at` normalised to UTC. Field names are the lake's column names. */
export interface PlayEvent {
  readonly event_id: string;
  readonly user_id: string;
  readonly song_id: string;
  readonly region: string;
  readonly played_at: string;
  readonly ms_played: number;
  readonly device?: string | undefined;
  readonly session_id?: string | undefined;
}

export interface FieldError {
  readonly field: string;
  readonly message: string;
}

export type Validation<T> = { ok: true; value: T } | { ok: false; errors: FieldError[] };

export interface PlayValidationContext {
  readonly regions: RegionList;
  readonly now: Date;
}

/**
 * Unicode's control characters (general category Cc: the C0 controls, DEL and the C1 controls, ESC and NUL
 * among them): they would be stored and shown as sent.
 */
const CONTROL_CHARACTER = /\p{Cc}/u;
const CONTROL_CHARACTER_MESSAGE = 'must not contain control characters (U+0000–U+001F, U+007F–U+009F)';

/** Checked after trimming, so that whitespace controls around a value (a trailing tab) are only trimmed. */
const identifier = (max: number) =>
  z
    .string()
    .trim()
    .min(1, 'must not be empty')
    .max(max, `must be at most ${max} characters`)
    .refine((value) => !CONTROL_CHARACTER.test(value), CONTROL_CHARACTER_MESSAGE);

/**
 * The wire shape, independent of clock and configuration: the rules of region (configured) and played_at (against
 * the clock) are validatePlayEvent's.
 */
export const playEventShape = z.object({
  // Lower-cased, so that one event sent in two spellings still counts once.
  event_id: z
    .uuid({ error: (issue) => (issue.input === undefined ? 'is required' : 'must be a UUID') })
    .transform((id) => id.toLowerCase()),
  user_id: identifier(128),
  song_id: identifier(64),
  region: z.string().min(1, 'must not be empty'),
  played_at: z.iso.datetime({
    offset: true,
    error: (issue) =>
      issue.input === undefined
        ? 'is required'
        : 'must be an RFC 3339 timestamp with an offset, e.g. 2026-11-27T13:05:00Z',
  }),
  ms_played: z
    .number({ error: (issue) => (issue.input === undefined ? 'is required' : 'must be a number') })
    .int('must be an integer')
    .min(0, 'must be ≥ 0')
    .max(MAX_MS_PLAYED, `must be ≤ ${MAX_MS_PLAYED} (24 hours)`),
  device: identifier(64).optional(),
  session_id: identifier(128).optional(),
});

/** Hoisted: options built per call cost ~1 µs an event at ingest's rates (bench/ingest.ts, docs/benchmarks.md). */
const parseOptions = {
  error: (issue: { code?: string; input?: unknown }) =>
    issue.code === 'invalid_type' && issue.input === undefined ? 'is required' : undefined,
};

export function validatePlayEvent(input: unknown, context: PlayValidationContext): Validation<PlayEvent> {
  return validateCommonPlayEvent(input, context) ?? validatePlayEventFully(input, context);
}

/** Lower-case UUIDs of versions 1–8 (RFC 9562 variant): a subset of what z.uuid() accepts, unchanged by it. */
const CANONICAL_UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
/** Printable ASCII without spaces: nothing to trim, no control character. */
const PLAIN_IDENTIFIER = /^[\x21-\x7e]+$/;

const plainIdentifier = (value: unknown, max: number): value is string =>
  typeof value === 'string' && value.length <= max && PLAIN_IDENTIFIER.test(value);

/**
 * The fast path for what clients send nearly always: an event whose every field is already in its stored form
 * (lower-case UUID, identifiers with nothing to trim, played_at as toISOString writes it, with or without
 * milliseconds). It answers exactly what validatePlayEventFully would (test/unit/domain/play-event-fast.test.ts
 * checks that on generated events), in a fifth of the time; anything else, valid or not, goes to zod
 * (undefined). The event's fields in the schema's order, unknown keys dropped, as zod does.
 */
function validateCommonPlayEvent(
  input: unknown,
  context: PlayValidationContext,
): Validation<PlayEvent> | undefined {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) return undefined;
  const { event_id, user_id, song_id, region, played_at, ms_played, device, session_id } = input as Record<
    string,
    unknown
  >;
  if (
    typeof event_id !== 'string' ||
    !CANONICAL_UUID.test(event_id) ||
    !plainIdentifier(user_id, 128) ||
    !plainIdentifier(song_id, 64) ||
    typeof region !== 'string' ||
    !context.regions.includes(region) ||
    typeof ms_played !== 'number' ||
    !Number.isInteger(ms_played) ||
    ms_played < 0 ||
    ms_played > MAX_MS_PLAYED ||
    typeof played_at !== 'string' ||
    (played_at.length !== 24 && played_at.length !== 20)
  ) {
    return undefined;
  }
  if (device !== undefined && !plainIdentifier(device, 64)) return undefined;
  if (session_id !== undefined && !plainIdentifier(session_id, 128)) return undefined;
  // Present but undefined (not from JSON): zod keeps the key; let it answer.
  if ((device === undefined && 'device' in input) || (session_id === undefined && 'session_id' in input)) {
    return undefined;
  }
  const instant = readIsoInstant(played_at);
  if (!instant) return undefined;
  const lateness = context.now.getTime() - instant.ms;
  if (lateness < -MAX_FUTURE_SKEW_MS || lateness > MAX_AGE_MS) return undefined;
  const value: { -readonly [K in keyof PlayEvent]: PlayEvent[K] } = {
    event_id,
    user_id,
    song_id,
    region,
    played_at: instant.iso,
    ms_played,
  };
  if (device !== undefined) value.device = device as string;
  if (session_id !== undefined) value.session_id = session_id as string;
  return { ok: true, value };
}

/** Every rule with zod, and every problem of the event named. */
export function validatePlayEventFully(
  input: unknown,
  context: PlayValidationContext,
): Validation<PlayEvent> {
  const parsed = playEventShape.safeParse(input, parseOptions);
  const errors: FieldError[] = parsed.success
    ? []
    : parsed.error.issues.map((issue) => ({
        field: issue.path.length > 0 ? issue.path.join('.') : '(event)',
        message: issue.path.length > 0 ? issue.message : 'must be a JSON object',
      }));
  // The rules that depend on configuration and the clock, on every field that has the right shape,
  // so that one event's answer lists all of its problems.
  const reported = new Set(errors.map((error) => error.field));
  const fields = typeof input === 'object' && input !== null ? (input as Record<string, unknown>) : {};
  if (
    !reported.has('region') &&
    typeof fields.region === 'string' &&
    !context.regions.includes(fields.region)
  ) {
    errors.push({
      field: 'region',
      message: `unknown region "${fields.region}"; expected one of ${context.regions.join(', ')}`,
    });
  }
  if (!reported.has('played_at') && typeof fields.played_at === 'string') {
    const lateness = context.now.getTime() - Date.parse(fields.played_at);
    if (lateness < -MAX_FUTURE_SKEW_MS) {
      errors.push({ field: 'played_at', message: 'is more than 5 minutes in the future' });
    } else if (lateness > MAX_AGE_MS) {
      errors.push({ field: 'played_at', message: 'is older than 30 days' });
    }
  }
  if (!parsed.success || errors.length > 0) return { ok: false, errors };
  const event = parsed.data;
  return { ok: true, value: { ...event, played_at: new Date(event.played_at).toISOString() } };
}
