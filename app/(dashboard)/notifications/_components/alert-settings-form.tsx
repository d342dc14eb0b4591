'use client';

import { useActionState } from 'react';
import { Button } from '@/components/ui/button';
import { Field } from '@/components/ui/field';
import { FormMessage } from '@/components/ui/form-message';
import { saveAlertSettingsAction, type AlertSettingsFormState } from '../actions';

export interface AlertSettingsValues {
  webhookUrl: string;
  creditThreshold: string;
  budgetDay: string;
  budgetWeek: string;
  budgetMonth: string;
  emailAlerts: boolean;
}

export function AlertSettingsForm({ initial, email }: { initial: AlertSettingsValues; email: string }) {
  const [state, action, pending] = useActionState<AlertSettingsFormState, FormData>(saveAlertSettingsAction, {});
  return (
    <form action={action} className="max-w-xl space-y-4" noValidate>
      <FormMessage error={state.errors?.form} success={state.success} />
      <Field
        label="Warn when credit falls below (USD)"
        name="creditThreshold"
        inputMode="decimal"
        defaultValue={initial.creditThreshold}
        hint="Blank: no credit alert."
        error={state.errors?.creditThreshold}
      />
      <div className="grid gap-4 sm:grid-cols-3">
        <Field label="Account budget per day (USD)" name="budgetDay" inputMode="decimal" defaultValue={initial.budgetDay} error={state.errors?.budgetDay} />
        <Field label="Per week (USD)" name="budgetWeek" inputMode="decimal" defaultValue={initial.budgetWeek} error={state.errors?.budgetWeek} />
        <Field label="Per month (USD)" name="budgetMonth" inputMode="decimal" defaultValue={initial.budgetMonth} error={state.errors?.budgetMonth} />
      </div>
      <p className="text-xs text-zinc-500">
        Budgets only alert (at 50, 80 and 100 %, UTC windows); keys&apos; own spending limits alert the same way and are enforced.
      </p>
      <div>
        <label className="flex items-center gap-2 text-sm font-medium text-zinc-800">
          <input type="checkbox" name="emailAlerts" defaultChecked={initial.emailAlerts} aria-describedby="emailAlerts-hint" />
          Email me these alerts
        </label>
        <p id="emailAlerts-hint" className="mt-1 text-xs text-zinc-500">
          To {email}, one message per batch of alerts. {state.errors?.emailAlerts}
        </p>
      </div>
      <Field
        label="Webhook URL"
        name="webhookUrl"
        type="url"
        placeholder="https://example.com/conduit-alerts"
        defaultValue={initial.webhookUrl}
        hint="Optional. Receives each alert as signed JSON (https, public addresses only)."
        error={state.errors?.webhookUrl}
      />
      <Button type="submit" disabled={pending}>
        {pending ? 'Saving…' : 'Save alert settings'}
      </Button>
    </form>
  );
}
