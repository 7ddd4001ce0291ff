/**
 * API keys for POST /v1/plays: their format, hashing, names and rate limits, and the context the
 * authorizer hands ingest. Pure rules; where keys are kept is the ApiKeyStore port's business.
 */
import { createHash, randomBytes } from 'node:crypto';
import { z } from 'zod';

/** `tsk_` and 43 base64url characters: 256 random bits, so a plain SHA-256 is a safe way to store it. */
const KEY_PATTERN = /^tsk_[A-Za-z0-9_-]{43}$/;
const KEY_BYTES = 32;
/** The characters of a key shown in lists: `tsk_` and 8 more (48 of the 256 bits, not enough to guess it). */
const PREFIX_LENGTH = 12;

export interface NewApiKey {
  /** The secret, shown to its owner once and never stored. */
  readonly key: string;
  readonly prefix: string;
  readonly hash: Buffer;
}

export function generateApiKey(): NewApiKey {
  const key = `tsk_${randomBytes(KEY_BYTES).toString('base64url')}`;
  return { key, prefix: key.slice(0, PREFIX_LENGTH), hash: hashApiKey(key) };
}

export function hashApiKey(key: string): Buffer {
  return createHash('sha256').update(key, 'utf8').digest();
}

export function isWellFormedApiKey(key: string): boolean {
  return KEY_PATTERN.test(key);
}

/** The key in an `Authorization: Bearer <key>` header (scheme case-insensitive), if it is one. */
export function bearerApiKey(authorization: string | undefined): string | undefined {
  const match = /^\s*bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
  const key = match?.[1];
  return key !== undefined && isWellFormedApiKey(key) ? key : undefined;
}

/** A letter, then up to 62 letters, digits, `.`, `_` or `-`: never all digits, so ids and names never clash. */
const NAME_PATTERN = /^[A-Za-z][A-Za-z0-9._-]{0,62}$/;

export function apiKeyNameProblem(name: string): string | undefined {
  return NAME_PATTERN.test(name)
    ? undefined
    : `"${name}" is not a valid key name: a letter, then up to 62 letters, digits, ".", "_" or "-"`;
}

export const rateWindows = { s: 1, min: 60, h: 3600 } as const;
export type RateWindowSeconds = (typeof rateWindows)[keyof typeof rateWindows];

/** At most `requests` requests per fixed window of `windowSeconds`. */
export interface RateLimit {
  readonly requests: number;
  readonly windowSeconds: RateWindowSeconds;
}

const unitNames: Record<string, keyof typeof rateWindows> = {
  s: 's',
  sec: 's',
  second: 's',
  m: 'min',
  min: 'min',
  minute: 'min',
  h: 'h',
  hour: 'h',
};

/** `600/min`, `10/s`, `5000/h` (or `/second`, `/minute`, `/hour`). */
export function parseRateLimit(text: string): RateLimit {
  const match = /^\s*(\d+)\s*\/\s*([a-z]+)\s*$/i.exec(text);
  const unit = match ? unitNames[match[2]!.toLowerCase()] : undefined;
  const requests = match ? Number(match[1]) : Number.NaN;
  if (!unit || !Number.isSafeInteger(requests) || requests < 1 || requests > 2_000_000_000) {
    throw new RangeError(
      `"${text}" is not a rate limit: expected requests per second, minute or hour, e.g. 600/min, 10/s, 5000/h`,
    );
  }
  return { requests, windowSeconds: rateWindows[unit] };
}

export function formatRateLimit(limit: RateLimit): string {
  const unit = Object.entries(rateWindows).find(([, seconds]) => seconds === limit.windowSeconds)?.[0];
  return `${limit.requests}/${unit ?? `${limit.windowSeconds}s`}`;
}

/** The fixed window `at` falls in: windows of `windowSeconds` aligned on the Unix epoch (so on UTC). */
export function rateWindowAt(at: Date, windowSeconds: number): { start: Date; end: Date } {
  const length = windowSeconds * 1000;
  const start = Math.floor(at.getTime() / length) * length;
  return { start: new Date(start), end: new Date(start + length) };
}

/** Whole seconds until the window ends, at least 1 (Retry-After counts in seconds). */
export function secondsUntilWindowEnds(windowStart: Date, windowSeconds: number, now: Date): number {
  const end = windowStart.getTime() + windowSeconds * 1000;
  return Math.max(1, Math.ceil((end - now.getTime()) / 1000));
}

/**
 * What the authorizer tells ingest about the caller (API Gateway's `requestContext.authorizer.lambda`):
 * primitives only, as simple responses carry them.
 */
export const authorizerContextSchema = z.object({
  keyId: z.string().regex(/^\d+$/),
  keyName: z.string(),
  rateLimit: z.number().int().positive(),
  rateWindowSeconds: z.union([z.literal(1), z.literal(60), z.literal(3600)]),
});
export type AuthorizerContext = z.infer<typeof authorizerContextSchema>;

export interface ActiveApiKey {
  readonly id: string;
  readonly name: string;
  readonly rateLimit: RateLimit;
}

export function authorizerContextOf(key: ActiveApiKey): AuthorizerContext {
  return {
    keyId: key.id,
    keyName: key.name,
    rateLimit: key.rateLimit.requests,
    rateWindowSeconds: key.rateLimit.windowSeconds,
  };
}
