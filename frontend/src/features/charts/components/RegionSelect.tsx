import { Field } from '../../../components/Field';
import { GLOBAL_REGION, regionLabel } from '../../../utils/regions';

interface RegionSelectProps {
  value: string;
  regions: readonly string[];
  onChange: (region: string) => void;
}

/** Global first, then the API's regions; keeps an unknown selected value (e.g. from a link) visible. */
export function RegionSelect({ value, regions, onChange }: RegionSelectProps) {
  const options = [GLOBAL_REGION, ...regions.filter((region) => region !== GLOBAL_REGION)];
  if (!options.includes(value)) options.push(value);

  return (
    <Field label="Region">
      {(id) => (
        <select
          id={id}
          className="select"
          value={value}
          onChange={(event) => onChange(event.target.value)}
          data-testid="region-select"
        >
          {options.map((region) => (
            <option key={region} value={region}>
              {regionLabel(region)}
            </option>
          ))}
        </select>
      )}
    </Field>
  );
}
