import { type ReactNode, useId } from 'react';
import { Card } from '../../../components/Card';
import { EmptyState } from '../../../components/EmptyState';
import { formatWindow } from '../../../utils/format';
import type { Chart } from '../api/schemas';
import './ChartPanel.css';
import { ChartSummary } from './ChartSummary';
import { ChartTable } from './ChartTable';
import type { SongLinks } from './SongLink';
import { TopTenBarChart } from './TopTenBarChart';

/** Which chart a panel shows: the one asked for, or one of the two of the default view at a window boundary. */
export type PanelKind = 'selected' | 'live' | 'just-final';

const KICKER: Record<PanelKind, string | undefined> = {
  selected: undefined,
  live: 'Live now',
  'just-final': 'Just final',
};

interface ChartPanelProps {
  chart: Chart;
  regionName: string;
  now: Date | undefined;
  kind: PanelKind;
  /** A line under the heading saying why this chart is here. */
  note?: ReactNode;
  songLinks?: SongLinks;
}

/** One chart: its heading, window and status, the rankings table and the top-10 bars. */
export function ChartPanel({ chart, regionName, now, kind, note, songLinks }: ChartPanelProps) {
  const headingId = useId();
  const windowLabel = formatWindow(chart.period, new Date(chart.window_start), new Date(chart.window_end));
  const title = `Top ${chart.entries.length} songs, ${regionName}, ${windowLabel}`;
  // In its grace for late plays the window that just ended is not final yet.
  const kicker = kind === 'just-final' && chart.status === 'closing' ? 'Just closed' : KICKER[kind];

  return (
    <section
      className={`chart-panel chart-panel--${kind}`}
      aria-labelledby={headingId}
      data-testid="chart-panel"
      data-kind={kind}
      data-window={chart.window_start}
    >
      <h2 id={headingId} className="chart-panel__heading">
        {kicker && <span className="chart-panel__kicker">{kicker}</span>}
        {regionName} · {chart.period === 'hour' ? 'hourly' : 'daily'} top 10
      </h2>
      {note && (
        <p className="chart-panel__note" data-testid="chart-panel-note">
          {note}
        </p>
      )}
      <ChartSummary chart={chart} now={now ?? new Date()} />
      {chart.entries.length === 0 ? (
        <Card>
          <EmptyState title="No eligible plays in this window yet." testId="chart-no-entries" />
        </Card>
      ) : (
        <div className="chart-panel__body">
          <Card title="Rankings" className="card--table">
            <ChartTable entries={chart.entries} period={chart.period} caption={title} songLinks={songLinks} />
          </Card>
          <Card title="Top 10 by plays" className="card--chart">
            <TopTenBarChart entries={chart.entries} title={title} songLinks={songLinks} />
          </Card>
        </div>
      )}
    </section>
  );
}
