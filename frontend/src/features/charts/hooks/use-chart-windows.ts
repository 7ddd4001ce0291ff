import { useCallback } from 'react';
import { getConfig } from '../../../config/config';
import { usePolling } from '../../../hooks/use-polling';
import type { Period } from '../../../utils/windows';
import { getChartWindows } from '../api/get-chart-windows';

/** How many windows the history strip shows: as far back as a song's trend reaches (48 hours, 60 days). */
const RECENT_WINDOWS: Readonly<Record<Period, number>> = { hour: 48, day: 60 };

/** The most recent windows that have a chart, newest first, refreshed with the chart. */
export function useChartWindows(region: string, period: Period) {
  const fetcher = useCallback(
    (signal: AbortSignal) => getChartWindows({ region, period, limit: RECENT_WINDOWS[period] }, signal),
    [region, period],
  );
  return usePolling(`${region}|${period}`, fetcher, getConfig().refreshSeconds * 1000);
}
