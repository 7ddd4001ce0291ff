import { type Period, periods } from '../../../utils/windows';

const LABELS: Record<Period, string> = { hour: 'Hour', day: 'Day' };

interface PeriodToggleProps {
  value: Period;
  onChange: (period: Period) => void;
}

export function PeriodToggle({ value, onChange }: PeriodToggleProps) {
  return (
    <fieldset className="field field--fieldset">
      <legend className="field__label">Period</legend>
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
