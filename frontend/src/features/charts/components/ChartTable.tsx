import { formatCount } from '../../../utils/format';
import type { Period } from '../../../utils/windows';
import type { ChartEntry } from '../api/schemas';
import './ChartTable.css';
import { MovementBadge } from './MovementBadge';
import { SongLink, type SongLinks } from './SongLink';

interface ChartTableProps {
  entries: readonly ChartEntry[];
  period: Period;
  caption: string;
  songLinks?: SongLinks;
}

const PERIODS_ON_CHART: Record<Period, { short: string; long: string }> = {
  hour: { short: 'Hrs', long: 'Hours in the top 10, this one included' },
  day: { short: 'Days', long: 'Days in the top 10, this one included' },
};

const rankOrDash = (rank: number | null) => (rank === null ? '–' : String(rank));

/**
 * The rankings as public charts show them: rank, movement, song, plays, last position, peak and time on chart.
 * On a phone the last three fold into a line under the artist (the wide columns are hidden by CSS).
 */
export function ChartTable({ entries, period, caption, songLinks }: ChartTableProps) {
  const onChart = PERIODS_ON_CHART[period];
  return (
    <div className="table-wrap">
      <table className="table chart-table">
        <caption className="visually-hidden">{caption}</caption>
        <thead>
          <tr>
            <th scope="col" className="table__rank">
              #
            </th>
            <th scope="col" className="chart-table__move">
              <span className="visually-hidden">Movement</span>
            </th>
            <th scope="col">Song</th>
            <th scope="col" className="table__num">
              Plays
            </th>
            <th scope="col" className="table__num chart-table__wide">
              <abbr title={`Rank the ${period} before`}>Last</abbr>
            </th>
            <th scope="col" className="table__num chart-table__wide">
              <abbr title="Best rank so far">Peak</abbr>
            </th>
            <th scope="col" className="table__num chart-table__wide">
              <abbr title={onChart.long}>{onChart.short}</abbr>
            </th>
          </tr>
        </thead>
        <tbody>
          {entries.map((entry) => (
            <tr key={entry.song_id} data-testid="chart-row" data-song={entry.song_id}>
              <td className="table__rank" data-testid="row-rank">
                {entry.rank}
              </td>
              <td className="chart-table__move">
                <MovementBadge entry={entry} periodName={period} />
              </td>
              <th scope="row" className="table__title">
                <SongLink songId={entry.song_id} links={songLinks} testId="row-song-link">
                  {entry.title === null ? (
                    <span className="muted mono" title="Not in the catalog yet" data-testid="row-title">
                      {entry.song_id}
                    </span>
                  ) : (
                    <span data-testid="row-title">{entry.title}</span>
                  )}
                </SongLink>
                <span className="chart-table__byline">
                  <span data-testid="row-artist">
                    {entry.artist ?? <span className="muted">Unknown</span>}
                  </span>
                  {entry.genre && <span className="tag">{entry.genre}</span>}
                </span>
                <span className="chart-table__narrow muted">
                  Last {rankOrDash(entry.previous_rank)} · Peak {entry.peak_rank} · {entry.periods_on_chart}{' '}
                  {onChart.short.toLowerCase()}
                </span>
              </th>
              <td className="table__num" data-testid="row-plays">
                {formatCount(entry.plays)}
              </td>
              <td className="table__num chart-table__wide" data-testid="row-previous">
                {rankOrDash(entry.previous_rank)}
              </td>
              <td className="table__num chart-table__wide" data-testid="row-peak">
                {entry.peak_rank}
              </td>
              <td className="table__num chart-table__wide" data-testid="row-periods">
                {entry.periods_on_chart}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
