import { useCallback, useState } from 'react';
import { getConfig } from '../../../config/config';
import { usePolling } from '../../../hooks/use-polling';
import { type ChartQuery, getChart } from '../api/get-chart';

/**
 * How often a live chart (`source: live`) is asked for again: the API keeps a chart's answer for 2 s
 * (CHARTS_API_LIVE_CACHE_MS), so asking more often would only get the same answer (an ETag match, no body).
 */
export const LIVE_REFRESH_MS = 2_000;

/**
 * The chart for `query` (the latest without a `start`), refreshed every `refreshSeconds`, or every
 * LIVE_REFRESH_MS while it is live (short polling: docs/decisions.md, "Live charts on the dashboard"); `null`
 * fetches nothing. A final chart's answer is cacheable for an hour, so its refreshes cost no request.
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
  const [live, setLive] = useState(false);
  const polled = usePolling(key, fetcher, live ? LIVE_REFRESH_MS : getConfig().refreshSeconds * 1000);
  const nowLive = polled.data?.source === 'live';
  if (nowLive !== live) setLive(nowLive);
  return polled;
}
