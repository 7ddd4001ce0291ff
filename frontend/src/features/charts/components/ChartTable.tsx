import type { ChartEntry } from '../api/schemas';
import { formatCount } from '../utils/format';

interface ChartTableProps {
  entries: readonly ChartEntry[];
  caption: string;
}

export function ChartTable({ entries, caption }: ChartTableProps) {
  return (
    <div className="table-wrap">
      <table className="table">
        <caption className="table__caption">{caption}</caption>
        <thead>
          <tr>
            <th scope="col" className="table__rank">
              #
            </th>
            <th scope="col">Title</th>
            <th scope="col">Artist</th>
            <th scope="col" className="table__num">
              Plays
            </th>
          </tr>
        </thead>
        <tbody>
          {entries.map((entry) => (
            <tr key={entry.song_id} data-testid="chart-row">
              <td className="table__rank" data-testid="row-rank">
                {entry.rank}
              </td>
              <th scope="row" className="table__title">
                {entry.title === null ? (
                  <span className="muted mono" title="Not in the catalog yet" data-testid="row-title">
                    {entry.song_id}
                  </span>
                ) : (
                  <span data-testid="row-title">{entry.title}</span>
                )}
                {entry.genre && <span className="tag">{entry.genre}</span>}
              </th>
              <td data-testid="row-artist">{entry.artist ?? <span className="muted">Unknown</span>}</td>
              <td className="table__num" data-testid="row-plays">
                {formatCount(entry.plays)}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
