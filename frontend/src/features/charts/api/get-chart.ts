import { apiGet, isApiError } from '../../../lib/api-client';
import { type Chart, ChartSchema, type Period } from './schemas';

export interface ChartQuery {
  region: string;
  period: Period;
}

/** The latest chart for `query`, or `null` when none has been computed yet (HTTP 404). */
export async function getChart(query: ChartQuery, signal?: AbortSignal): Promise<Chart | null> {
  try {
    return await apiGet('/v1/charts', ChartSchema, {
      query: { region: query.region, period: query.period },
      signal,
    });
  } catch (error) {
    if (isApiError(error) && error.kind === 'http' && error.status === 404) return null;
    throw error;
  }
}
