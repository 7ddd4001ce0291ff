/**
 * An independent implementation of the chart semantics (docs/contracts.md, "Chart semantics"), written for the
 * tests from the contract, not from the production SQL: the plain definitions, each charts' history scanned anew.
 */
export interface ReferenceHistoryChart {
  readonly region: string;
  readonly period: 'hour' | 'day';
  readonly window_start: Date;
  /** Song ids in rank order: rank 1 first. */
  readonly songs: readonly string[];
}

export interface ReferenceEntrySemantics {
  readonly region: string;
  readonly period: 'hour' | 'day';
  readonly window_start: string;
  readonly rank: number;
  readonly song_id: string;
  readonly previous_rank: number | null;
  readonly movement: 'up' | 'down' | 'same' | 'new' | 're-entry';
  readonly peak_rank: number;
  readonly periods_on_chart: number;
}

const periodMs = { hour: 3_600_000, day: 86_400_000 };

/** Every entry of every chart with its semantics, ordered by period, region, window and rank. */
export function referenceChartSemantics(charts: readonly ReferenceHistoryChart[]): ReferenceEntrySemantics[] {
  const result: ReferenceEntrySemantics[] = [];
  for (const chart of charts) {
    const sameSeries = charts.filter(
      (other) => other.region === chart.region && other.period === chart.period,
    );
    const earlier = sameSeries.filter((other) => other.window_start < chart.window_start);
    const previousStart = chart.window_start.getTime() - periodMs[chart.period];
    const previous = sameSeries.find((other) => other.window_start.getTime() === previousStart);
    chart.songs.forEach((song_id, index) => {
      const rank = index + 1;
      const earlierRanks = earlier.flatMap((other) =>
        other.songs.includes(song_id) ? [other.songs.indexOf(song_id) + 1] : [],
      );
      const previousRank = previous?.songs.includes(song_id) ? previous.songs.indexOf(song_id) + 1 : null;
      let movement: ReferenceEntrySemantics['movement'];
      if (previousRank === null) movement = earlierRanks.length > 0 ? 're-entry' : 'new';
      else if (previousRank > rank) movement = 'up';
      else if (previousRank < rank) movement = 'down';
      else movement = 'same';
      result.push({
        region: chart.region,
        period: chart.period,
        window_start: chart.window_start.toISOString(),
        rank,
        song_id,
        previous_rank: previousRank,
        movement,
        peak_rank: Math.min(rank, ...earlierRanks),
        periods_on_chart: earlierRanks.length + 1,
      });
    });
  }
  const key = (entry: ReferenceEntrySemantics) =>
    [entry.period, entry.region, entry.window_start, String(entry.rank).padStart(3, '0')].join('|');
  return result.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}
