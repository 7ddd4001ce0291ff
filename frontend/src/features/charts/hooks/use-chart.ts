import { useCallback } from 'react';
import { env } from '../../../config/env';
import { type ChartQuery, getChart } from '../api/get-chart';
import { usePolling } from './use-polling';

/** The latest chart for the selection, refreshed every `VITE_REFRESH_SECONDS`. */
export function useChart({ region, period }: ChartQuery) {
  const fetcher = useCallback(
    (signal: AbortSignal) => getChart({ region, period }, signal),
    [region, period],
  );
  return usePolling(`${region}|${period}`, fetcher, env.refreshSeconds * 1000);
}
