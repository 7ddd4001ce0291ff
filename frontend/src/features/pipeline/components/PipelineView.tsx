import { Alert } from '../../../components/Alert';
import { Card } from '../../../components/Card';
import { PeriodToggle } from '../../../components/PeriodToggle';
import { Spinner } from '../../../components/Spinner';
import { formatCount, formatLag, windowName } from '../../../utils/format';
import { GLOBAL_REGION, regionLabel } from '../../../utils/regions';
import { shiftWindow, windowLength } from '../../../utils/windows';
import type { Pipeline } from '../api/schemas';
import { usePipeline, usePipelineSelection } from '../hooks/use-pipeline';
import { Equations, PipelineFlow } from './PipelineFlow';
import './PipelineView.css';

function LagPanel({ lag }: { lag: Pipeline['lag_seconds'] }) {
  const behind = lag.partitions?.filter((partition) => partition.records > 0) ?? [];
  return (
    <Card title="Lag" testId="pipeline-lag">
      <dl className="lag">
        <dt>Newest play in the lake</dt>
        <dd data-testid="lag-lake">{lag.lake === null ? 'none yet' : `${formatLag(lag.lake)} ago`}</dd>
        <dt>Newest play in the live chart</dt>
        <dd data-testid="lag-live">
          {lag.live_chart === null ? 'none yet' : `${formatLag(lag.live_chart)} ago`}
        </dd>
        <dt>Consumers</dt>
        <dd data-testid="lag-partitions">
          {lag.partitions === null
            ? 'not available on this transport'
            : behind.length === 0
              ? `caught up (${lag.partitions.length} partitions)`
              : behind
                  .map((p) => `${p.consumer} p${p.partition}: ${formatCount(p.records)} behind`)
                  .join(' · ')}
        </dd>
      </dl>
    </Card>
  );
}

/** Every region at a glance: a row each, red where it does not reconcile; a click shows its flow. */
function RegionTable({
  pipeline,
  selected,
  onSelect,
}: {
  pipeline: Pipeline;
  selected: string;
  onSelect: (region: string) => void;
}) {
  return (
    <div className="pipeline-regions__scroll">
      <table className="table pipeline-regions" data-testid="pipeline-regions">
        <thead>
          <tr>
            <th scope="col">Region</th>
            <th scope="col">Accepted</th>
            <th scope="col">In lake</th>
            <th scope="col">Dead letters</th>
            <th scope="col">Charted</th>
            <th scope="col">Reconciled</th>
          </tr>
        </thead>
        <tbody>
          {pipeline.regions.map((entry) => (
            <tr
              key={entry.region}
              className={entry.reconciled.ok ? undefined : 'pipeline-regions__row--failing'}
              aria-selected={entry.region === selected}
              data-testid={`pipeline-region-${entry.region}`}
            >
              <th scope="row">
                <button type="button" className="link-button" onClick={() => onSelect(entry.region)}>
                  {regionLabel(entry.region)}
                </button>
              </th>
              <td>{formatCount(entry.accepted)}</td>
              <td>{formatCount(entry.in_lake)}</td>
              <td>{formatCount(entry.dead_letters)}</td>
              <td>{formatCount(entry.charted)}</td>
              <td>{entry.reconciled.ok ? '✓' : `✗ ${entry.reconciled.mismatches.length} failing`}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** The Pipeline view (`?view=pipeline`): the counts at every hop of a window, with the lag. */
export function PipelineView() {
  const { period, start, region, setPeriod, showWindow, setRegion } = usePipelineSelection();
  const { data, error, loading } = usePipeline(period, start);
  const shown = data?.window_start ?? start;
  const open = shown !== undefined && Date.parse(shown) + windowLength(period) > Date.now();
  const counts =
    data?.regions.find((entry) => entry.region === region) ??
    data?.regions.find((entry) => entry.region === GLOBAL_REGION);
  return (
    <div className="pipeline" data-testid="pipeline-view">
      <div className="pipeline__controls">
        <PeriodToggle value={period} onChange={setPeriod} hideLegend />
        <div className="pipeline__window">
          <button
            type="button"
            className="button button--ghost"
            disabled={!shown}
            onClick={() => shown && showWindow(shiftWindow(period, shown, -1))}
            data-testid="pipeline-earlier"
          >
            ◀ Earlier
          </button>
          <strong data-testid="pipeline-window">{shown ? windowName(period, shown) : '…'}</strong>
          <button
            type="button"
            className="button button--ghost"
            disabled={!shown || open}
            onClick={() => shown && showWindow(shiftWindow(period, shown, 1))}
            data-testid="pipeline-later"
          >
            Later ▶
          </button>
          <button
            type="button"
            className="button button--ghost"
            disabled={start === undefined}
            onClick={() => showWindow(undefined)}
          >
            Now
          </button>
        </div>
      </div>
      {error && <Alert title="The counts could not be loaded">{error.message}</Alert>}
      {!data && loading && <Spinner label="Loading the counts…" />}
      {data && counts && (
        <>
          <Card
            title={`${regionLabel(counts.region)}: every accepted play accounted for?`}
            testId="pipeline-card"
            className={counts.reconciled.ok ? 'pipeline__card' : 'pipeline__card pipeline__card--failing'}
          >
            {open && (
              <p className="pipeline__note" data-testid="pipeline-open">
                This {period} is still open: the lake counts come from the chart run of each minute, so the
                counts catch up with ingest after it closes.
              </p>
            )}
            <PipelineFlow counts={counts} />
            <Equations counts={counts} />
          </Card>
          <div className="pipeline__grid">
            <Card title="Regions">
              <RegionTable pipeline={data} selected={counts.region} onSelect={setRegion} />
            </Card>
            <LagPanel lag={data.lag_seconds} />
          </div>
        </>
      )}
    </div>
  );
}
