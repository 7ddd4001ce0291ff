import { useCallback } from 'react';
import { getConfig } from '../../../config/config';
import { usePolling } from '../../../hooks/use-polling';
import { type ChartQuery, getChart } from '../api/get-chart';

/**
 * The chart for `query` (the latest without a `start`), refreshed every `refreshSeconds`; `null` fetches
 * nothing. A final chart's answer is cacheable for an hour, so its refreshes cost no request.
 */
export function useChart(query: ChartQuery | null) {
  const region = query?.region;
  const period = query?.period;
  const start = query?.start;
  const genre = query?.genre;
  const fetcher = useCallback(
    (signal: AbortSignal) => {
      if (!region || !period) throw new Error('useChart fetched without a query');
      return getChart({ region, period, start, genre }, signal);
    },
    [region, period, start, genre],
  );
  const key = query ? `${region}|${period}|${start ?? 'latest'}|${genre ?? 'all'}` : null;
  return usePolling(key, fetcher, getConfig().refreshSeconds * 1000);
}
