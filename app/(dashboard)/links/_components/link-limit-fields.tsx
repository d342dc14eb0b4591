import { Field } from '@/components/ui/field';
import type { LinkFormErrors } from '../link-form-input';
import type { LinkFormValues } from '../link-form-values';

const periods = [
  ['per_minute', 'minute'],
  ['per_hour', 'hour'],
  ['per_day', 'day'],
] as const;

/** Request limits for the whole link and for each end user (named by a JWT); empty = no limit. */
export function LinkLimitFields({ initial, errors }: { initial: LinkFormValues; errors: LinkFormErrors }) {
  const box = { type: 'number', inputMode: 'numeric', placeholder: 'no limit', min: 1 } as const;
  return (
    <div className="space-y-4">
      <fieldset className="space-y-2">
        <legend className="text-sm font-semibold text-zinc-900">Limits for the link</legend>
        <div className="grid gap-4 sm:grid-cols-4">
          {periods.map(([period, unit]) => (
            <Field key={period} {...box} label={`Requests per ${unit}`} name={`rate_${period}`} defaultValue={initial.rate[period]} error={errors[`rate_${period}`]} />
          ))}
          <Field
            {...box}
            label="Monthly request cap"
            name="monthly_request_cap"
            defaultValue={initial.monthlyCap}
            error={errors.monthly_request_cap}
            hint="Resets on the 1st, 00:00 UTC."
          />
        </div>
      </fieldset>
      <fieldset className="space-y-2">
        <legend className="text-sm font-semibold text-zinc-900">Limits per end user</legend>
        <div className="grid gap-4 sm:grid-cols-3">
          {periods.map(([period, unit]) => (
            <Field
              key={period}
              {...box}
              label={`End-user requests per ${unit}`}
              name={`user_rate_${period}`}
              defaultValue={initial.userRate[period]}
              error={errors[`user_rate_${period}`]}
            />
          ))}
        </div>
        <p className="text-xs text-zinc-500">Apply to each user named by an end-user JWT. Leave empty for no limit.</p>
      </fieldset>
    </div>
  );
}
