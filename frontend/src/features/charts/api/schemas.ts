/**
 * The charts API's responses as the dashboard reads them: the same shapes as the server's
 * (src/use-cases/charts-api/schemas.ts, docs/contracts.md), checked field by field by
 * test/unit/frontend/api-schemas.test.ts. Unlike the server's, they let unknown fields through, so a newer API
 * that adds a field does not break a deployed dashboard.
 *
 * Imports carry their `.ts` extension: that test imports this file under Node.
 */
import { z } from 'zod';
import { periods } from '../../../utils/windows.ts';

const Instant = z.iso.datetime();
const Rank = z.int().min(1).max(100);

export const PeriodSchema = z.enum(periods);

export const ChartStatusSchema = z.enum(['provisional', 'closing', 'final']);
export type ChartStatus = z.infer<typeof ChartStatusSchema>;

export const movements = ['up', 'down', 'same', 'new', 're-entry'] as const;
export type Movement = (typeof movements)[number];

export const RegionsResponseSchema = z.object({
  regions: z.array(z.string()),
  global: z.literal('global'),
});

export const ChartEntrySchema = z.object({
  rank: Rank,
  song_id: z.string(),
  title: z.string().nullable(),
  artist: z.string().nullable(),
  genre: z.string().nullable(),
  plays: z.int().positive(),
  previous_rank: Rank.nullable(),
  movement: z.enum(movements),
  peak_rank: Rank,
  periods_on_chart: z.int().positive(),
});
export type ChartEntry = z.infer<typeof ChartEntrySchema>;

const WindowSummarySchema = z.object({
  window_start: Instant,
  window_end: Instant,
  status: ChartStatusSchema,
  generated_at: Instant,
  eligible_plays: z.int().nonnegative(),
  version: z.int().positive(),
  restated_at: Instant.nullable(),
});
export type WindowSummary = z.infer<typeof WindowSummarySchema>;

export const ChartSchema = z.object({
  region: z.string(),
  period: PeriodSchema,
  /** Present on a genre's chart (`?genre=`). */
  genre: z.string().optional(),
  ...WindowSummarySchema.shape,
  /** live: the live-chart function's running tallies (an open or closing window); lake: the chart jobs'. */
  source: z.enum(['live', 'lake']),
  /** How fresh the chart is: what "updated 3 s ago" counts from. */
  as_of: Instant,
  /** Live only: the newest play the live tallies hold; far before `as_of`, the live chart is behind the plays. */
  newest_play_at: Instant.optional(),
  entries: z.array(ChartEntrySchema),
});
export type Chart = z.infer<typeof ChartSchema>;

export const ChartWindowsSchema = z.object({
  region: z.string(),
  period: PeriodSchema,
  windows: z.array(WindowSummarySchema),
  next_before: Instant.nullable(),
});
export type ChartWindows = z.infer<typeof ChartWindowsSchema>;
