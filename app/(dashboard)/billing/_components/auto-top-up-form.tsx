'use client';

import { useActionState, useState } from 'react';
import { Button } from '@/components/ui/button';
import { Field } from '@/components/ui/field';
import { FormMessage } from '@/components/ui/form-message';
import { type BillingFormState, saveAutoTopUpAction } from '../actions';

export interface AutoTopUpValues {
  enabled: boolean;
  /** Dollar strings as they are typed ("5", "25.50"). */
  threshold: string;
  amount: string;
}

export function AutoTopUpForm({ initial, hasCard }: { initial: AutoTopUpValues; hasCard: boolean }) {
  const [state, action, pending] = useActionState<BillingFormState, FormData>(saveAutoTopUpAction, {});
  const [enabled, setEnabled] = useState(initial.enabled);
  return (
    <form action={action} aria-label="Automatic top-up" className="max-w-sm space-y-4" noValidate>
      <FormMessage error={state.errors?.form} success={state.success} />
      <label className="flex items-center gap-2 text-sm font-medium text-zinc-700">
        {/* Uncontrolled: React resets the form after each save, to these defaults. */}
        <input type="checkbox" name="enabled" defaultChecked={enabled} onChange={(event) => setEnabled(event.target.checked)} />
        Top up automatically
      </label>
      {enabled ? (
        <>
          <Field label="When the balance falls below" name="threshold" inputMode="decimal" defaultValue={state.values?.threshold ?? initial.threshold} error={state.errors?.threshold} />
          <Field label="Add this amount" name="amount" inputMode="decimal" defaultValue={state.values?.amount ?? initial.amount} error={state.errors?.amount} />
          {hasCard ? null : (
            <p className="text-sm text-amber-700">No card is saved yet: make one purchase above and its card is used for automatic top-ups.</p>
          )}
        </>
      ) : null}
      <Button type="submit" disabled={pending}>
        {pending ? 'Saving…' : 'Save'}
      </Button>
    </form>
  );
}
