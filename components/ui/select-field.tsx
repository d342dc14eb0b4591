import type { SelectHTMLAttributes } from 'react';
import { controlAria, controlClassName, FieldFrame } from './field-frame';

/** A labelled select with its inline error or hint, wired like Field. */
export function SelectField({
  label,
  name,
  error,
  hint,
  options,
  ...select
}: SelectHTMLAttributes<HTMLSelectElement> & {
  label: string;
  name: string;
  error?: string;
  hint?: string;
  options: readonly { value: string; label: string }[];
}) {
  return (
    <FieldFrame label={label} name={name} error={error} hint={hint}>
      <select {...controlAria(name, error, hint)} className={controlClassName(error)} {...select}>
        {options.map((option) => (
          <option key={option.value} value={option.value}>
            {option.label}
          </option>
        ))}
      </select>
    </FieldFrame>
  );
}
