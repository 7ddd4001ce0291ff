import { type ReactNode, useId } from 'react';

interface FieldProps {
  label: string;
  /** The control, given the id its label points at. */
  children: (id: string) => ReactNode;
}

/** A labelled form control: the label above, tied to the control for assistive technology. */
export function Field({ label, children }: FieldProps) {
  const id = useId();
  return (
    <div className="field">
      <label className="field__label" htmlFor={id}>
        {label}
      </label>
      {children(id)}
    </div>
  );
}
