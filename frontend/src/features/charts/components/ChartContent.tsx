import { Card } from '../../../components/Card';
import { EmptyState } from '../../../components/EmptyState';
import type { Chart } from '../api/schemas';
import { formatWindow } from '../utils/format';
import { ChartSummary } from './ChartSummary';
import { ChartTable } from './ChartTable';
import { TopTenBarChart } from './TopTenBarChart';

interface ChartContentProps {
  chart: Chart;
  regionName: string;
  now: Date | undefined;
}

export function ChartContent({ chart, regionName, now }: ChartContentProps) {
  const windowLabel = formatWindow(chart.period, new Date(chart.window_start), new Date(chart.window_end));
  const title = `Top ${chart.entries.length} songs, ${regionName}, ${windowLabel}`;

  return (
    <>
      <ChartSummary chart={chart} now={now ?? new Date()} />
      {chart.entries.length === 0 ? (
        <Card>
          <EmptyState title="No eligible plays in this window yet." testId="chart-no-entries" />
        </Card>
      ) : (
        <div className="grid">
          <Card title="Top 10" className="card--chart">
            <TopTenBarChart entries={chart.entries} title={title} />
          </Card>
          <Card title="Rankings">
            <ChartTable entries={chart.entries} caption={title} />
          </Card>
        </div>
      )}
    </>
  );
}
