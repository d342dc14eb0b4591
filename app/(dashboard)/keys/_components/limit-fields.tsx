import { Field } from '@/components/ui/field';
import type { KeyFormErrors } from '../key-form-schema';
import type { KeyFormValues } from './key-form';

const rates = [
  ['per_minute', 'Requests per minute'],
  ['per_hour', 'Requests per hour'],
  ['per_day', 'Requests per day'],
] as const;

const spends = [
  ['day', 'Daily spending limit ($)', 'Resets at 00:00 UTC.'],
  ['week', 'Weekly spending limit ($)', 'Resets Monday 00:00 UTC.'],
  ['month', 'Monthly spending limit ($)', 'Resets on the 1st, 00:00 UTC.'],
] as const;

/** Rate limits (requests) and hard spending limits (dollars); an empty box is no limit. */
export function LimitFields({ initial, errors }: { initial: KeyFormValues; errors: KeyFormErrors }) {
  return (
    <div className="space-y-4">
      <fieldset className="space-y-2">
        <legend className="text-sm font-semibold text-zinc-900">Rate limits</legend>
        <div className="grid gap-4 sm:grid-cols-3">
          {rates.map(([period, label]) => (
            <Field
              key={period}
              label={label}
              name={`rate_${period}`}
              type="number"
              inputMode="numeric"
              placeholder="no limit"
              defaultValue={initial.rate[period]}
              error={errors[`rate_${period}`]}
            />
          ))}
        </div>
      </fieldset>
      <fieldset className="space-y-2">
        <legend className="text-sm font-semibold text-zinc-900">Spending limits</legend>
        <div className="grid gap-4 sm:grid-cols-3">
          {spends.map(([window, label, hint]) => (
            <Field
              key={window}
              label={label}
              name={`spend_${window}`}
              inputMode="decimal"
              placeholder="no limit"
              defaultValue={initial.spend[window]}
              hint={hint}
              error={errors[`spend_${window}`]}
            />
          ))}
        </div>
        <p className="text-xs text-zinc-500">In dollars, e.g. 5 or 12.50. Leave empty for no limit.</p>
      </fieldset>
    </div>
  );
}
