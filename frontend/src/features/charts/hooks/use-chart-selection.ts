import { useCallback, useMemo } from 'react';
import { navigateQuery, useUrlSearch } from '../../../lib/url-state';
import { GLOBAL_REGION } from '../../../utils/regions';
import { type Period, parseWindowStart } from '../../../utils/windows';
import { PeriodSchema } from '../api/schemas';

export interface ChartSelection {
  region: string;
  period: Period;
  /** The window shown (RFC 3339, as the API writes it); undefined: the latest, live. */
  start: string | undefined;
  /** A `start` in the link that is not a date: the view falls back to the latest chart and says so. */
  invalidStart: string | undefined;
}

const REGION_PATTERN = /^[a-z0-9][a-z0-9-]{0,31}$/;

/** Reads `?region=…&period=…&start=…`, falling back to the latest global hourly chart. */
function readSelection(search: string): ChartSelection {
  const params = new URLSearchParams(search);
  const region = params.get('region')?.trim().toLowerCase() ?? '';
  const parsedPeriod = PeriodSchema.safeParse(params.get('period'));
  const period = parsedPeriod.success ? parsedPeriod.data : 'hour';
  const rawStart = params.get('start');
  const start = parseWindowStart(period, rawStart);
  return {
    region: REGION_PATTERN.test(region) ? region : GLOBAL_REGION,
    period,
    start,
    invalidStart: rawStart && start === undefined ? rawStart : undefined,
  };
}

/**
 * The selected region, period and window, kept in the URL's query string: a link reproduces the view, and each
 * change is a history entry, so the back button returns to the previous chart.
 */
export function useChartSelection() {
  const search = useUrlSearch();
  const selection = useMemo(() => readSelection(search), [search]);
  const { region, period, start } = selection;

  /** Another region, same window: comparing regions keeps the time. */
  const setRegion = useCallback(
    (next: string) => navigateQuery({ region: next, period, start }),
    [period, start],
  );
  /** Another period starts from its latest chart: an hour's start is rarely the day wanted. */
  const setPeriod = useCallback(
    (next: Period) => navigateQuery({ region, period: next, start: undefined }),
    [region],
  );
  /** A window of this region and period; undefined: back to the latest. */
  const showWindow = useCallback(
    (next: string | undefined) => navigateQuery({ region, period, start: next }),
    [region, period],
  );
  return { ...selection, setRegion, setPeriod, showWindow };
}
