import { useCallback } from 'react';
import { getConfig } from '../../../config/config';
import { type ChartQuery, getChart } from '../api/get-chart';
import { usePolling } from './use-polling';

/** The latest chart for the selection, refreshed every `refreshSeconds` (config.json or VITE_). */
export function useChart({ region, period }: ChartQuery) {
  const fetcher = useCallback(
    (signal: AbortSignal) => getChart({ region, period }, signal),
    [region, period],
  );
  return usePolling(`${region}|${period}`, fetcher, getConfig().refreshSeconds * 1000);
}
