import { useCallback, useMemo } from 'react';
import { getConfig } from '../../../config/config';
import { usePolling } from '../../../hooks/use-polling';
import { navigateQuery, useUrlSearch } from '../../../lib/url-state';
import { type Period, parseWindowStart, periods } from '../../../utils/windows';
import { getPipeline } from '../api/get-pipeline';

/** `?view=pipeline&period=…&start=…&region=…`: the same window and region parameters as the charts. */
export function usePipelineSelection() {
  const search = useUrlSearch();
  const selection = useMemo(() => {
    const params = new URLSearchParams(search);
    const raw = params.get('period');
    const period: Period = periods.includes(raw as Period) ? (raw as Period) : 'hour';
    return {
      period,
      start: parseWindowStart(period, params.get('start')),
      region: params.get('region')?.trim().toLowerCase() || 'global',
    };
  }, [search]);
  const { period, start } = selection;
  const setPeriod = useCallback((next: Period) => navigateQuery({ period: next, start: undefined }), []);
  const showWindow = useCallback(
    (next: string | undefined) => navigateQuery({ period, start: next }),
    [period],
  );
  const setRegion = useCallback(
    (next: string) => navigateQuery({ region: next, period, start }),
    [period, start],
  );
  return { ...selection, setPeriod, showWindow, setRegion };
}

/** The window's counts, refreshed every `refreshSeconds`. */
export function usePipeline(period: Period, start: string | undefined) {
  const fetcher = useCallback((signal: AbortSignal) => getPipeline(period, start, signal), [period, start]);
  return usePolling(`${period}|${start ?? 'now'}`, fetcher, getConfig().refreshSeconds * 1000);
}
