/**
 * The song history the trend view reads (`GET /v1/songs/{song_id}`): the same shape as the server's
 * (src/use-cases/charts-api/schemas.ts, docs/contracts.md), checked by test/unit/frontend/api-schemas.test.ts,
 * lenient about fields a newer API adds. Imports carry their `.ts` extension: that test imports this file under Node.
 */
import { z } from 'zod';
import { periods } from '../../../utils/windows.ts';

const Instant = z.iso.datetime();

export const SongChartPointSchema = z.object({
  window_start: Instant,
  window_end: Instant,
  status: z.enum(['provisional', 'closing', 'final']),
  rank: z.int().min(1).max(100),
  plays: z.int().positive(),
});
export type SongChartPoint = z.infer<typeof SongChartPointSchema>;

export const SongHistorySchema = z.object({
  song_id: z.string(),
  title: z.string().nullable(),
  artist: z.string().nullable(),
  genre: z.string().nullable(),
  period: z.enum(periods),
  from: Instant,
  to: Instant,
  regions: z.array(z.object({ region: z.string(), entries: z.array(SongChartPointSchema) })),
});
export type SongHistory = z.infer<typeof SongHistorySchema>;
