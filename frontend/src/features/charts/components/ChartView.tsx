import { Alert } from '../../../components/Alert';
import { Card } from '../../../components/Card';
import { EmptyState } from '../../../components/EmptyState';
import { Spinner } from '../../../components/Spinner';
import { getConfig } from '../../../config/config';
import { useChart } from '../hooks/use-chart';
import { useChartSelection } from '../hooks/use-chart-selection';
import { useRegions } from '../hooks/use-regions';
import { regionLabel } from '../utils/regions';
import { ChartContent } from './ChartContent';
import { ChartErrorBanner } from './ChartErrorBanner';
import { PeriodToggle } from './PeriodToggle';
import { RegionSelect } from './RegionSelect';
import { UpdatedIndicator } from './UpdatedIndicator';

/** The whole charts screen: controls, status banners, and the latest chart for the selection. */
export function ChartView() {
  const { region, period, setRegion, setPeriod } = useChartSelection();
  const regions = useRegions();
  const chart = useChart({ region, period });
  const { refreshSeconds } = getConfig();
  const periodName = period === 'hour' ? 'hourly' : 'daily';

  return (
    <div className="chart-view">
      <section className="toolbar" aria-label="Chart selection">
        <RegionSelect value={region} regions={regions.data ?? []} onChange={setRegion} />
        <PeriodToggle value={period} onChange={setPeriod} />
        <UpdatedIndicator
          updatedAt={chart.updatedAt}
          loading={chart.loading}
          refreshSeconds={refreshSeconds}
          onRefresh={chart.refresh}
        />
      </section>

      {regions.error && (
        <Alert tone="info" title="Couldn’t load the region list." testId="regions-error">
          {regions.error.message} Only Global and the selected region are offered for now.
        </Alert>
      )}
      {chart.error && (
        <ChartErrorBanner
          error={chart.error}
          showingLastChart={Boolean(chart.data)}
          refreshSeconds={refreshSeconds}
        />
      )}

      <h2 className="chart-view__heading">
        {regionLabel(region)} · top 10 {periodName}
      </h2>

      {chart.data === undefined && !chart.error && <Spinner label="Loading the latest chart…" />}
      {chart.data === null && (
        <Card>
          <EmptyState
            title="No chart yet — plays are being collected; charts appear within a minute"
            testId="chart-empty"
          >
            The first {periodName} chart for {regionLabel(region)} shows up here automatically.
          </EmptyState>
        </Card>
      )}
      {chart.data && (
        <ChartContent chart={chart.data} regionName={regionLabel(region)} now={chart.updatedAt} />
      )}
    </div>
  );
}
