import { formatLag, formatUtcTime } from '../../../utils/format';

/**
 * How far behind the plays a live chart that is catching up lags: the live-chart function then commits batches of
 * older plays, so "updated 2 s ago" alone would read as fresh. Under a minute is a batch or two: not shown.
 */
export const LIVE_CHART_BEHIND_MS = 60_000;

export function LiveChartBehind({ asOf, newestPlayAt }: { asOf: string; newestPlayAt: string | undefined }) {
  if (newestPlayAt === undefined) return null;
  const lagMs = Date.parse(asOf) - Date.parse(newestPlayAt);
  if (lagMs < LIVE_CHART_BEHIND_MS) return null;
  const newest = formatUtcTime(new Date(newestPlayAt), true);
  return (
    <div className="summary__item">
      <dt className="visually-hidden">Behind</dt>
      <dd
        className="summary__behind"
        data-testid="chart-behind"
        title={`The newest play counted was played at ${newest} UTC, ${formatLag(lagMs / 1000)} before the live tallies' last update: the live chart is catching up with the plays.`}
      >
        {formatLag(lagMs / 1000)} behind the plays
      </dd>
    </div>
  );
}
