import { useCallback, useEffect, useState } from 'react';
import { GLOBAL_REGION, type Period, PeriodSchema } from '../api/schemas';

export interface ChartSelection {
  region: string;
  period: Period;
}

const REGION_PATTERN = /^[a-z0-9][a-z0-9-]{0,31}$/;

/** Reads `?region=…&period=…`, falling back to the global hourly chart. */
export function readSelection(search: string): ChartSelection {
  const params = new URLSearchParams(search);
  const region = params.get('region')?.trim().toLowerCase() ?? '';
  const period = PeriodSchema.safeParse(params.get('period'));
  return {
    region: REGION_PATTERN.test(region) ? region : GLOBAL_REGION,
    period: period.success ? period.data : 'hour',
  };
}

function writeSelection(selection: ChartSelection) {
  const url = new URL(window.location.href);
  url.searchParams.set('region', selection.region);
  url.searchParams.set('period', selection.period);
  if (url.href !== window.location.href) window.history.pushState(null, '', url);
}

/** The selected region and period, kept in the URL query string so a link reproduces the view. */
export function useChartSelection() {
  const [selection, setSelection] = useState(() => readSelection(window.location.search));

  useEffect(() => {
    const onPopState = () => setSelection(readSelection(window.location.search));
    window.addEventListener('popstate', onPopState);
    return () => window.removeEventListener('popstate', onPopState);
  }, []);

  const update = useCallback(
    (change: Partial<ChartSelection>) => {
      const next = { ...selection, ...change };
      writeSelection(next);
      setSelection(next);
    },
    [selection],
  );

  const setRegion = useCallback((region: string) => update({ region }), [update]);
  const setPeriod = useCallback((period: Period) => update({ period }), [update]);
  return { ...selection, setRegion, setPeriod };
}
