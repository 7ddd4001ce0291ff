/**
 * The song catalog as a whole: where a version came from (the metadata written into its Parquet file), and
 * the rules a chat model's answer must follow (the schema of its structured output).
 */
import { z } from 'zod';
import { genres } from './song.ts';

/** `openai`: a chat model wrote it; `seeded`: the word-list generator (no key, or asked for). */
export const catalogSources = ['seeded', 'openai'] as const;
export type CatalogSource = (typeof catalogSources)[number];

/** What a catalog file says about itself (Parquet key-value metadata `top_songs.catalog`, as JSON). */
export interface CatalogMetadata {
  /** The version's name, its generation time: `2026-01-15T10-30-00.123Z` (sorts as time does). */
  readonly version: string;
  readonly source: CatalogSource;
  /** The chat model that answered, for `openai`; null for `seeded`. */
  readonly model: string | null;
  /** The seed, for `seeded`; null for `openai`. */
  readonly seed: number | null;
  /** RFC 3339, UTC. */
  readonly generated_at: string;
  readonly songs: number;
  /** The regions the songs' home regions were chosen from. */
  readonly regions: readonly string[];
}

export const catalogMetadataSchema = z.object({
  version: z.string().min(1),
  source: z.enum(catalogSources),
  model: z.string().nullable(),
  seed: z.number().int().nullable(),
  generated_at: z.string(),
  songs: z.number().int().nonnegative(),
  regions: z.array(z.string()),
}) satisfies z.ZodType<CatalogMetadata>;

/** The version name of a catalog generated at `at`: its instant, with `:` (awkward in paths) as `-`. */
export function catalogVersionAt(at: Date): string {
  return at.toISOString().replaceAll(':', '-');
}

/** The limits the model's songs must respect. */
export const songLimits = {
  /** Oldest release year accepted; the newest is the current year. */
  firstReleaseYear: 1900,
  durationSeconds: { min: 30, max: 1200 },
  popularity: { min: 1, max: 100 },
  text: { max: 200 },
} as const;

/**
 * The structured output asked of the model for one batch: `{songs: [...]}`, at most `maxSongs` of them,
 * every field required (strict structured output has no optional fields), genres and home regions from the
 * fixed lists. The same schema validates the answer: a model that ignores it is refused.
 */
export function songBatchSchema(options: {
  readonly regions: readonly string[];
  readonly maxSongs: number;
  readonly currentYear: number;
}) {
  const regions = options.regions as [string, ...string[]];
  // Strict structured output knows `pattern` but not minLength/maxLength: the length is checked by zod only.
  const text = (description: string) =>
    z
      .string()
      .regex(/\S/, 'must not be blank')
      .refine((value) => value.length <= songLimits.text.max, `at most ${songLimits.text.max} characters`)
      .describe(description);
  const song = z.object({
    title: text('The song title, as released'),
    artist: text('The main artist or band'),
    genre: z.enum(genres).describe('The closest genre of the list'),
    language: z
      .string()
      .regex(/^[a-z]{2,3}$/)
      .describe('ISO 639-1 code of the main language of the lyrics, e.g. en, es, pt, ja, hi; zxx if none'),
    release_year: z.number().int().min(songLimits.firstReleaseYear).max(options.currentYear),
    duration_seconds: z
      .number()
      .int()
      .min(songLimits.durationSeconds.min)
      .max(songLimits.durationSeconds.max),
    home_regions: z
      .array(z.enum(regions))
      .describe('Regions where the song is much more popular than elsewhere; empty if popular everywhere'),
    popularity: z
      .number()
      .int()
      .min(songLimits.popularity.min)
      .max(songLimits.popularity.max)
      .describe('How much it is streamed today: 100 a global hit, 50 well known, 1 obscure'),
  });
  return z.object({ songs: z.array(song).min(1).max(options.maxSongs) });
}

export type SongBatch = z.infer<ReturnType<typeof songBatchSchema>>;
export type GeneratedSong = SongBatch['songs'][number];
