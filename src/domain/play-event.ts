import { z } from 'zod';
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

export function validatePlayEvent(input: unknown, context: PlayValidationContext): Validation<PlayEvent> {
  const parsed = playEventShape.safeParse(input, {
    error: (issue) =>
      issue.code === 'invalid_type' && issue.input === undefined ? 'is required' : undefined,
  });
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
