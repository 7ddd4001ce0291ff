import { apiGetOrNull } from '../../../lib/api-client';
import type { Genre } from '../../../utils/genres';
import type { Period } from '../../../utils/windows';
import { type Chart, ChartSchema } from './schemas';

export interface ChartQuery {
  region: string;
  period: Period;
  /** The window's start (RFC 3339); without it, the latest computed window. */
  start?: string;
  /** Only this genre's plays; without it, every play. */
  genre?: Genre;
}

/** The chart for `query`, or `null` when that chart has not been computed (HTTP 404). */
export function getChart(query: ChartQuery, signal?: AbortSignal): Promise<Chart | null> {
  return apiGetOrNull('/v1/charts', ChartSchema, {
    query: { region: query.region, period: query.period, start: query.start, genre: query.genre },
    signal,
  });
}
