import { formatCount } from '../../../utils/format';
import type { HopCounts } from '../api/schemas';
import './PipelineFlow.css';

type Hop = 'accepted' | 'in_lake' | 'dead_letters' | 'duplicates' | 'short_plays' | 'charted';

/** The hops each equation of GET /v1/pipeline ties together: all red when it fails. */
const EQUATION_HOPS: Readonly<Record<string, readonly Hop[]>> = {
  'accepted = in_lake + dead_letters': ['accepted', 'in_lake', 'dead_letters'],
  'charted = in_lake - duplicates - short_plays': ['charted', 'in_lake', 'duplicates', 'short_plays'],
};

const LABELS: Readonly<Record<Hop, string>> = {
  accepted: 'Accepted by ingest',
  in_lake: 'Written to the lake',
  dead_letters: 'Dead letters',
  duplicates: 'Duplicates',
  short_plays: 'Short plays (< 30 s)',
  charted: 'Charted',
};

function HopBox({ hop, counts, failing }: { hop: Hop; counts: HopCounts; failing: ReadonlySet<Hop> }) {
  const bad = failing.has(hop);
  return (
    <div
      className={`hop hop--${hop}${bad ? ' hop--failing' : ''}`}
      data-testid={`hop-${hop}`}
      data-failing={bad}
    >
      <span className="hop__label">{LABELS[hop]}</span>
      <strong className="hop__count">{formatCount(counts[hop])}</strong>
    </div>
  );
}

/** What ingest and the lake writers turned away: beside the flow, not part of the equations. */
function Rejected({
  title,
  total,
  reasons,
  testId,
}: {
  title: string;
  total: number;
  reasons?: Record<string, number>;
  testId: string;
}) {
  const listed = Object.entries(reasons ?? {}).sort(([, a], [, b]) => b - a);
  return (
    <div className="hop hop--rejected" data-testid={testId}>
      <span className="hop__label">{title}</span>
      <strong className="hop__count">{formatCount(total)}</strong>
      {listed.length > 0 && (
        <ul className="hop__reasons">
          {listed.map(([reason, count]) => (
            <li key={reason}>
              <code>{reason}</code> {formatCount(count)}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

/** One region's hops as a flow, left to right: ingest, the lake or the dead-letter topic, the chart. */
export function PipelineFlow({ counts }: { counts: HopCounts }) {
  const failing = new Set(
    counts.reconciled.mismatches.flatMap((mismatch) => EQUATION_HOPS[mismatch.equation] ?? []),
  );
  return (
    <div className="flow" data-testid="pipeline-flow">
      <div className="flow__column">
        <Rejected
          title="Rejected at ingest"
          total={counts.rejected_at_ingest.total}
          reasons={counts.rejected_at_ingest.by_reason}
          testId="hop-rejected-at-ingest"
        />
        <HopBox hop="accepted" counts={counts} failing={failing} />
      </div>
      <span className="flow__arrow" aria-hidden="true">
        →
      </span>
      <div className="flow__column">
        <HopBox hop="in_lake" counts={counts} failing={failing} />
        <HopBox hop="dead_letters" counts={counts} failing={failing} />
        <Rejected
          title="Rejected by the lake writers"
          total={counts.rejected_in_lake}
          testId="hop-rejected-in-lake"
        />
      </div>
      <span className="flow__arrow" aria-hidden="true">
        →
      </span>
      <div className="flow__column">
        <HopBox hop="charted" counts={counts} failing={failing} />
        <HopBox hop="duplicates" counts={counts} failing={failing} />
        <HopBox hop="short_plays" counts={counts} failing={failing} />
      </div>
    </div>
  );
}

/** Each equation, held or not, with both sides when it fails. */
export function Equations({ counts }: { counts: HopCounts }) {
  return (
    <ul className="equations" data-testid="equations">
      {Object.keys(EQUATION_HOPS).map((equation) => {
        const mismatch = counts.reconciled.mismatches.find((candidate) => candidate.equation === equation);
        return (
          <li
            key={equation}
            className={mismatch ? 'equation equation--failing' : 'equation'}
            data-testid={mismatch ? 'equation-failing' : 'equation-holding'}
          >
            <span aria-hidden="true">{mismatch ? '✗' : '✓'}</span> <code>{equation}</code>
            {mismatch
              ? `: does not hold (${formatCount(mismatch.left)} ≠ ${formatCount(mismatch.right)})`
              : ': holds'}
          </li>
        );
      })}
    </ul>
  );
}
