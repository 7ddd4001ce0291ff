import type { Period } from '../../../src/domain/charts.ts';
import type { HttpRequest } from '../../../src/domain/http/http.ts';
import type { Song } from '../../../src/domain/song.ts';
import type { ChartStore, ServedChart, SongHistoryQuery } from '../../../src/ports/chart-store.ts';

/**
 * An in-memory chart store for the charts API's unit tests: it serves the given charts and catalog, and
 * records what each read asked for.
 */
export function fakeChartStore(charts: readonly ServedChart[], catalog: readonly Song[] = []) {
  const reads: unknown[] = [];
  const series = (region: string, period: Period) =>
    charts
      .filter((chart) => chart.region === region && chart.period === period)
      .sort((a, b) => b.window_start.getTime() - a.window_start.getTime());
  const store: ChartStore = {
    replaceWindow: async () => {
      throw new Error('not used');
    },
    windowState: async () => undefined,
    unfinishedWindows: async () => [],
    upsertSongs: async () => 0,
    revision: async () => '0',
    findChart: async (region, period, windowStart) => {
      reads.push({ findChart: { region, period, windowStart } });
      return series(region, period).find(
        (chart) => !windowStart || chart.window_start.getTime() === windowStart.getTime(),
      );
    },
    listWindows: async (region, period, page) => {
      reads.push({ listWindows: { region, period, ...page } });
      return series(region, period)
        .filter((chart) => !page.before || chart.window_start < page.before)
        .slice(0, page.limit)
        .map(({ region: _, period: __, entries: ___, ...summary }) => summary);
    },
    findSongHistory: async (query: SongHistoryQuery) => {
      reads.push({ findSongHistory: query });
      const song = catalog.find((known) => known.song_id === query.songId);
      const everCharted = charts.some((chart) =>
        chart.entries.some((entry) => entry.song_id === query.songId),
      );
      if (!song && !everCharted) return undefined;
      const entries = charts
        .filter((chart) => chart.period === query.period && chart.window_start >= query.since)
        .filter((chart) => !query.region || chart.region === query.region)
        .flatMap((chart) =>
          chart.entries
            .filter((entry) => entry.song_id === query.songId)
            .map((entry) => ({
              region: chart.region,
              window_start: chart.window_start,
              window_end: chart.window_end,
              status: chart.status,
              rank: entry.rank,
              plays: entry.plays,
            })),
        )
        .sort((a, b) => a.window_start.getTime() - b.window_start.getTime());
      return { song: song ?? { song_id: query.songId, title: null, artist: null, genre: null }, entries };
    },
  };
  return { store, reads };
}

/** A GET request as the charts API's handler hands it to the use case. */
export const get = (
  path: string,
  query: Record<string, string> = {},
  headers: Record<string, string> = {},
): HttpRequest => ({ method: 'GET', path, query, headers, body: undefined });
