import { apiGet } from '../../../lib/api-client';
import type { Period } from '../../../utils/windows';
import { type ChartWindows, ChartWindowsSchema } from './schemas';

export interface ChartWindowsQuery {
  region: string;
  period: Period;
  /** Only windows starting strictly before this instant (the previous page's `next_before`). */
  before?: string;
  /** 1 to 168; the API's default is 24. */
  limit?: number;
}

/** A page of the windows that have a chart, newest first. */
export function getChartWindows(query: ChartWindowsQuery, signal?: AbortSignal): Promise<ChartWindows> {
  return apiGet('/v1/charts/windows', ChartWindowsSchema, {
    query: { region: query.region, period: query.period, before: query.before, limit: query.limit },
    signal,
  });
}
