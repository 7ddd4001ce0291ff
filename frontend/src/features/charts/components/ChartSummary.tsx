import {
  formatCount,
  formatRelative,
  formatUtcDate,
  formatUtcTime,
  formatWindow,
} from '../../../utils/format';
import type { Chart } from '../api/schemas';
import './ChartSummary.css';
import { StatusBadge } from './StatusBadge';

interface ChartSummaryProps {
  chart: Chart;
  now: Date;
}

/** Window, status, freshness and volume of one chart, as a row of stat tiles. */
export function ChartSummary({ chart, now }: ChartSummaryProps) {
  const start = new Date(chart.window_start);
  const end = new Date(chart.window_end);
  const generated = new Date(chart.generated_at);

  return (
    <dl className="stats">
      <div className="stat">
        <dt className="stat__label">{chart.period === 'hour' ? 'Hour' : 'Day'}</dt>
        <dd className="stat__value" data-testid="chart-window">
          {formatWindow(chart.period, start, end)}
        </dd>
      </div>
      <div className="stat">
        <dt className="stat__label">Status</dt>
        <dd className="stat__value">
          <StatusBadge status={chart.status} />
        </dd>
      </div>
      <div className="stat">
        <dt className="stat__label">Generated</dt>
        <dd className="stat__value">
          <time dateTime={chart.generated_at} data-testid="chart-generated">
            {formatRelative(generated, now)}
          </time>
          <span className="stat__sub">
            {formatUtcDate(generated)}, {formatUtcTime(generated, true)} UTC
          </span>
        </dd>
      </div>
      <div className="stat">
        <dt className="stat__label">Eligible plays</dt>
        <dd className="stat__value stat__value--number" data-testid="chart-eligible-plays">
          {formatCount(chart.eligible_plays)}
        </dd>
      </div>
    </dl>
  );
}
