/** GET /v1/songs/{song_id}: a song's catalog data and its recent chart history per region, for a trend view. */
import { z } from 'zod';
import { type Period, recentWindows } from '../../domain/charts.ts';
import { cacheableJson } from '../../domain/http/conditional.ts';
import { errorResult, type HttpRequest, type HttpResult } from '../../domain/http/http.ts';
import { GLOBAL_REGION } from '../../domain/regions.ts';
import type { ChartsApiPorts } from '../serve-charts.ts';
import {
  cachePolicy,
  oncePerRegions,
  parseParameters,
  periodParameter,
  regionParameter,
} from './parameters.ts';
import type { SongHistoryBody } from './schemas.ts';

/** How many windows back a history reaches, the current one included: 48 hours, 60 days. */
export const HISTORY_WINDOWS: Readonly<Record<Period, number>> = { hour: 48, day: 60 };

const SONG_ID_ERROR = 'must be 1 to 64 characters';

/** The path of GET /v1/songs/{song_id}. */
export const songPath = z.object({
  song_id: z
    .string()
    .min(1, { error: SONG_ID_ERROR })
    .max(64, { error: SONG_ID_ERROR })
    .meta({ examples: ['song-000042'] }),
});

/** The query of GET /v1/songs/{song_id}, knowing `regions`. */
export const songHistoryQuery = (regions: readonly string[]) =>
  z.object({
    period: periodParameter,
    region: regionParameter(regions).optional().describe('only this region; without it, all of them'),
  });

const songHistoryParameters = oncePerRegions((regions) => songPath.extend(songHistoryQuery(regions).shape));

export async function serveSongHistory(
  request: HttpRequest,
  path: Readonly<Record<string, string>>,
  ports: ChartsApiPorts,
): Promise<HttpResult> {
  const parameters = parseParameters(songHistoryParameters(ports.regions), {
    ...request.query,
    song_id: path.song_id,
  });
  if (!parameters.ok) return parameters.result;
  const { song_id, period, region } = parameters.value;
  const span = recentWindows(period, HISTORY_WINDOWS[period], ports.clock());
  const history = await ports.charts.findSongHistory({ songId: song_id, period, since: span.start, region });
  if (!history) return errorResult(404, `no song ${song_id} in the catalog or in any chart`);
  const regions = region ? [region] : [GLOBAL_REGION, ...ports.regions];
  const body: SongHistoryBody = {
    ...history.song,
    period,
    from: span.start.toISOString(),
    to: span.end.toISOString(),
    regions: regions.map((name) => ({
      region: name,
      entries: history.entries
        .filter((entry) => entry.region === name && entry.window_start < span.end)
        .map((entry) => ({
          window_start: entry.window_start.toISOString(),
          window_end: entry.window_end.toISOString(),
          status: entry.status,
          rank: entry.rank,
          plays: entry.plays,
        })),
    })),
  };
  return cacheableJson(request, body, cachePolicy.live);
}
