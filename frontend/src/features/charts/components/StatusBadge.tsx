import './StatusBadge.css';
import type { ChartStatus } from '../api/schemas';

const TEXT: Record<ChartStatus, string> = { provisional: 'Live · provisional', final: 'Final' };
const HINT: Record<ChartStatus, string> = {
  provisional: 'The window is still open or late plays may arrive; the chart keeps updating.',
  final: 'The window has closed and its chart will not change.',
};

export function StatusBadge({ status }: { status: ChartStatus }) {
  return (
    <span className={`badge badge--${status}`} title={HINT[status]} data-testid="chart-status">
      {status === 'provisional' && <span className="badge__dot" aria-hidden="true" />}
      {TEXT[status]}
    </span>
  );
}
