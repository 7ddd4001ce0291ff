import { Alert } from '../../../components/Alert';
import type { ApiError } from '../../../lib/api-client';

interface ChartErrorBannerProps {
  error: ApiError;
  showingLastChart: boolean;
  refreshSeconds: number;
}

function title(error: ApiError): string {
  if (error.kind === 'network') return 'Can’t reach the charts API.';
  if (error.kind === 'invalid-response') return 'The charts API sent an unexpected response.';
  if (error.status < 500) return 'The charts API rejected this request.';
  return `The charts API failed (HTTP ${error.status}).`;
}

export function ChartErrorBanner({ error, showingLastChart, refreshSeconds }: ChartErrorBannerProps) {
  const rejected = error.kind === 'http' && error.status >= 400 && error.status < 500;
  const retry = rejected ? '' : `Retrying every ${refreshSeconds} s.`;
  const detail = error.kind === 'http' ? error.message : '';
  return (
    <Alert title={title(error)} testId="chart-error">
      {[detail, showingLastChart ? 'Showing the last chart received.' : '', retry].filter(Boolean).join(' ')}
    </Alert>
  );
}
