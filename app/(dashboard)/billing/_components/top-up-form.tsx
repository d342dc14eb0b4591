'use client';

import { useActionState } from 'react';
import { Button } from '@/components/ui/button';
import { Field } from '@/components/ui/field';
import { FormMessage } from '@/components/ui/form-message';
import { MAX_TOP_UP_MICROS, MIN_TOP_UP_MICROS, PRESET_TOP_UPS_MICROS } from '@/lib/billing/amounts';
import { formatDollars, microsToDollarString } from '@/lib/money';
import { type BillingFormState, startTopUpAction } from '../actions';

const dollars = (micros: number) => formatDollars(micros, { hideZeroCents: true });

export function TopUpForm() {
  const [state, action, pending] = useActionState<BillingFormState, FormData>(startTopUpAction, {});
  return (
    <form action={action} aria-label="Add credit" className="space-y-4" noValidate>
      <FormMessage error={state.errors?.form} />
      <div className="flex flex-wrap gap-2">
        {PRESET_TOP_UPS_MICROS.map((micros) => (
          <Button key={micros} type="submit" name="preset" value={microsToDollarString(micros)} variant="secondary" disabled={pending}>
            Add {dollars(micros)}
          </Button>
        ))}
      </div>
      <div className="flex max-w-sm items-end gap-2">
        <div className="flex-1">
          <Field
            label="Custom amount"
            name="custom"
            inputMode="decimal"
            placeholder="e.g. 40"
            hint={`${dollars(MIN_TOP_UP_MICROS)} to ${dollars(MAX_TOP_UP_MICROS)}`}
            defaultValue={state.values?.custom}
            error={state.errors?.custom}
          />
        </div>
        <Button type="submit" disabled={pending}>
          {pending ? 'Opening Stripe…' : 'Add credit'}
        </Button>
      </div>
      <p className="text-xs text-zinc-500">You pay on Stripe&apos;s checkout page; your card is saved there for automatic top-ups.</p>
    </form>
  );
}
