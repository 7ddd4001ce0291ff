import { useCallback } from 'react';
import { getConfig } from '../../../config/config';
import { usePolling } from '../../../hooks/use-polling';
import { ApiError } from '../../../lib/api-client';
import type { Genre } from '../../../utils/genres';
import { GLOBAL_REGION } from '../../../utils/regions';
import type { Period } from '../../../utils/windows';
import { getChart } from '../api/get-chart';
import type { Chart } from '../api/schemas';

export interface RegionChart {
  region: string;
  /** The chart; null when that region has none for the window; undefined when it failed (see `error`). */
  chart: Chart | null | undefined;
  error: ApiError | undefined;
}

/**
 * The same window's chart in every region (global first), for the comparison: one request per region, each
 * failing on its own, so one region's error does not hide the others.
 */
export function useRegionComparison(
  regions: readonly string[],
  period: Period,
  start: string | null,
  genre: Genre | undefined,
) {
  // A string, so that a new but equal region list does not start the polling anew.
  const names = [GLOBAL_REGION, ...regions.filter((region) => region !== GLOBAL_REGION)].join(',');
  const key = start === null ? null : `${period}|${start}|${genre ?? 'all'}|${names}`;
  const fetcher = useCallback(
    async (signal: AbortSignal): Promise<RegionChart[]> => {
      const regionList = names.split(',');
      const results = await Promise.allSettled(
        regionList.map((region) => getChart({ region, period, start: start ?? undefined, genre }, signal)),
      );
      if (signal.aborted) throw new ApiError('network', 0, 'aborted');
      return results.map((result, index) => ({
        region: regionList[index] ?? '',
        chart: result.status === 'fulfilled' ? result.value : undefined,
        error:
          result.status === 'rejected'
            ? result.reason instanceof ApiError
              ? result.reason
              : new ApiError('network', 0, 'Could not reach the charts API.')
            : undefined,
      }));
    },
    [names, period, start, genre],
  );
  return usePolling(key, fetcher, getConfig().refreshSeconds * 1000);
}
