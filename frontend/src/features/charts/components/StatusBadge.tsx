import { formatUtcDate, formatUtcTime } from '../../../utils/format';
import type { ChartStatus } from '../api/schemas';
import './StatusBadge.css';

const TEXT: Record<ChartStatus, string> = {
  provisional: 'Live · provisional',
  closing: 'Closing',
  final: 'Final',
};
const HINT: Record<ChartStatus, string> = {
  provisional: 'The window is still open; the chart keeps updating.',
  closing: 'The window has ended; plays arriving late (within 5 minutes) may still change the chart.',
  final:
    'The window has closed. Plays arriving later still restate it: the chart then says when it was restated.',
};

export function StatusBadge({ status }: { status: ChartStatus }) {
  return (
    <span className={`badge badge--${status}`} title={HINT[status]} data-testid="chart-status">
      {status !== 'final' && <span className="badge__dot" aria-hidden="true" />}
      {TEXT[status]}
    </span>
  );
}

/**
 * A final chart that late plays changed: when (its UTC time, and date unless today) and which version it is now.
 */
export function RestatedBadge({
  restatedAt,
  version,
  now,
}: {
  restatedAt: Date;
  version: number;
  now: Date;
}) {
  const today = formatUtcDate(restatedAt) === formatUtcDate(now);
  const when = `${today ? '' : `${formatUtcDate(restatedAt)}, `}${formatUtcTime(restatedAt)} UTC`;
  return (
    <span
      className="badge badge--restated"
      title={`Late plays changed this chart after it was final; this is version ${version}, restated ${formatUtcDate(restatedAt)} at ${formatUtcTime(restatedAt, true)} UTC.`}
      data-testid="chart-restated"
    >
      Restated {when}
    </span>
  );
}
