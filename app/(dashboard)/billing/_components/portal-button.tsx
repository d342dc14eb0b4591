'use client';

import { useActionState } from 'react';
import { Button } from '@/components/ui/button';
import { FormMessage } from '@/components/ui/form-message';
import { type BillingFormState, openPortalAction } from '../actions';

export function PortalButton() {
  const [state, action, pending] = useActionState<BillingFormState>(openPortalAction, {});
  return (
    <form action={action} className="space-y-2">
      <FormMessage error={state.errors?.form} />
      <Button type="submit" variant="secondary" disabled={pending}>
        {pending ? 'Opening…' : 'Payment methods and invoices'}
      </Button>
    </form>
  );
}
