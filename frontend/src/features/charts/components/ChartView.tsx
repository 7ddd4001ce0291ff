import { Alert } from '../../../components/Alert';
import { Card } from '../../../components/Card';
import { EmptyState } from '../../../components/EmptyState';
import { Spinner } from '../../../components/Spinner';
import { getConfig } from '../../../config/config';
import { windowName } from '../../../utils/format';
import { genreLabel } from '../../../utils/genres';
import { regionTitle } from '../../../utils/regions';
import type { Chart } from '../api/schemas';
import { useChart } from '../hooks/use-chart';
import { useChartSelection } from '../hooks/use-chart-selection';
import { useChartWindows } from '../hooks/use-chart-windows';
import { useRegions } from '../hooks/use-regions';
import { justClosedWindow } from '../utils/boundary';
import { ChartErrorBanner } from './ChartErrorBanner';
import { ChartPanel } from './ChartPanel';
import './ChartView.css';
import { PeriodToggle } from '../../../components/PeriodToggle';
import { GenreSelect } from './GenreSelect';
import { HistoryPicker } from './HistoryPicker';
import { RegionComparison } from './RegionComparison';
import { RegionSelect } from './RegionSelect';
import type { SongLinks } from './SongLink';
import { UpdatedIndicator } from './UpdatedIndicator';

const chartWindowName = (chart: Chart) => windowName(chart.period, chart.window_start);

/**
 * The charts screen: the selection (region, period, window), its history, the chart, and every region's podium.
 * Without a window in the URL it shows the latest chart; while that live chart is young (the start of a window),
 * the chart that just became final comes first, above it.
 */
export function ChartView({ songLinks }: { songLinks?: SongLinks }) {
  const { region, period, start, genre, invalidStart, setRegion, setPeriod, showWindow, setGenre } =
    useChartSelection();
  const regions = useRegions();
  const windows = useChartWindows(region, period);
  const chart = useChart({ region, period, start, genre });
  const { refreshSeconds } = getConfig();
  const live = start === undefined;
  const closed = live && chart.data ? justClosedWindow(chart.data, chart.updatedAt ?? new Date()) : null;
  const justFinal = useChart(closed ? { region, period, start: closed, genre } : null);
  // Closing (its grace for late plays) or final: either way the window has ended.
  const finalChart = justFinal.data && justFinal.data.status !== 'provisional' ? justFinal.data : undefined;
  const shown = start ?? chart.data?.window_start;
  const compared = start ?? finalChart?.window_start ?? chart.data?.window_start ?? null;
  const periodName = period === 'hour' ? 'hourly' : 'daily';
  // A genre's chart is named by both: "United States · Indie".
  const name = genre ? `${regionTitle(region)} · ${genreLabel(genre)}` : regionTitle(region);

  const announced = chart.data
    ? `${name}, ${periodName} chart of ${chartWindowName(chart.data)}, ${chart.data.status}` +
      (finalChart ? `, below the ${finalChart.status} chart of ${chartWindowName(finalChart)}` : '')
    : '';

  return (
    <div className="chart-view">
      <section className="toolbar" aria-label="Chart selection">
        <div className="toolbar__row">
          <RegionSelect value={region} regions={regions.data ?? []} onChange={setRegion} />
          <PeriodToggle value={period} onChange={setPeriod} />
          <GenreSelect value={genre} onChange={setGenre} />
          <UpdatedIndicator
            updatedAt={chart.updatedAt}
            loading={chart.loading}
            refreshSeconds={refreshSeconds}
            onRefresh={chart.refresh}
          />
        </div>
        <HistoryPicker
          period={period}
          shown={shown}
          live={live}
          windows={windows.data}
          onSelect={showWindow}
        />
      </section>
      <p className="visually-hidden" aria-live="polite" data-testid="chart-announcement">
        {announced}
      </p>

      {invalidStart && (
        <Alert tone="info" title="That link’s window is not a date." testId="start-error">
          “{invalidStart}” is not a date and time; showing the latest chart.
        </Alert>
      )}
      {regions.error && (
        <Alert tone="info" title="Couldn’t load the region list." testId="regions-error">
          {regions.error.message} Only Global and the selected region are offered for now.
        </Alert>
      )}
      {windows.error && (
        <Alert tone="info" title="Couldn’t load the chart history." testId="windows-error">
          {windows.error.message} Previous and next still work.
        </Alert>
      )}
      {chart.error && (
        <ChartErrorBanner
          error={chart.error}
          showingLastChart={Boolean(chart.data)}
          refreshSeconds={refreshSeconds}
        />
      )}

      {finalChart && chart.data && (
        <ChartPanel
          chart={finalChart}
          regionName={name}
          now={justFinal.updatedAt}
          kind="just-final"
          note={`The ${period} that just closed. The live chart of ${chartWindowName(chart.data)}, still filling up, follows below.`}
          songLinks={songLinks}
        />
      )}

      {chart.data === undefined && !chart.error && <Spinner label="Loading the chart…" />}
      {chart.data === null && (
        <Card>
          {live ? (
            <EmptyState
              title="No chart yet — plays are being collected; charts appear within a minute"
              testId="chart-empty"
            >
              The first {periodName} chart for {name} shows up here automatically.
            </EmptyState>
          ) : (
            <EmptyState title={`No chart for ${windowName(period, start ?? '')}`} testId="chart-empty">
              Nothing was charted for {name} in this {period}: no plays, or the window was never computed.
            </EmptyState>
          )}
        </Card>
      )}
      {chart.data && (
        <ChartPanel
          chart={chart.data}
          regionName={name}
          now={chart.updatedAt}
          kind={live && chart.data.status === 'provisional' ? 'live' : 'selected'}
          songLinks={songLinks}
        />
      )}

      <RegionComparison
        regions={regions.data ?? []}
        period={period}
        start={compared}
        genre={genre}
        selectedRegion={region}
        onSelectRegion={setRegion}
        songLinks={songLinks}
      />
    </div>
  );
}
