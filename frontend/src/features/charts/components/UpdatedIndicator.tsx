import { formatLocalTime } from '../../../utils/format';

interface UpdatedIndicatorProps {
  updatedAt: Date | undefined;
  loading: boolean;
  refreshSeconds: number;
  onRefresh: () => void;
}

export function UpdatedIndicator({ updatedAt, loading, refreshSeconds, onRefresh }: UpdatedIndicatorProps) {
  return (
    <div className="updated">
      <span
        className="updated__text"
        title={`Refreshes every ${refreshSeconds} s`}
        aria-live="polite"
        data-testid="last-updated"
      >
        {updatedAt ? `Updated ${formatLocalTime(updatedAt)}` : 'Not updated yet'}
      </span>
      <button
        type="button"
        className="button button--ghost"
        onClick={onRefresh}
        disabled={loading}
        data-testid="refresh"
      >
        <span className={loading ? 'refresh-icon refresh-icon--spinning' : 'refresh-icon'} aria-hidden="true">
          ↻
        </span>
        Refresh
      </button>
    </div>
  );
}
