import { useNow } from '../../../hooks/use-now';
import { formatAge, formatUtcTime } from '../../../utils/format';

/**
 * How fresh a chart is: for a live chart, how long ago the live tallies it was read from were last updated
 * (`as_of`), counting up every second between refreshes; for a chart from the lake, when it was computed.
 */
export function ChartFreshness({ asOf, live }: { asOf: string; live: boolean }) {
  const now = useNow(1000);
  const at = new Date(asOf);
  return (
    <time
      dateTime={asOf}
      title={`${live ? 'Live tallies as of' : 'Computed from the lake at'} ${formatUtcTime(at, true)} UTC`}
      data-testid="chart-freshness"
      data-as-of={asOf}
    >
      {live ? `updated ${formatAge(at, now)}` : formatAge(at, now)}
    </time>
  );
}
