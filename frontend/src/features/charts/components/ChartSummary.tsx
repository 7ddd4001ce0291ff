import { formatCount, formatWindow } from '../../../utils/format';
import type { Chart } from '../api/schemas';
import { ChartFreshness } from './ChartFreshness';
import { LiveChartBehind } from './LiveChartBehind';
import './ChartSummary.css';
import { RestatedBadge, StatusBadge } from './StatusBadge';

interface ChartSummaryProps {
  chart: Chart;
  now: Date;
}

/** Window, status, freshness and volume of one chart, in one line under its heading. */
export function ChartSummary({ chart, now }: ChartSummaryProps) {
  const start = new Date(chart.window_start);
  const end = new Date(chart.window_end);
  const live = chart.source === 'live';

  return (
    <dl className="summary">
      <div className="summary__item">
        <dt className="visually-hidden">{chart.period === 'hour' ? 'Hour' : 'Day'}</dt>
        <dd className="summary__window" data-testid="chart-window">
          {formatWindow(chart.period, start, end)}
        </dd>
      </div>
      <div className="summary__item">
        <dt className="visually-hidden">Status</dt>
        <dd>
          <StatusBadge status={chart.status} />
        </dd>
      </div>
      {chart.restated_at && (
        <div className="summary__item">
          <dt className="visually-hidden">Restated</dt>
          <dd>
            <RestatedBadge restatedAt={new Date(chart.restated_at)} version={chart.version} now={now} />
          </dd>
        </div>
      )}
      <div className="summary__item" data-testid="chart-source" data-source={chart.source}>
        <dt>{live ? 'Live' : 'Generated'}</dt>
        <dd>
          <ChartFreshness asOf={chart.as_of} live={live} />
        </dd>
      </div>
      {live && <LiveChartBehind asOf={chart.as_of} newestPlayAt={chart.newest_play_at} />}
      <div className="summary__item">
        <dt>Eligible plays</dt>
        <dd className="summary__number" data-testid="chart-eligible-plays">
          {formatCount(chart.eligible_plays)}
        </dd>
      </div>
    </dl>
  );
}
