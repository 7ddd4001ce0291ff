import { type Period, periods } from '../utils/windows';

const LABELS: Record<Period, string> = { hour: 'Hour', day: 'Day' };

interface PeriodToggleProps {
  value: Period;
  onChange: (period: Period) => void;
  /** Keep the "Period" legend for screen readers only (the pipeline's controls row has no visible labels). */
  hideLegend?: boolean;
}

/** The hour/day segmented toggle; shared by the chart and pipeline views, which are never shown together. */
export function PeriodToggle({ value, onChange, hideLegend = false }: PeriodToggleProps) {
  return (
    <fieldset className="field field--fieldset">
      <legend className={hideLegend ? 'visually-hidden' : 'field__label'}>Period</legend>
      <div className="segmented">
        {periods.map((period) => (
          <button
            key={period}
            type="button"
            className="segmented__button"
            aria-pressed={period === value}
            onClick={() => onChange(period)}
            data-testid={`period-${period}`}
          >
            {LABELS[period]}
          </button>
        ))}
      </div>
    </fieldset>
  );
}
