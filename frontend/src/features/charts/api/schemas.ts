import { z } from 'zod';

export const periods = ['hour', 'day'] as const;
export const PeriodSchema = z.enum(periods);
export type Period = z.infer<typeof PeriodSchema>;

export const GLOBAL_REGION = 'global';

export const RegionsResponseSchema = z.object({
  regions: z.array(z.string().min(1)),
});
export type RegionsResponse = z.infer<typeof RegionsResponseSchema>;

/** Catalog fields may be null (or absent) while a song is not in the catalog yet. */
const optionalText = z
  .string()
  .nullish()
  .transform((value) => value ?? null);

export const ChartEntrySchema = z.object({
  rank: z.number().int().min(1),
  song_id: z.string().min(1),
  title: optionalText,
  artist: optionalText,
  genre: optionalText,
  plays: z.number().int().min(0),
});
export type ChartEntry = z.infer<typeof ChartEntrySchema>;

export const ChartStatusSchema = z.enum(['provisional', 'final']);
export type ChartStatus = z.infer<typeof ChartStatusSchema>;

export const ChartSchema = z.object({
  region: z.string().min(1),
  period: PeriodSchema,
  window_start: z.iso.datetime({ offset: true }),
  window_end: z.iso.datetime({ offset: true }),
  status: ChartStatusSchema,
  generated_at: z.iso.datetime({ offset: true }),
  eligible_plays: z.number().int().min(0),
  entries: z.array(ChartEntrySchema),
});
export type Chart = z.infer<typeof ChartSchema>;
