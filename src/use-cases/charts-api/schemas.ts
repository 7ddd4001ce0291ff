/**
 * The charts API's responses, declared once (docs/contracts.md, "HTTP API"): the endpoints build their bodies as
 * these types, the tests check real responses against them, and the OpenAPI document is generated from them
 * (src/use-cases/http-api/operations.ts).
 */
import { z } from 'zod';
import { chartStatuses, movements, periods } from '../../domain/charts.ts';
import type { ChartSummary } from '../../ports/chart-store.ts';

const Instant = z.iso.datetime().describe('an instant in UTC, RFC 3339 with milliseconds');
const Rank = z.int().min(1).max(100);
const Status = z
  .enum(chartStatuses)
  .describe(
    'provisional while the window is open; closing in the grace for late plays after its end; final after it',
  );
const Period = z.enum(periods);

export const RegionsResponse = z.strictObject({
  regions: z.array(z.string()),
  global: z.literal('global'),
});

export const ChartEntryResponse = z.strictObject({
  rank: Rank,
  song_id: z.string(),
  title: z.string().nullable().describe('null while the catalog does not know the song'),
  artist: z.string().nullable(),
  genre: z.string().nullable(),
  plays: z.int().positive(),
  previous_rank: Rank.nullable().describe(
    'its rank in the window just before in this region and period; null if it was not in that top 10',
  ),
  movement: z
    .enum(movements)
    .describe(
      'against the previous window; new: never in this top 10 before; re-entry: in it before, not just before',
    ),
  peak_rank: Rank.describe('its best rank in this region and period so far, this window included'),
  periods_on_chart: z
    .int()
    .positive()
    .describe('windows of this region and period in the top 10, this one included'),
});

/** What every chart window is, without its entries. */
export const WindowSummary = z.strictObject({
  window_start: Instant,
  window_end: Instant,
  status: Status,
  generated_at: Instant.describe('the instant the lake was read as of: every play written before it counts'),
  eligible_plays: z.int().nonnegative(),
  version: z
    .int()
    .positive()
    .describe('1, then one more each time late plays changed the chart after it was final (a restatement)'),
  restated_at: Instant.nullable().describe('when it was last restated; null while never restated'),
});

export const ChartResponse = z.strictObject({
  region: z.string(),
  period: Period,
  genre: z
    .string()
    .optional()
    .describe(
      "present when asked for: the chart counts this genre's plays only (the song's genre in the catalog)",
    ),
  ...WindowSummary.shape,
  source: z
    .enum(['live', 'lake'])
    .describe(
      'live: the running tallies of the live-chart function (a window open or closing); lake: computed from the lake by the chart jobs',
    ),
  as_of: Instant.describe(
    'how fresh the chart is: live, when the live-chart function last committed a batch (it counts every play it had read by then); lake, its generated_at',
  ),
  newest_play_at: Instant.optional().describe(
    'live only: the newest played_at the live tallies of this window hold (any region). A live-chart function that has fallen behind commits batches of older plays: as_of stays recent, and this shows how far behind the plays it is',
  ),
  entries: z.array(ChartEntryResponse),
});

export const ChartWindowsResponse = z.strictObject({
  region: z.string(),
  period: Period,
  windows: z.array(WindowSummary).describe('newest first'),
  next_before: Instant.nullable().describe(
    'pass as `before` for the next (older) page; null on the last page',
  ),
});

export const SongChartPoint = WindowSummary.pick({
  window_start: true,
  window_end: true,
  status: true,
}).extend({
  rank: Rank,
  plays: z.int().positive(),
});

export const SongRegionHistory = z.strictObject({
  region: z.string(),
  entries: z.array(SongChartPoint).describe('the windows it was in the top 10, oldest first'),
});

export const SongHistoryResponse = z.strictObject({
  song_id: z.string(),
  title: z.string().nullable(),
  artist: z.string().nullable(),
  genre: z.string().nullable(),
  period: Period,
  from: Instant.describe('start of the earliest window covered'),
  to: Instant.describe('end of the latest (current) window covered'),
  regions: z
    .array(SongRegionHistory)
    .describe(
      'global first, then the configured regions; each present even when the song never charted there',
    ),
});

export type ChartBody = z.infer<typeof ChartResponse>;
export type WindowSummaryBody = z.infer<typeof WindowSummary>;
export type ChartWindowsBody = z.infer<typeof ChartWindowsResponse>;
export type SongHistoryBody = z.infer<typeof SongHistoryResponse>;

/** A stored window as its summary in a body: instants as RFC 3339 text. */
export function windowSummaryBody(window: ChartSummary): WindowSummaryBody {
  return {
    window_start: window.window_start.toISOString(),
    window_end: window.window_end.toISOString(),
    status: window.status,
    generated_at: window.generated_at.toISOString(),
    eligible_plays: window.eligible_plays,
    version: window.version,
    restated_at: window.restated_at?.toISOString() ?? null,
  };
}
