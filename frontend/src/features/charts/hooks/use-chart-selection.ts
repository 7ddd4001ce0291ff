import { useCallback, useMemo } from 'react';
import { navigateQuery, useUrlSearch } from '../../../lib/url-state';
import { type Genre, isGenre } from '../../../utils/genres';
import { GLOBAL_REGION } from '../../../utils/regions';
import { type Period, parseWindowStart } from '../../../utils/windows';
import { PeriodSchema } from '../api/schemas';

export interface ChartSelection {
  region: string;
  period: Period;
  /** The window shown (RFC 3339, as the API writes it); undefined: the latest, live. */
  start: string | undefined;
  /** Only this genre's plays; undefined: every play. */
  genre: Genre | undefined;
  /** A `start` in the link that is not a date: the view falls back to the latest chart and says so. */
  invalidStart: string | undefined;
}

const REGION_PATTERN = /^[a-z0-9][a-z0-9-]{0,31}$/;

/** Reads `?region=…&period=…&start=…&genre=…`, falling back to the latest global hourly chart of every genre. */
function readSelection(search: string): ChartSelection {
  const params = new URLSearchParams(search);
  const region = params.get('region')?.trim().toLowerCase() ?? '';
  const parsedPeriod = PeriodSchema.safeParse(params.get('period'));
  const period = parsedPeriod.success ? parsedPeriod.data : 'hour';
  const rawStart = params.get('start');
  const start = parseWindowStart(period, rawStart);
  const genre = params.get('genre');
  return {
    region: REGION_PATTERN.test(region) ? region : GLOBAL_REGION,
    period,
    start,
    genre: isGenre(genre) ? genre : undefined,
    invalidStart: rawStart && start === undefined ? rawStart : undefined,
  };
}

/**
 * The selected region, period, window and genre, kept in the URL's query string: a link reproduces the view, and each
 * change is a history entry, so the back button returns to the previous chart.
 */
export function useChartSelection() {
  const search = useUrlSearch();
  const selection = useMemo(() => readSelection(search), [search]);
  const { region, period, start, genre } = selection;

  /** Another region, same window and genre: comparing regions keeps the time. */
  const setRegion = useCallback(
    (next: string) => navigateQuery({ region: next, period, start, genre }),
    [period, start, genre],
  );
  /** Another period starts from its latest chart: an hour's start is rarely the day wanted. */
  const setPeriod = useCallback(
    (next: Period) => navigateQuery({ region, period: next, start: undefined, genre }),
    [region, genre],
  );
  /** A window of this region and period; undefined: back to the latest. */
  const showWindow = useCallback(
    (next: string | undefined) => navigateQuery({ region, period, start: next, genre }),
    [region, period, genre],
  );
  /** Another genre (undefined: every genre), same region and window. */
  const setGenre = useCallback(
    (next: Genre | undefined) => navigateQuery({ region, period, start, genre: next }),
    [region, period, start],
  );
  return { ...selection, setRegion, setPeriod, showWindow, setGenre };
}
