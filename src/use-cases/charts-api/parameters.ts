/** The charts API's parameters, their rules and their 400s, shared by its endpoints. */
import { z } from 'zod';
import { periods } from '../../domain/charts.ts';
import { errorResult, type HttpResult } from '../../domain/http/http.ts';
import { defaultRegions, GLOBAL_REGION } from '../../domain/regions.ts';

/** How long a client or cache may reuse an answer (docs/contracts.md, "Caching"). */
export const cachePolicy = {
  /**
   * A final chart changes rarely but may change at any time (a restatement by late plays, an earlier window's,
   * a song's title): caches keep it and ask whether it is still current (If-None-Match, a 304 without a body)
   * before each use, so nobody is shown a superseded chart.
   */
  final: 'public, no-cache',
  /** Anything that moves with the pipeline: the latest chart, a provisional one, lists and histories. */
  live: 'public, max-age=5',
  /** The API's own description changes only with a deployment. */
  document: 'public, max-age=300',
} as const;

/**
 * `make` of a list of regions, built once per list (the settings' one, in practice) rather than per request:
 * building a zod schema costs more than parsing with it.
 */
export function oncePerRegions<S>(
  make: (regions: readonly string[]) => S,
): (regions: readonly string[]) => S {
  const built = new WeakMap<readonly string[], S>();
  return (regions) => {
    let made = built.get(regions);
    if (made === undefined) {
      made = make(regions);
      built.set(regions, made);
    }
    return made;
  };
}

export const regionParameter = (regions: readonly string[]) => {
  const known = [GLOBAL_REGION, ...regions];
  return (
    z
      .string({ error: 'is required' })
      .refine((region) => known.includes(region), { error: `must be one of ${known.join(', ')}` })
      // The list is configured (REGIONS), so the API's description names no list, only examples.
      .meta({
        description: `${GLOBAL_REGION}, or one of the region codes of GET /v1/regions`,
        examples: [GLOBAL_REGION, defaultRegions[0]],
      })
  );
};

export const periodParameter = z.enum(periods, { error: 'must be hour or day' });

export const instantParameter = z.iso
  .datetime({ offset: true, error: 'must be an RFC 3339 timestamp, e.g. 2026-11-27T13:00:00Z' })
  .transform((instant) => new Date(instant))
  .meta({ description: 'an instant, RFC 3339 with an offset', examples: ['2026-11-27T13:00:00Z'] });

export const integerParameter = (min: number, max: number) => {
  const error = `must be an integer from ${min} to ${max}`;
  return (
    z
      .string()
      .regex(/^\d{1,6}$/, { error })
      .transform(Number)
      .pipe(z.number().min(min, { error }).max(max, { error }))
      // A query string carries text; what it describes is an integer, and that is what the API's description says.
      .meta({
        override: ({ jsonSchema }) => {
          delete jsonSchema.pattern;
          Object.assign(jsonSchema, { type: 'integer', minimum: min, maximum: max });
        },
      })
  );
};

/** The parsed parameters, or a 400 naming each bad one: `{"message", "errors": [{"field", "message"}]}`. */
export function parseParameters<T>(
  schema: z.ZodType<T>,
  input: unknown,
): { readonly ok: true; readonly value: T } | { readonly ok: false; readonly result: HttpResult } {
  const parsed = schema.safeParse(input);
  if (parsed.success) return { ok: true, value: parsed.data };
  const errors = parsed.error.issues.map((issue) => ({
    field: issue.path.join('.'),
    message: issue.message,
  }));
  const message = errors.map((error) => `${error.field} ${error.message}`).join('; ');
  return { ok: false, result: errorResult(400, message, { errors }) };
}
