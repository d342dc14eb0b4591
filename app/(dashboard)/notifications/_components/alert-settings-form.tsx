'use client';

import { useActionState, useRef } from 'react';
import { Button } from '@/components/ui/button';
import { Field } from '@/components/ui/field';
import { FormMessage, refusalSummary } from '@/components/ui/form-message';
import { useFocusFirstError } from '@/components/ui/use-focus-first-error';
import { saveAlertSettingsAction, type AlertSettingsFormState } from '../actions';

export interface AlertSettingsValues {
  webhookUrl: string;
  creditThreshold: string;
  budgetDay: string;
  budgetWeek: string;
  budgetMonth: string;
  emailAlerts: boolean;
}

/**
 * A refused save shows every field as it was typed (`state.values`), the error next to the wrong
 * one: React resets a form after its action, to these defaults — the saved settings would throw
 * away what was typed, e.g. turn a refused -3 back into 1.
 */
export function AlertSettingsForm({ initial, email }: { initial: AlertSettingsValues; email: string }) {
  const [state, action, pending] = useActionState<AlertSettingsFormState, FormData>(saveAlertSettingsAction, {});
  const shown = state.values ?? initial;
  const errors = state.errors ?? {};
  const form = useRef<HTMLFormElement>(null);
  useFocusFirstError(form, state.errors);
  return (
    <form ref={form} action={action} className="max-w-xl space-y-4" noValidate aria-label="Alert settings">
      <FormMessage error={refusalSummary(errors)} success={state.success} />
      <Field
        label="Warn when credit falls below (USD)"
        name="creditThreshold"
        inputMode="decimal"
        defaultValue={shown.creditThreshold}
        hint="Blank: no credit alert."
        error={errors.creditThreshold}
      />
      <div className="grid gap-4 sm:grid-cols-3">
        <Field label="Account budget per day (USD)" name="budgetDay" inputMode="decimal" defaultValue={shown.budgetDay} error={errors.budgetDay} />
        <Field label="Per week (USD)" name="budgetWeek" inputMode="decimal" defaultValue={shown.budgetWeek} error={errors.budgetWeek} />
        <Field label="Per month (USD)" name="budgetMonth" inputMode="decimal" defaultValue={shown.budgetMonth} error={errors.budgetMonth} />
      </div>
      <p className="text-xs text-zinc-500">
        Budgets only alert (at 50, 80 and 100 %, UTC windows); keys&apos; own spending limits alert the same way and are enforced.
      </p>
      <div>
        <label className="flex items-center gap-2 text-sm font-medium text-zinc-800">
          <input type="checkbox" name="emailAlerts" defaultChecked={shown.emailAlerts} aria-describedby="emailAlerts-hint" />
          Email me these alerts
        </label>
        <p id="emailAlerts-hint" className="mt-1 text-xs text-zinc-500">
          To {email}, one message per batch of alerts. {errors.emailAlerts}
        </p>
      </div>
      <Field
        label="Webhook URL"
        name="webhookUrl"
        type="url"
        placeholder="https://example.com/conduit-alerts"
        defaultValue={shown.webhookUrl}
        hint="Optional. Receives each alert as signed JSON (https, public addresses only)."
        error={errors.webhookUrl}
      />
      <Button type="submit" disabled={pending}>
        {pending ? 'Saving…' : 'Save alert settings'}
      </Button>
    </form>
  );
}
