import { Alert } from '../../../components/Alert';
import { Card } from '../../../components/Card';
import { Spinner } from '../../../components/Spinner';
import { formatCount, songTitle, windowName } from '../../../utils/format';
import { type Genre, genreLabel } from '../../../utils/genres';
import { regionLabel, regionTitle } from '../../../utils/regions';
import type { Period } from '../../../utils/windows';
import { type RegionChart, useRegionComparison } from '../hooks/use-region-comparison';
import { MovementBadge } from './MovementBadge';
import './RegionComparison.css';
import { SongLink, type SongLinks } from './SongLink';

interface RegionComparisonProps {
  regions: readonly string[];
  period: Period;
  /** The window compared; null while the view does not know its window yet. */
  start: string | null;
  /** Compare this genre's charts; undefined: every genre. */
  genre: Genre | undefined;
  selectedRegion: string;
  onSelectRegion: (region: string) => void;
  songLinks?: SongLinks;
}

const PODIUM = 3;

/** The same window's #1–#3 in every region at a glance; a region's name switches the view to it. */
export function RegionComparison(props: RegionComparisonProps) {
  const { regions, period, start, genre } = props;
  const comparison = useRegionComparison(regions, period, start, genre);
  if (start === null) return null;

  return (
    <Card
      title={`Regions at a glance · ${windowName(period, start)}${genre ? ` · ${genreLabel(genre)}` : ''}`}
      className="regions"
      testId="region-comparison"
    >
      {comparison.error && !comparison.data && (
        <Alert title="Couldn’t load the regions’ charts." testId="region-comparison-error">
          {comparison.error.message}
        </Alert>
      )}
      {!comparison.data && !comparison.error && <Spinner label="Loading every region’s chart…" />}
      {comparison.data && (
        <ul className="regions__grid">
          {comparison.data.map((result) => (
            <RegionCard key={result.region} result={result} {...props} />
          ))}
        </ul>
      )}
    </Card>
  );
}

function RegionCard({
  result,
  period,
  selectedRegion,
  onSelectRegion,
  songLinks,
}: RegionComparisonProps & { result: RegionChart }) {
  const { region, chart, error } = result;
  const selected = region === selectedRegion;
  return (
    <li
      className={selected ? 'regions__card regions__card--selected' : 'regions__card'}
      data-testid="region-card"
      data-region={region}
    >
      <div className="regions__header">
        <button
          type="button"
          className="regions__name"
          onClick={() => onSelectRegion(region)}
          aria-pressed={selected}
          aria-label={`Show the ${regionLabel(region)} chart`}
        >
          {regionTitle(region)}
        </button>
        {chart && <span className="regions__plays">{formatCount(chart.eligible_plays)} plays</span>}
      </div>
      {error && <p className="regions__note regions__note--error">Couldn’t load: {error.message}</p>}
      {chart === null && <p className="regions__note">No chart for this window.</p>}
      {chart?.entries.length === 0 && <p className="regions__note">No eligible plays.</p>}
      {chart && chart.entries.length > 0 && (
        <ol className="regions__podium">
          {chart.entries.slice(0, PODIUM).map((entry) => (
            <li key={entry.song_id} className="regions__entry" data-testid="region-entry">
              <span className="regions__rank">{entry.rank}</span>
              <span className="regions__song">
                <SongLink
                  songId={entry.song_id}
                  links={songLinks}
                  className="regions__title"
                  testId="region-title"
                >
                  {songTitle(entry)}
                </SongLink>
                <span className="regions__artist">{entry.artist ?? 'Unknown artist'}</span>
              </span>
              <MovementBadge entry={entry} periodName={period} compact />
            </li>
          ))}
        </ol>
      )}
    </li>
  );
}
